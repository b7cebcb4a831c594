from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from socius.accounts.roles import Role
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity
from socius.people.models import ImportRun, Person
from socius.people.services import imports as service
from socius.people.services.imports import running

pytestmark = pytest.mark.django_db

CSV = (
    "\ufeffPrénom;Nom;E-mail;Téléphone;Newsletter\r\n"
    "Léa;Moreau;Lea@Example.org;06 11 22 33 44;oui\r\n"
    "Zoé;Petit;zoe@example.org;not a phone;oui\r\n"
    "Claire;;claire.dupont@example.org;;non\r\n"
).encode()
UPLOAD_URL = reverse("people:import")


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def uploads(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "imports").glob("*")) if (data_dir / "imports").exists() else []


def upload(client: Client, content: bytes = CSV, name: str = "salon.csv", **data: Any) -> Any:
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content), **data})


def uploaded(client: Client, content: bytes = CSV) -> str:
    response = upload(client, content)
    assert response.status_code == 302
    return str(response.url)


def test_it_needs_to_be_signed_in(client: Client) -> None:
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_employee_who_cannot_edit_people_is_refused_and_nothing_is_stored(
    cast: Cast, data_dir: Path
) -> None:
    client = signed_in_client(cast.colleague)

    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client).status_code == 403
    assert uploads(data_dir) == []


def test_an_upload_without_the_csrf_token_is_refused(cast: Cast, data_dir: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    response = upload(client)

    assert response.status_code == 403
    assert uploads(data_dir) == []


def test_the_upload_page_lists_what_can_be_imported(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.agent)

    with django_assert_num_queries(3):  # session, user, recent imports
        response = client.get(UPLOAD_URL)

    assert response.status_code == 200
    assert response.context["runs"] == []
    assert b'enctype="multipart/form-data"' in response.content


def test_an_upload_is_kept_under_a_random_name_known_only_to_this_session(
    cast: Cast, data_dir: Path
) -> None:
    client = signed_in_client(cast.agent)

    response = upload(client, name="../../etc/passwd.csv", source="salon-2025")

    token = response.url.rstrip("/").rsplit("/", 1)[1]
    assert response.url == reverse("people:import-mapping", args=[uuid.UUID(token)])
    assert uploads(data_dir) == [data_dir / "imports" / f"{token}.csv"]
    assert (data_dir / "imports" / f"{token}.csv").read_bytes() == CSV
    assert client.session["people_imports"] == {
        token: {"filename": "passwd.csv", "source": "salon-2025"}
    }
    other = signed_in_client(make_employee("eve@example.com", "Eve", "marketing", Role.AGENT))
    assert other.get(response.url).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Prénom;Nom\nLéa;Moreau\n".encode("latin-1"),
            "The file is not encoded in UTF-8: save it as “CSV UTF-8” and upload it again.",
        ),
        (b"email\n", "The file has a header but no rows to import."),
        (b"", "The submitted file is empty."),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_error_and_not_kept(
    cast: Cast, data_dir: Path, content: bytes, message: str
) -> None:
    client = signed_in_client(cast.agent)

    response = upload(client, content)

    assert response.status_code == 200
    assert list(response.context["form"].errors["file"]) == [_(message)]
    assert uploads(data_dir) == []


def test_a_file_over_5_mb_is_refused_before_it_is_read(cast: Cast, data_dir: Path) -> None:
    client = signed_in_client(cast.agent)

    response = upload(client, b"email\n" + b"a" * service.MAX_BYTES)

    assert response.context["form"].errors["file"] == [
        _("The file is larger than %(max)s MB: split it into smaller files.") % {"max": 5}
    ]
    assert uploads(data_dir) == []


def test_the_mapping_page_guesses_the_columns_and_previews_the_rows(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = uploaded(client)

    response = client.get(url)

    form = response.context["form"]
    assert [form[f"column_{n}"].initial for n in range(5)] == [
        "given_name",
        "family_name",
        "email",
        "phone",
        "consent_email_marketing",
    ]
    preview = response.context["preview"]
    assert [(row.row.line, bool(row.errors)) for row in preview] == [
        (2, False),
        (3, True),
        (4, False),
    ]
    assert response.content.count(b'data-testid="preview-error"') == 1
    assert b'hx-post="' + url.encode() + b'"' in response.content


def test_changing_the_mapping_refreshes_only_the_preview_with_htmx(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = uploaded(client)
    mapping = {"column_0": "ignore", "column_1": "ignore", "column_2": "email",
               "column_3": "ignore", "column_4": "ignore"}  # fmt: skip

    response = client.post(url, mapping, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.templates[0].name == "people/import_preview.html"
    assert not response.content.startswith(b"<!doctype")
    assert [row.shown for row in response.context["preview"]][0] == [
        (str(service.ImportField.EMAIL.label), "lea@example.org")
    ]


def test_a_mapping_without_identifier_is_refused_and_nothing_imported(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = uploaded(client)
    persons = Person.objects.count()
    mapping = {f"column_{n}": "ignore" for n in range(5)}

    response = client.post(url, {**mapping, "column_0": "given_name", "action": "import"})

    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        _(
            "Import at least one column as an identifier (email, phone, handle, customer "
            "number…): that is how the rows are recognised as persons."
        )
    ]
    assert (Person.objects.count(), ImportRun.objects.count()) == (persons, 0)


def start_import(client: Client, url: str) -> Any:
    response = client.get(url)
    mapping = {name: field.initial for name, field in response.context["form"].fields.items()}
    return client.post(url, {**mapping, "action": "import"})


def test_an_import_runs_inline_then_shows_its_summary_and_forgets_the_file(
    cast: Cast, data_dir: Path
) -> None:
    client = signed_in_client(cast.agent)
    url = uploaded(client)

    response = start_import(client, url)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:import-run", args=[run.pk])
    assert (run.status, run.created_by_id, run.source, run.upload) == (
        "done",
        cast.agent.pk,
        "import:salon.csv",
        None,
    )
    assert (run.total_rows, run.processed_rows, run.created_count, run.attached_count) == (
        3,
        3,
        1,
        1,
    )
    assert (run.refused_count, run.consents_count) == (1, 2)
    assert uploads(data_dir) == []
    assert client.session["people_imports"] == {}
    assert client.get(url).status_code == 404
    activity = Activity.objects.get(verb="people.imported")
    assert (activity.actor_id, activity.object_type, activity.object_id) == (
        cast.agent.pk,
        "people.importrun",
        str(run.pk),
    )


def test_the_summary_page_shows_the_counts_with_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.agent)
    start_import(client, uploaded(client))
    run = ImportRun.objects.get()

    with django_assert_num_queries(3):  # session, user, run
        response = client.get(reverse("people:import-run", args=[run.pk]))

    content = response.content.decode()
    assert 'data-status="done"' in content
    assert '<dd data-count="created">1</dd>' in content
    assert '<dd data-count="refused">1</dd>' in content
    assert 'hx-trigger="every' not in content  # a finished import stops polling
    assert reverse("people:import-run-errors", args=[run.pk]) in content


def test_the_error_report_is_downloaded_with_the_refused_rows(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    start_import(client, uploaded(client))
    run = ImportRun.objects.get()

    response = client.get(reverse("people:import-run-errors", args=[run.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{run.pk}-errors.csv"'
    bad_phone = _("“%(value)s” is not a valid phone number.") % {"value": "not a phone"}
    assert response.content.decode() == (
        "\ufeffPrénom;Nom;E-mail;Téléphone;Newsletter;error\r\n"
        f"Zoé;Petit;zoe@example.org;not a phone;oui;{bad_phone}\r\n"
    )


def test_another_employee_cannot_see_an_import_or_its_report(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    start_import(client, uploaded(client))
    run = ImportRun.objects.get()
    other = signed_in_client(make_employee("eve@example.com", "Eve", "marketing", Role.AGENT))

    assert other.get(reverse("people:import-run", args=[run.pk])).status_code == 404
    assert other.get(reverse("people:import-run-errors", args=[run.pk])).status_code == 404
    assert (
        signed_in_client(cast.colleague)
        .get(reverse("people:import-run", args=[run.pk]))
        .status_code
        == 404
    )


def test_a_large_file_is_imported_by_the_worker_with_its_progress_polled(
    cast: Cast,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(running, "INLINE_MAX_ROWS", 2)
    client = signed_in_client(cast.agent)
    url = uploaded(client)

    with django_capture_on_commit_callbacks() as callbacks:
        response = start_import(client, url)

    run = ImportRun.objects.get()
    assert (run.status, run.processed_rows, len(callbacks)) == ("queued", 0, 1)
    assert len(uploads(data_dir)) == 1
    progress = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="queued"' in progress
    assert 'hx-trigger="every 2s"' in progress

    service.import_run_execute(run_id=run.pk)

    progress = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="done"' in progress
    assert "hx-trigger" not in progress
    assert '<dd data-count="created">1</dd>' in progress
    assert uploads(data_dir) == []


def test_the_queued_import_task_runs_the_import_once(
    cast: Cast,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(running, "INLINE_MAX_ROWS", 2)
    client = signed_in_client(cast.agent)

    with django_capture_on_commit_callbacks(execute=True):
        start_import(client, uploaded(client))

    run = ImportRun.objects.get()
    assert (run.status, run.processed_rows, run.created_count) == ("done", 3, 1)
    assert service.import_run_execute(run_id=run.pk).processed_rows == 3
    assert Activity.objects.filter(verb="people.imported").count() == 1
