from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils.translation import gettext as _

from socius.conftest import Cast
from socius.core.errors import DomainError
from socius.core.models import Activity
from socius.people.models import (
    ConsentEntry,
    ConsentState,
    Identifier,
    Person,
    ResolutionDecision,
)
from socius.people.services import consent_record, consent_states
from socius.people.services import imports as service
from socius.people.services.imports import (
    MAX_BYTES,
    MAX_ROWS,
    CsvRow,
    ImportField,
    ImportFileRefused,
    ImportMappingInvalid,
    csv_read,
    error_report,
    import_preview,
    mapping_check,
    mapping_guess,
    people_import,
    row_prepare,
    running,
)

pytestmark = pytest.mark.django_db

HEADER = ["Prénom", "Nom", "E-mail", "Téléphone", "Newsletter"]
MAPPING = ["given_name", "family_name", "email", "phone", "consent_email_marketing"]


def csv_bytes(*rows: list[str], delimiter: str = ";", bom: bool = True) -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in [HEADER, *rows]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode()


def test_it_reads_utf8_with_a_bom_and_semicolons_as_french_spreadsheets_write_them() -> None:
    table = csv_read(csv_bytes(["Léa", "Moreau", "lea@example.org", "06 11 22 33 44", "oui"]))

    assert table.header == HEADER
    assert table.delimiter == ";"
    assert table.rows == [CsvRow(2, ["Léa", "Moreau", "lea@example.org", "06 11 22 33 44", "oui"])]


def test_it_reads_commas_and_tabs_and_keeps_quoted_delimiters_in_values() -> None:
    commas = csv_read(b'Nom,E-mail\n"Moreau; Dupont",lea@example.org\n\n"Petit",zoe@example.org\n')
    tabs = csv_read(b"Nom\tE-mail\nMoreau, L.\tlea@example.org\n")

    assert (commas.delimiter, commas.rows) == (
        ",",
        [CsvRow(2, ["Moreau; Dupont", "lea@example.org"]), CsvRow(4, ["Petit", "zoe@example.org"])],
    )
    assert (tabs.delimiter, tabs.rows) == ("\t", [CsvRow(2, ["Moreau, L.", "lea@example.org"])])


def test_it_refuses_a_file_that_is_not_utf8() -> None:
    with pytest.raises(ImportFileRefused) as refused:
        csv_read("Prénom;Nom\nLéa;Moreau\n".encode("latin-1"))

    assert refused.value.details == {"field": "file", "reason": "encoding"}


def test_it_refuses_a_file_larger_than_5_mb() -> None:
    with pytest.raises(ImportFileRefused) as refused:
        csv_read(b"email\n" + b"a" * MAX_BYTES)

    assert refused.value.details["reason"] == "too_large"


def test_it_accepts_50000_rows_and_refuses_one_more() -> None:
    assert len(csv_read(b"email\n" + b"x\n" * MAX_ROWS).rows) == MAX_ROWS

    with pytest.raises(ImportFileRefused) as refused:
        csv_read(b"email\n" + b"x\n" * (MAX_ROWS + 1))

    assert refused.value.details == {
        "field": "file",
        "reason": "too_many_rows",
        "max_rows": MAX_ROWS,
    }


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(ImportFileRefused) as refused:
        csv_read(b"\xef\xbb\xbf\r\n")

    assert refused.value.details == {"field": "file", "reason": "no_header"}


def test_it_guesses_the_mapping_from_french_headers() -> None:
    header = ["Prénom", "Nom", "E-mail", "Téléphone", "Ville", "Code postal",
              "Date de naissance", "Adresse", "N° client", "Carte de fidélité", "Newsletter",
              "Notes", "Email 2", "Langue"]  # fmt: skip

    assert mapping_guess(header) == [
        "given_name", "family_name", "email", "phone", "city", "postcode", "birth_date",
        "address", "customer_number", "loyalty_card", "consent_email_marketing", "ignore",
        "email", "locale",
    ]  # fmt: skip


def test_it_guesses_the_mapping_from_english_headers_and_maps_a_profile_field_once() -> None:
    header = ["First name", "Last name", "Email address", "Mobile", "City", "ZIP code",
              "Date of birth", "Customer ID", "Instagram", "Twitter", "LinkedIn", "WhatsApp",
              "Surname"]  # fmt: skip

    assert mapping_guess(header) == [
        "given_name", "family_name", "email", "phone", "city", "postcode", "birth_date",
        "customer_number", "instagram", "x", "linkedin", "whatsapp", "ignore",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("mapping", "details"),
    [
        (["given_name", "family_name"], {"reason": "no_identifier"}),
        (["email", "email", "city", "city"], {"column": 3, "field": "city"}),
        (["email"], {"columns": 4, "mapped": 1}),
    ],
)
def test_it_refuses_a_mapping_without_identifier_or_with_a_profile_field_twice(
    mapping: list[str], details: dict[str, Any]
) -> None:
    if len(mapping) == 2:
        mapping += ["ignore", "ignore"]
    with pytest.raises(ImportMappingInvalid) as refused:
        mapping_check(mapping, ["a", "b", "c", "d"])

    assert refused.value.details == details


def test_it_accepts_birth_dates_in_iso_and_french_formats_only() -> None:
    def birth(value: str) -> Any:
        prepared = row_prepare(
            CsvRow(2, ["lea@example.org", value]), ["email", "birth_date"], source="import:t"
        )
        return prepared.errors or prepared.profile.birth_date

    refused = _("“%(value)s” is not a birth date (YYYY-MM-DD or DD/MM/YYYY).")
    assert birth("1990-05-04") == dt.date(1990, 5, 4)
    assert birth("04/05/1990") == dt.date(1990, 5, 4)
    assert birth("1990/05/04") == [refused % {"value": "1990/05/04"}]
    assert birth("31/02/1990") == [refused % {"value": "31/02/1990"}]
    assert birth("04/05/2990") == [refused % {"value": "04/05/2990"}]


def test_the_preview_shows_the_first_20_rows_as_imported_with_their_errors() -> None:
    rows = [["Léa", "Moreau", f"Lea{n}@Example.org", "06 11 22 33 44", "oui"] for n in range(25)]
    rows[3] = ["Zoé", "Petit", "zoe@example.org", "not a phone", "peut-être"]
    table = csv_read(csv_bytes(*rows))

    preview = import_preview(table, MAPPING, source="import:test")

    assert len(preview) == 20
    assert preview[0].shown == [
        (str(ImportField.GIVEN_NAME.label), "Léa"),
        (str(ImportField.FAMILY_NAME.label), "Moreau"),
        (str(ImportField.EMAIL.label), "lea0@example.org"),
        (str(ImportField.PHONE.label), "+33611223344"),
        (str(ImportField.CONSENT_EMAIL_MARKETING.label), str(ConsentState.GRANTED.label)),
    ]
    assert [(p.row.line, p.errors) for p in preview if p.errors] == [
        (
            5,
            [
                _("“%(value)s” is not a valid phone number.") % {"value": "not a phone"},
                _("“%(value)s” is not an answer to a consent (yes/no, oui/non, 1/0).")
                % {"value": "peut-être"},
            ],
        )
    ]


def import_rows(*rows: list[str], cast: Cast | None = None, **options: Any) -> Any:
    return people_import(
        table=csv_read(csv_bytes(*rows)),
        mapping=MAPPING,
        filename="salon.csv",
        actor_id=cast.agent.pk if cast else None,
        **options,
    )


def test_rows_of_one_human_converge_and_every_outcome_is_counted(cast: Cast) -> None:
    summary = import_rows(
        ["Léa", "Moreau", "lea@example.org", "06 11 22 33 44", "oui"],  # created
        ["Lea", "", "LEA@example.org", "", ""],  # attached
        ["Claire", "", "claire.dupont@example.org", "", "non"],  # the cast's customer
        ["Marc", "", "marc@example.org", "", ""],  # created
        ["", "", "marc@example.org", "06 11 22 33 44", ""],  # Léa's phone: suggested
        ["Zoé", "Petit", "zoe@example.org", "not a phone", "oui"],  # refused
        cast=cast,
    )

    assert summary.counts() == {
        "rows": 6,
        "created": 2,
        "attached": 2,
        "merged": 0,
        "suggested": 1,
        "refused": 1,
        "consents": 2,
        "refusals_kept": 0,
    }
    lea = Person.objects.get(identifiers__value="lea@example.org")
    assert sorted(lea.identifiers.values_list("kind", "value", "source")) == [
        ("email", "lea@example.org", "import:salon.csv"),
        ("phone", "+33611223344", "import:salon.csv"),
    ]
    assert consent_states(person=lea) == {"email_marketing": "granted"}
    assert consent_states(person=cast.customer) == {"email_marketing": "denied"}
    entry = ConsentEntry.objects.get(person=lea)
    assert (entry.source, entry.evidence, entry.recorded_by_id) == (
        "import:salon.csv",
        _("%(file)s, line %(line)s") % {"file": "salon.csv", "line": 2},
        cast.agent.pk,
    )
    assert set(ResolutionDecision.objects.filter(person=lea).values_list("source", flat=True)) == {
        "import:salon.csv"
    }


def test_a_refused_row_writes_nothing_of_itself(cast: Cast) -> None:
    before = (Person.objects.count(), Identifier.objects.count(), ConsentEntry.objects.count())

    summary = import_rows(["Zoé", "Petit", "zoe@example.org", "not a phone", "oui"], cast=cast)

    assert summary.counts()["refused"] == 1
    assert (Person.objects.count(), Identifier.objects.count(), ConsentEntry.objects.count()) == (
        before
    )


def test_a_row_failing_after_its_person_was_resolved_is_rolled_back_whole(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise DomainError("The consent ledger refused it.")

    monkeypatch.setattr(running, "consent_record", refuse)
    before = (Person.objects.count(), Identifier.objects.count(), Activity.objects.count())

    summary = import_rows(
        ["Zoé", "Petit", "zoe@example.org", "06 99 88 77 66", "oui"],
        ["Hugo", "", "hugo.b@example.net", "", ""],
    )

    assert [(row.line, message) for row, message in summary.refused] == [
        (2, "The consent ledger refused it.")
    ]
    assert not Identifier.objects.filter(value__in=["zoe@example.org", "+33699887766"]).exists()
    # Only the second row and the import's own entry were written.
    assert (Person.objects.count(), Identifier.objects.count()) == (before[0] + 1, before[1] + 1)
    assert Activity.objects.count() == before[2] + 2


def test_the_error_report_repeats_the_columns_and_delimiter_with_an_error_column() -> None:
    summary = import_rows(
        ["Léa", "Moreau", "lea@example.org", "", ""],
        ["Zoé", "Petit", "zoe@example.org", "not a phone", "oui"],
        ["=cmd", "", "", "", ""],
    )
    table = csv_read(
        csv_bytes(
            ["Léa", "Moreau", "lea@example.org", "", ""],
            ["Zoé", "Petit", "zoe@example.org", "not a phone", "oui"],
            ["=cmd", "", "", "", ""],
        )
    )

    bad_phone = _("“%(value)s” is not a valid phone number.") % {"value": "not a phone"}
    no_identifier = _("No identifier in this row (email, phone…): a person cannot be recognised.")
    assert error_report(table, summary.refused) == (
        "\ufeffPrénom;Nom;E-mail;Téléphone;Newsletter;error\r\n"
        f"Zoé;Petit;zoe@example.org;not a phone;oui;{bad_phone}\r\n"
        f"'=cmd;;;;;{no_identifier}\r\n"
    )


def test_no_cell_of_the_report_starts_a_spreadsheet_formula() -> None:
    table = csv_read(b"email\n=1+1\n")

    report = error_report(table, [(table.rows[0], "=HYPERLINK(1)")])

    assert report.splitlines()[1] == "'=1+1,'=HYPERLINK(1)"


def test_the_import_is_audited_with_its_counts(cast: Cast) -> None:
    import_rows(["Léa", "", "lea@example.org", "", ""], ["", "", "", "", ""], cast=cast)

    activity = Activity.objects.get(verb="people.imported")
    assert (activity.actor_id, activity.department_id, activity.channel, activity.summary) == (
        cast.agent.pk,
        None,
        "import",
        "salon.csv",
    )
    assert activity.payload == {
        "file": "salon.csv",
        "source": "import:salon.csv",
        "rows": 1,
        "created": 1,
        "attached": 0,
        "merged": 0,
        "suggested": 0,
        "refused": 0,
        "consents": 0,
        "refusals_kept": 0,
    }


def test_strong_identifiers_of_two_imported_persons_merge_them() -> None:
    header_rows = [
        ["Marc", "", "marc@example.org", "", ""],
        ["Marc", "", "marc.pro@example.org", "", ""],
    ]
    import_rows(*header_rows)

    summary = people_import(
        table=csv_read(b"email;email\nmarc@example.org;marc.pro@example.org\n"),
        mapping=["email", "email"],
        filename="crm.csv",
    )

    assert (summary.merged, Person.objects.filter(merged_into__isnull=True).count()) == (1, 1)


def test_a_dry_run_counts_everything_and_writes_nothing(cast: Cast) -> None:
    before = (Person.objects.count(), Identifier.objects.count(), Activity.objects.count())

    summary = import_rows(
        ["Léa", "Moreau", "lea@example.org", "06 11 22 33 44", "oui"],
        ["Claire", "", "claire.dupont@example.org", "", ""],
        cast=cast,
        dry_run=True,
    )

    assert (summary.created, summary.attached, summary.consents) == (1, 1, 1)
    assert (Person.objects.count(), Identifier.objects.count(), Activity.objects.count()) == (
        before
    )
    assert ConsentEntry.objects.count() == 0


def test_a_granted_consent_in_a_file_never_overturns_a_refusal(cast: Cast) -> None:
    consent_record(
        person=cast.customer, purpose="email_marketing", state="withdrawn", source="portal"
    )

    summary = import_rows(["Claire", "", "claire.dupont@example.org", "", "oui"])

    assert (summary.consents, summary.refusals_kept) == (0, 1)
    assert consent_states(person=cast.customer) == {"email_marketing": "withdrawn"}


def test_the_source_is_named_after_the_file_or_the_given_name() -> None:
    assert service.import_source("Clients Boutique 2024.csv") == "import:clients-boutique-2024.csv"
    assert service.import_source("Salon d'été") == "import:salon-d-ete"
    assert service.import_source("***") == "import:csv"
    assert len(service.import_source("x" * 100)) == 64
