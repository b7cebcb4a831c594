"""Email in and out: real RFC 5322 messages become case messages once, on the right case;
replies leave threaded, and never carry a note."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from socius.care.channels.email_in import email_receive, html_to_text, strip_quoted
from socius.care.channels.email_out import MAX_REFERENCES, email_compose
from socius.care.channels.outbound import DeliveryFailed
from socius.care.models import Case, Message, Status
from socius.care.services.attachments import files_check
from socius.care.services.cases import case_status_set
from socius.care.services.conversation import case_note_add, case_reply
from socius.care.services.intake import Receipt
from socius.care.tests.factories import inbound_api
from socius.people.models import Identifier, Person

pytestmark = pytest.mark.django_db

CLAIRE = "Claire Dupont <claire.dupont@example.org>"
HUGO = "Hugo Bernard <hugo.bernard@example.net>"
SUPPORT = "support@socius.localhost"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def build(
    *,
    sender: str = CLAIRE,
    subject: str = "Commande 1042 jamais reçue",
    body: str | None = "Bonjour, ma commande n'est jamais arrivée.",
    html: str | None = None,
    message_id: str | None = "<m1@mail.example.org>",
    headers: dict[str, str] | None = None,
    files: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = "Mon, 30 Nov 2026 10:00:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, data, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def receive(raw: bytes) -> Receipt:
    receipt = email_receive(raw)
    assert receipt is not None
    return receipt


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def reply(agent, case: Case, body: str, capture) -> Message:
    with capture(execute=True):
        message = case_reply(actor=agent, case=case, body=body)
    message.refresh_from_db()
    return message


def test_a_new_mail_opens_a_case_for_a_new_person(db) -> None:
    receipt = email_receive(build(sender="DUPONT-MOREL Émilie <Emilie.Morel@Example.NET>"))
    assert receipt is not None
    assert receipt.created
    message, case = receipt.message, receipt.case
    person = Person.objects.get(pk=receipt.person_id)
    assert (person.given_name, person.family_name) == ("Émilie", "DUPONT-MOREL")
    assert Identifier.objects.filter(person=person, kind="email", value="emilie.morel@example.net")
    assert case.channel == "email"
    assert case.subject == "Commande 1042 jamais reçue"
    assert message.channel == "email"
    assert message.direction == Message.Direction.INBOUND
    assert message.address == "Emilie.Morel@Example.NET"
    assert message.external_id == message.email_message_id == "<m1@mail.example.org>"
    assert message.body == "Bonjour, ma commande n'est jamais arrivée."


def test_a_known_customer_s_mail_goes_to_their_person(cast) -> None:
    persons = Person.objects.count()
    receipt = email_receive(build(sender="claire.dupont@example.org"))
    assert receipt is not None
    assert receipt.person_id == cast.customer.pk
    assert Person.objects.count() == persons


def test_the_same_message_id_twice_stores_one_message(cast) -> None:
    first = email_receive(build())
    again = email_receive(build(body="Le même message, relayé deux fois."))
    assert first is not None
    assert again is not None
    assert not again.created
    assert again.message.pk == first.message.pk
    assert Message.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_mail_without_message_id_is_named_by_its_bytes(cast) -> None:
    raw = build(message_id=None)
    first, again = email_receive(raw), email_receive(raw)
    assert first is not None
    assert again is not None
    assert not again.created
    assert re.fullmatch(r"<sha256\.[0-9a-f]{64}@socius\.invalid>", first.message.external_id)
    assert Message.objects.count() == 1


def test_the_subject_loses_reply_prefixes_and_our_tag(cast) -> None:
    receipt = email_receive(build(subject="RE : TR: Re[2]: Fwd:  [#999] Livraison   en retard"))
    assert receipt is not None
    assert receipt.case.subject == "Livraison en retard"


def test_a_reply_to_our_mail_lands_on_the_same_case_even_from_another_address(
    cast, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    case = receive(build()).case
    ours = reply(cast.agent, case, "Nous regardons.", django_capture_on_commit_callbacks)
    answer = build(
        sender="Claire <claire@bureau.example.com>",
        subject=f"Re: [#{case.pk}] Commande 1042 jamais reçue",
        message_id="<m2@bureau.example.com>",
        headers={"In-Reply-To": ours.email_message_id, "References": ours.email_message_id},
    )
    receipt = email_receive(answer)
    assert receipt is not None
    assert receipt.case.pk == case.pk
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.message_count == 3


def test_a_thread_id_of_another_customer_s_mail_does_not_reach_their_case(cast) -> None:
    claire_case = receive(build()).case
    stranger = build(
        sender=HUGO,
        message_id="<h1@example.net>",
        headers={"In-Reply-To": "<m1@mail.example.org>"},
    )
    receipt = email_receive(stranger)
    assert receipt is not None
    assert receipt.case.pk != claire_case.pk
    assert receipt.case.person_id == cast.friend.pk


def test_a_customer_s_tag_names_their_resolved_case(cast) -> None:
    case = receive(build()).case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    receipt = email_receive(
        build(subject=f"[#{case.pk}] Toujours rien", message_id="<m2@mail.example.org>")
    )
    assert receipt is not None
    assert receipt.case.pk == case.pk
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.reopen_count == 1


def test_a_tag_naming_a_closed_case_opens_a_follow_up(cast) -> None:
    case = receive(build()).case
    case_status_set(actor=cast.agent, case=case, status=Status.CLOSED)
    receipt = email_receive(
        build(subject=f"[#{case.pk}] Toujours rien", message_id="<m2@mail.example.org>")
    )
    assert receipt is not None
    assert receipt.case.pk != case.pk
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_forged_tag_from_another_sender_is_ignored(cast) -> None:
    case = receive(build()).case
    case_status_set(actor=cast.agent, case=case, status=Status.CLOSED)
    forged = build(sender=HUGO, subject=f"Re: [#{case.pk}] Annulez", message_id="<h1@x.net>")
    receipt = email_receive(forged)
    assert receipt is not None
    assert receipt.case.pk != case.pk
    assert receipt.case.person_id == cast.friend.pk
    assert Message.objects.filter(case=case).count() == 1


def test_an_html_only_mail_becomes_text(cast) -> None:
    html = (
        "<html><head><style>p{color:red}</style><title>x</title></head><body>"
        "<p>Bonjour,</p><p>le colis est <b>abîmé</b>&nbsp;&amp; ouvert.</p>"
        "<script>alert('x')</script><ul><li>un</li><li>deux</li></ul>"
        "<div>Le lun. 30 nov. 2026, Support a écrit :</div>"
        "<blockquote><p>Ancien message</p></blockquote></body></html>"
    )
    receipt = email_receive(build(body=None, html=html))
    assert receipt is not None
    assert receipt.message.body == ("Bonjour,\n\nle colis est abîmé & ouvert.\n\n- un\n\n- deux")


def test_plain_text_is_preferred_to_its_html_alternative(cast) -> None:
    receipt = email_receive(build(body="Texte brut", html="<p>Texte <i>riche</i></p>"))
    assert receipt is not None
    assert receipt.message.body == "Texte brut"


def test_the_quoted_previous_message_is_cut_only_when_clearly_one() -> None:
    reply_text = (
        "Merci, c'est reçu.\n\nLe lun. 30 nov. 2026 à 10:00, Support <support@socius.localhost>\n"
        "a écrit :\n> Bonjour,\n>\n> Votre colis part demain.\n"
    )
    assert strip_quoted(reply_text) == "Merci, c'est reçu."
    english = "Thanks!\nOn Mon, Nov 30, 2026 at 10:00 AM Support wrote:\n> Hello\n"
    assert strip_quoted(english) == "Thanks!"
    inline = "On Mon, Support wrote:\n> Question 1 ?\nRéponse 1\n> Question 2 ?\nRéponse 2"
    assert strip_quoted(inline) == inline
    only_quote = "Le lun. 30 nov., Support a écrit :\n> Bonjour"
    assert strip_quoted(only_quote) == only_quote


def test_a_mail_that_is_only_a_quote_keeps_its_text(cast) -> None:
    body = "On Mon, Support wrote:\n> Bonjour"
    receipt = email_receive(build(body=body))
    assert receipt is not None
    assert receipt.message.body == body


def test_a_mail_without_text_keeps_its_subject_as_body(cast) -> None:
    receipt = email_receive(build(body=None, files=(("devis.pdf", PDF, "application/pdf"),)))
    assert receipt is not None
    assert receipt.message.body == "Commande 1042 jamais reçue"
    assert receipt.message.attachments.count() == 1


def test_attachments_are_kept_and_a_bad_one_is_dropped_without_losing_the_mail(cast) -> None:
    files = (
        ("devis.pdf", PDF, "application/pdf"),
        ("notes.txt", b"ligne 1\nligne 2\n", "text/plain"),
        ("photo.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
    )
    receipt = email_receive(build(files=files))
    assert receipt is not None
    assert receipt.message.body.startswith("Bonjour")
    stored = {a.name: a.file.read() for a in receipt.message.attachments.order_by("name")}
    assert stored == {"devis.pdf": PDF, "notes.txt": b"ligne 1\nligne 2\n"}


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        (SUPPORT, {}),
        (f"Support <{SUPPORT.upper()}>", {}),
        ("Socius <no-reply@socius.localhost>", {}),
        (CLAIRE, {"Auto-Submitted": "auto-replied"}),
        (CLAIRE, {"Auto-Submitted": "auto-generated; owner-email=x@example.org"}),
        (CLAIRE, {"Return-Path": "<>"}),
        ("Mail Delivery System <MAILER-DAEMON@mx.example.org>", {}),
        (CLAIRE, {"Precedence": "auto_reply"}),
        (CLAIRE, {"X-Autoreply": "yes"}),
        ("pas une adresse", {}),
    ],
)
def test_automatic_and_own_mail_is_refused(cast, settings, sender, headers) -> None:
    settings.CARE_EMAIL_ADDRESS = SUPPORT
    settings.DEFAULT_FROM_EMAIL = "Socius <no-reply@socius.localhost>"
    assert email_receive(build(sender=sender, headers=headers)) is None
    assert Message.objects.count() == 0
    assert Case.objects.count() == 0


def test_a_mail_saying_it_is_not_automatic_is_kept(cast) -> None:
    receipt = email_receive(
        build(headers={"Auto-Submitted": "no", "Return-Path": "<claire.dupont@example.org>"})
    )
    assert receipt is not None
    assert receipt.created


def test_html_to_text_never_keeps_markup() -> None:
    text = html_to_text('<p onclick="x()">A<img src="http://t.example/p.gif">B</p><iframe>C')
    assert "<" not in text
    assert "http" not in text
    assert text.startswith("AB")


def test_an_email_reply_is_threaded_and_never_carries_a_note(
    cast, settings, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    settings.COMPANY_NAME = "Maison Dupré"
    first = email_receive(build())
    assert first is not None
    case = first.case
    second = email_receive(
        build(
            subject="Re: Commande 1042",
            body="Toujours rien.",
            message_id="<m2@mail.example.org>",
            headers={"In-Reply-To": "<m1@mail.example.org>"},
        )
    )
    assert second is not None
    assert second.case.pk == case.pk
    marker = "NOTE-PRIVEE-7c1f"
    case_note_add(actor=cast.agent, case=case, body=f"{marker} client difficile, voir @bruno.petit")
    message = reply(
        cast.agent,
        case,
        "Bonjour,\n\nNous **renvoyons** le colis.",
        django_capture_on_commit_callbacks,
    )
    assert message.delivery == Message.Delivery.SENT
    assert re.fullmatch(
        rf"<care\.{case.pk}\.{message.pk}\.[\w-]+@socius\.localhost>", message.email_message_id
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    raw = sent.message().as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Message-ID"] == message.email_message_id
    assert parsed["In-Reply-To"] == "<m2@mail.example.org>"
    assert parsed["References"] == "<m1@mail.example.org> <m2@mail.example.org>"
    assert parsed["Subject"] == f"Re: [#{case.pk}] Commande 1042 jamais reçue"
    assert parsed["From"].addresses[0].display_name == "Maison Dupré"
    assert parsed["From"].addresses[0].addr_spec == settings.CARE_EMAIL_ADDRESS
    assert sent.to == ["claire.dupont@example.org"]
    assert "Auto-Submitted" not in parsed
    assert sent.body == "Bonjour,\n\nNous **renvoyons** le colis."
    html, content_type = sent.alternatives[0]
    assert content_type == "text/html"
    assert "<strong>renvoyons</strong>" in str(html)
    assert marker.encode() not in raw
    assert marker not in str(html)


def test_the_customer_s_answer_to_our_reply_comes_back_with_its_quote_cut(
    cast, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    case = receive(build()).case
    ours = reply(
        cast.agent, case, "Pouvez-vous confirmer l'adresse ?", django_capture_on_commit_callbacks
    )
    answer = build(
        subject=f"Re: [#{case.pk}] Commande 1042 jamais reçue",
        body=(
            "Oui, 3 rue des Lilas.\n\nLe lun. 30 nov. 2026 à 11:00, Maison Dupré a écrit :\n"
            "> Pouvez-vous confirmer l'adresse ?\n"
        ),
        message_id="<m3@mail.example.org>",
        headers={"In-Reply-To": ours.email_message_id},
    )
    receipt = email_receive(answer)
    assert receipt is not None
    assert receipt.case.pk == case.pk
    assert receipt.message.body == "Oui, 3 rue des Lilas."


def test_a_reply_carries_its_attachments(
    cast, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    case = receive(build()).case
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(
            actor=cast.agent,
            case=case,
            body="Voici le devis.",
            files=files_check([("devis.pdf", PDF)]),
        )
    assert mail.outbox[0].attachments == [("devis.pdf", PDF, "application/pdf")]


def test_a_long_thread_keeps_the_first_and_the_latest_references(cast) -> None:
    case = inbound_api(external_id="x").case
    for number in range(MAX_REFERENCES + 5):
        Message.objects.create(
            case=case,
            direction="in",
            channel="email",
            body="…",
            address="c@example.org",
            email_message_id=f"<r{number}@example.org>",
            delivery="received",
        )
    ours = Message.objects.create(
        case=case,
        direction="out",
        channel="email",
        body="Réponse",
        address="c@example.org",
        email_message_id="<ours@socius.localhost>",
        delivery="pending",
    )
    headers = email_compose(ours).extra_headers
    references = headers["References"].split(" ")
    assert len(references) == MAX_REFERENCES
    assert references[0] == "<r0@example.org>"
    assert references[-1] == f"<r{MAX_REFERENCES + 4}@example.org>"
    assert headers["In-Reply-To"] == f"<r{MAX_REFERENCES + 4}@example.org>"


def test_a_reply_without_an_address_is_not_delivered(cast) -> None:
    case = inbound_api(external_id="x").case
    message = Message(case=case, direction="out", channel="email", body="Réponse", address="")
    with pytest.raises(DeliveryFailed):
        email_compose(message)
    assert mail.outbox == []


def test_the_import_command_stores_replays_and_refuses(cast, tmp_path: Path) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    (folder / "a.eml").write_bytes(build())
    (folder / "b.eml").write_bytes(build(sender=HUGO, message_id="<h1@example.net>"))
    (folder / "robot.eml").write_bytes(build(headers={"Auto-Submitted": "auto-generated"}))
    (folder / "ignored.txt").write_bytes(build(message_id="<other@example.org>"))
    out = StringIO()
    call_command("care_import_eml", str(folder), stdout=out)
    lines = out.getvalue().splitlines()
    cases = dict(Message.objects.values_list("external_id", "case_id"))
    assert lines[0] == f"{folder / 'a.eml'}: case {cases['<m1@mail.example.org>']}"
    assert lines[1] == f"{folder / 'b.eml'}: case {cases['<h1@example.net>']}"
    assert lines[2].startswith(f"{folder / 'robot.eml'}: refused")
    assert len(lines) == 4
    assert Message.objects.count() == 2
    again = StringIO()
    call_command("care_import_eml", str(folder / "a.eml"), stdout=again)
    assert again.getvalue().splitlines()[0].startswith(f"{folder / 'a.eml'}: replayed")
    assert Message.objects.count() == 2


def test_encoded_headers_and_a_latin_1_body_are_decoded(db) -> None:
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9e_Lef=E8vre?= <renee@example.fr>\r\n"
        b"To: support@socius.localhost\r\n"
        b"Subject: =?utf-8?b?UmU6IENvbGlzIGFiw65tw6k=?=\r\n"
        b"Message-ID: <latin@example.fr>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"Le colis est arriv=E9 ab=EEm=E9.\r\n"
    )
    receipt = receive(raw)
    person = Person.objects.get(pk=receipt.person_id)
    assert (person.given_name, person.family_name) == ("Renée", "Lefèvre")
    assert receipt.case.subject == "Colis abîmé"
    assert receipt.message.body == "Le colis est arrivé abîmé."


def test_a_body_in_an_unknown_charset_is_kept_as_well_as_it_reads(db) -> None:
    raw = (
        b"From: renee@example.fr\r\nTo: support@socius.localhost\r\n"
        b"Subject: Test\r\nMessage-ID: <charset@example.fr>\r\n"
        b"Content-Type: text/plain; charset=x-unknown-8\r\n\r\n"
        b"Bonjour \xe9\r\n"
    )
    assert receive(raw).message.body == "Bonjour \ufffd"
