from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core import management
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _

from socius.cli import main
from socius.core.models import Activity
from socius.people.models import ConsentEntry, Identifier, Person

pytestmark = pytest.mark.django_db

CSV = (
    "\ufeffPrénom;Nom;E-mail;Téléphone;Newsletter;Notes\r\n"
    "Léa;Moreau;lea@example.org;06 11 22 33 44;oui;VIP\r\n"
    "Zoé;Petit;zoe@example.org;not a phone;oui;\r\n"
    "Léa;;LEA@example.org;;;\r\n"
)
MAP = (
    "Prénom=given_name,Nom=family_name,E-mail=email,Téléphone=phone,"
    "Newsletter=consent_email_marketing"
)


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def rows_written() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Identifier.objects.count(),
        ConsentEntry.objects.count(),
        Activity.objects.count(),
    )


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("people_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_reports_the_counts_and_writes_nothing(contacts: Path) -> None:
    out, err = run(str(contacts), "--map", MAP, "--dry-run")

    assert rows_written() == (0, 0, 0, 0)
    assert out.splitlines()[-1] == (
        "Dry run, nothing written: 3 rows, 1 created, 1 attached, 0 merged, 0 suggested, "
        "1 refused, 1 consents."
    )
    assert err.startswith("line 3: ")


def test_it_imports_with_the_given_mapping_and_source_and_writes_the_error_report(
    contacts: Path, tmp_path: Path
) -> None:
    report = tmp_path / "refused.csv"

    out, _err = run(str(contacts), "--map", MAP, "--source", "salon", "--errors", str(report))

    assert out.splitlines()[0] == (
        "Mapping: Prénom=given_name, Nom=family_name, E-mail=email, Téléphone=phone, "
        "Newsletter=consent_email_marketing, Notes=ignore"
    )
    assert sorted(Identifier.objects.values_list("value", "source")) == [
        ("+33611223344", "import:salon"),
        ("lea@example.org", "import:salon"),
    ]
    assert ConsentEntry.objects.get().source == "import:salon"
    assert report.read_text(encoding="utf-8").splitlines()[0] == (
        "\ufeffPrénom;Nom;E-mail;Téléphone;Newsletter;Notes;error"
    )
    assert (
        report.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("Zoé;Petit;zoe@example.org;not a phone;oui;;")
    )


def test_without_a_mapping_it_guesses_one_from_the_header(contacts: Path) -> None:
    out, _err = run(str(contacts))

    assert out.splitlines()[-1] == (
        "Imported: 3 rows, 1 created, 1 attached, 0 merged, 0 suggested, 1 refused, 1 consents."
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("Courriel=email", "No column 'Courriel'; the file has: Prénom, Nom, E-mail, Téléphone"),
        ("E-mail=mail", "--map takes column=field pairs"),
        (
            "Prénom=given_name",
            _(
                "Import at least one column as an identifier (email, phone, handle, customer "
                "number…): that is how the rows are recognised as persons."
            ),
        ),
    ],
)
def test_a_wrong_mapping_is_refused_before_anything_is_written(
    contacts: Path, mapping: str, message: str
) -> None:
    with pytest.raises(CommandError) as refused:
        run(str(contacts), "--map", mapping)

    assert str(refused.value).startswith(message)
    assert rows_written() == (0, 0, 0, 0)


def test_a_file_too_large_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"email\n" + b"a" * (5 * 1024 * 1024))

    with pytest.raises(CommandError) as refused:
        run(str(path))

    assert str(refused.value) == (
        _("The file is larger than %(max)s MB: split it into smaller files.") % {"max": 5}
    )


def test_socius_people_import_is_the_two_word_form_of_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    received: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", received.append)

    main(["socius", "people", "import", "contacts.csv", "--dry-run"])

    assert received == [["socius", "people_import", "contacts.csv", "--dry-run"]]
