"""Inbound email: an RFC 5322 message (from ``socius smtpd`` or an ``.eml`` file) becomes a
customer's message on the right case, through ``care.services.intake.message_receive``.

What a customer's mail client sends is untrusted: the sender is resolved by the person hub
from the From address; a subject tag ``[#123]`` or a thread header names a case only when
the sender may write on it (see ``_thread_ids`` and ``_tagged_case``); automatic mail
(bounces, auto-replies, our own mail coming back) is refused so that two robots never
answer each other forever.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import mimetypes
import re
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr
from html.parser import HTMLParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext

from socius.care.models import Case, Message
from socius.care.services.attachments import files_check
from socius.care.services.common import MAX_BODY
from socius.care.services.intake import Inbound, Receipt, message_receive
from socius.core.errors import DomainError
from socius.people.models import Person
from socius.people.normalize import InvalidIdentifier, normalize_email
from socius.people.selectors.person import person_find_by_identifier
from socius.people.services.resolve import live_person
from socius.people.services.types import IdentifierIn, Profile

logger = logging.getLogger(__name__)

CHANNEL = "email"
MAX_THREAD_IDS = 50
MAX_MESSAGE_ID = 300
MAX_NAME = 150

# "Re:", "RE :", "Fwd:", "TR:" (French Outlook), "AW:"/"WG:" (German), "Re[2]:", and our
# own "[#123]" tag, repeated in any order at the start of the subject.
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|tr|aw|wg)\s*(?:\[\d+\])?\s*:\s*|\[#\d+\]\s*)", re.IGNORECASE
)
_CASE_TAG = re.compile(r"\[#(\d{1,18})\]")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_ATTRIBUTION = re.compile(r"^\s*(?:on\s.+\swrote|le\s.+\sa\s+écrit)\s*:\s*$", re.IGNORECASE)
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "auto_reply"}


def email_receive(raw: bytes) -> Receipt | None:
    """Store one inbound email once (a replay returns the first delivery's receipt).

    ``None``: the mail was refused (automatic mail, our own, no usable sender) and logged;
    a mail server must still accept it, or the refusal would bounce back and forth.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # what policy.default builds
    message_id = _message_id(message, raw)
    name, address = parseaddr(_header(message, "From"))
    refusal = _refusal(message, address.lower())
    if refusal:
        logger.info("Inbound email %s refused: %s", message_id, refusal)
        return None
    try:
        normalized = normalize_email(address)
    except InvalidIdentifier:
        logger.info("Inbound email %s refused: no valid From address", message_id)
        return None
    sender = person_find_by_identifier(kind="email", value=normalized)
    sender = live_person(sender) if sender is not None else None
    text_part, text = _text_body(message)
    thread_ids = _thread_ids(message, sender)
    raw_subject = _header(message, "Subject")
    subject = _subject(raw_subject)
    files = files_check(_attachments(message, text_part), strict=False)
    return message_receive(
        Inbound(
            channel=CHANNEL,
            body=_body(text, subject, [f.original_name for f in files]),
            identifiers=(IdentifierIn("email", address),),
            profile=_profile(name),
            subject=subject,
            address=address,
            external_id=message_id,
            email_message_id=message_id,
            thread_ids=thread_ids,
            case=None if thread_ids else _tagged_case(raw_subject, sender),
            attachments=tuple(files),
        )
    )


def _header(message: EmailMessage, name: str) -> str:
    # The header parser of the standard library still raises on some malformed values;
    # a bad header must cost that header, not the customer's mail.
    try:
        return str(message.get(name, "") or "")
    except Exception:
        logger.warning("Unreadable %s header in an inbound email", name)
        return ""


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """The sender's Message-ID; a mail without one (or with an absurd one) is named by
    its bytes, so that the same file imported twice is still stored once."""
    found = _MESSAGE_ID.findall(_header(message, "Message-ID"))
    if found and len(found[0]) <= MAX_MESSAGE_ID:
        return str(found[0])
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@socius.invalid>"


def _own_addresses() -> set[str]:
    return {
        parseaddr(value)[1].lower()
        for value in (settings.CARE_EMAIL_ADDRESS, settings.DEFAULT_FROM_EMAIL)
        if value
    }


def _refusal(message: EmailMessage, sender: str) -> str:
    """Why this mail from ``sender`` (lower case) must not become a customer's message
    ("" when it may)."""
    if not sender:
        return "no From address"
    if sender in _own_addresses():
        return "sent by us"
    if sender.partition("@")[0] in {"mailer-daemon", "postmaster"}:
        return "a bounce (MAILER-DAEMON)"
    # Delivery reports travel with an empty envelope sender ("Return-Path: <>").
    if "Return-Path" in message and not parseaddr(_header(message, "Return-Path"))[1]:
        return "a bounce (empty Return-Path)"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report"
    auto = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"automatic (Auto-Submitted: {auto})"
    if _header(message, "Precedence").strip().lower() in _AUTOMATIC_PRECEDENCE:
        return "automatic (Precedence)"
    if "X-Autoreply" in message or "X-Autorespond" in message:
        return "an auto-reply"
    return ""


def _subject(raw: str) -> str:
    subject = " ".join(raw.split())
    while True:
        shorter = _SUBJECT_PREFIX.sub("", subject, count=1)
        if shorter == subject:
            return subject.strip()
        subject = shorter


def _profile(name: str) -> Profile:
    """Given and family name from a display name: Claire / Dupont from "Claire Dupont",
    "Dupont, Claire" or "DUPONT Claire"."""
    name = " ".join(name.strip().strip("\"'").split())
    if not name or "@" in name:
        return Profile()
    if "," in name:
        family, _, given = (part.strip() for part in name.partition(","))
    else:
        words = name.split(" ")
        if len(words) > 1 and words[0].isupper() and not all(w.isupper() for w in words):
            family, given = words[0], " ".join(words[1:])
        else:
            given, family = words[0], " ".join(words[1:])
    return Profile(given_name=given[:MAX_NAME], family_name=family[:MAX_NAME])


def _thread_ids(message: EmailMessage, sender: Person | None) -> tuple[str, ...]:
    """The Message-IDs this mail answers (In-Reply-To first, then References newest first)
    that may name a case for this sender: one of our replies (its id carries a random
    token: only someone who received it knows it), or a message of the sender's own. An
    id seen in someone else's mail must not put a stranger on that customer's case."""
    ids: list[str] = []
    in_reply_to = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    references = _MESSAGE_ID.findall(_header(message, "References"))
    for found in [*in_reply_to, *reversed(references)]:
        if found not in ids and len(found) <= MAX_MESSAGE_ID:
            ids.append(found)
    ids = ids[:MAX_THREAD_IDS]
    if not ids:
        return ()
    allowed = set()
    known = Message.objects.filter(email_message_id__in=ids).select_related("case__person")
    for row in known:
        if row.direction == Message.Direction.OUTBOUND or (
            sender is not None and live_person(row.case.person).pk == sender.pk
        ):
            allowed.add(row.email_message_id)
    return tuple(found for found in ids if found in allowed)


def _tagged_case(subject: str, sender: Person | None) -> Case | None:
    """The case a "[#123]" subject tag names, if it is the sender's: anyone can type a
    tag, so a tag naming another customer's case is ignored."""
    match = _CASE_TAG.search(subject)
    if match is None or sender is None:
        return None
    case = Case.objects.select_related("person").filter(pk=int(match.group(1))).first()
    if case is None or live_person(case.person).pk != sender.pk:
        return None
    return case


def _text_body(message: EmailMessage) -> tuple[MIMEPart | None, str]:
    """The part holding the text (plain preferred, else HTML made text) and that text."""
    for preference in ("plain", "html"):
        part = message.get_body(preferencelist=(preference,))
        text = _text_of(part).replace("\r\n", "\n").strip() if part is not None else ""
        if text:
            return part, text
    return None, ""


def _text_of(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content


def _body(full: str, subject: str, attachment_names: list[str]) -> str:
    """The text the customer wrote, without the quoted previous message when it is clearly
    one; never empty: a mail with no text at all is still a message."""
    body = strip_quoted(full) or subject or ", ".join(attachment_names)
    return (body or gettext("(no text)"))[:MAX_BODY].strip()


def strip_quoted(text: str) -> str:
    """Cut the previous message quoted below an attribution line ("On ... wrote:", "Le ...
    a écrit :", possibly wrapped on two lines), only when every line after it is quoted:
    an answer written between quoted lines, or a mail that is only a quote, is kept whole."""
    lines = text.split("\n")
    # quoted_tail[i]: lines[i:] are quoted or blank, and at least one is quoted.
    quoted_tail = [False] * (len(lines) + 1)
    only_quoted, any_quoted = True, False
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if line:
            any_quoted = any_quoted or line.startswith(">")
            only_quoted = only_quoted and line.startswith(">")
        quoted_tail[index] = only_quoted and any_quoted
    for index in range(len(lines)):
        for span in (1, 2):
            if index + span > len(lines) or not quoted_tail[index + span]:
                continue
            attribution = " ".join(line.strip() for line in lines[index : index + span])
            if _ATTRIBUTION.match(attribution):
                return "\n".join(lines[:index]).strip() or text
    return text


class _HtmlText(HTMLParser):
    """Text of an HTML mail: tags dropped (nothing is rendered or fetched), blocks on lines
    of their own, blockquotes marked "> " like a plain-text quote."""

    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
    HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.line_depth = 0
        self.depth = 0
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag in self.BLOCKS:
            self._end_line()
        if tag == "blockquote":
            self.depth += 1
        if tag == "li":
            self.handle_data("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in self.BLOCKS and tag != "br":
            self._end_line()
        if tag == "blockquote":
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if not self.line:
            self.line_depth = self.depth
        self.line.append(data)

    def _end_line(self) -> None:
        text = " ".join("".join(self.line).split())
        self.line = []
        if self.line_depth and text:
            text = f"{'>' * self.line_depth} {text}"
        if text or (self.lines and self.lines[-1]):
            self.lines.append(text)

    def text(self) -> str:
        self.close()
        self._end_line()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    return parser.text()


def _attachments(message: EmailMessage, body_part: MIMEPart | None) -> list[tuple[str, bytes]]:
    """Files the customer attached: parts given as attachments, or carrying a file name
    outside the text itself (inline images of a signature are left out)."""
    files = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename() or ""
        if disposition != "attachment" and not (name and disposition != "inline"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if not name:
            extension = mimetypes.guess_extension(part.get_content_type()) or ""
            name = f"attachment{extension}"
        files.append((name, payload))
    return files


class SmtpHandler:
    """The aiosmtpd handler of ``socius smtpd``: mail for our domain only, answered "250"
    once it is stored (a temporary failure answers "451": the sending server keeps the
    mail and tries again, and the Message-ID makes the second delivery a replay)."""

    def __init__(self) -> None:
        self.domain = settings.CARE_EMAIL_ADDRESS.rpartition("@")[2].lower()
        self.in_flight = 0  # changed on the server's event loop only

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.rpartition("@")[2].lower() != self.domain:
            return "550 5.7.1 Relaying denied: this server takes mail for its own domain only"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # What a final delivery server records: the envelope sender, empty for a bounce.
        sender = "".join(c for c in envelope.mail_from or "" if c not in "<>\r\n")
        raw = f"Return-Path: <{sender}>\r\n".encode() + (envelope.original_content or b"")
        self.in_flight += 1
        try:
            await sync_to_async(_store, thread_sensitive=False)(raw)
        except DomainError as error:  # the same mail would be refused again: say so now
            logger.warning("Inbound email refused by the intake: %s", error.code)
            return "554 5.6.0 Message refused"
        except Exception:
            logger.exception("Inbound email not stored; the sender will try again")
            return "451 4.3.0 Temporary failure, please try again later"
        finally:
            self.in_flight -= 1
        return "250 Message accepted"


def _store(raw: bytes) -> None:
    # A long-running server thread: drop connections the database closed meanwhile.
    close_old_connections()
    try:
        email_receive(raw)
    finally:
        close_old_connections()


def smtp_controller(*, host: str, port: int) -> Controller:
    """The SMTP listener of ``socius smtpd`` (started by the caller)."""
    return Controller(
        SmtpHandler(),
        hostname=host,
        port=port,
        server_hostname=settings.CARE_EMAIL_ADDRESS.rpartition("@")[2] or "localhost",
        data_size_limit=settings.CARE_SMTPD_MAX_BYTES,
        enable_SMTPUTF8=True,
    )
