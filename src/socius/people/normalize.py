"""Normalization of identifiers, so that one human's email or phone matches however typed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from socius.core.errors import InvalidInput
from socius.people.models import IdentifierKind

DEFAULT_PHONE_REGION = "FR"
_HANDLE = re.compile(r"^[a-z0-9._-]{1,100}$")
_KINDS = frozenset(IdentifierKind.values)  # ``.values`` builds a new list at each call
_SOCIAL_HOSTS = {
    IdentifierKind.FACEBOOK: ("facebook.com", "fb.com", "m.facebook.com"),
    IdentifierKind.INSTAGRAM: ("instagram.com",),
    IdentifierKind.X: ("x.com", "twitter.com", "mobile.twitter.com"),
    IdentifierKind.LINKEDIN: ("linkedin.com",),
}


@dataclass(frozen=True)
class NormalizedIdentifier:
    kind: str
    value: str
    raw_value: str


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"


# The common shape of an address: a dot-atom local part of letters, digits and ``_+-``.
_PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")


def normalize_email(raw: str) -> str:
    value = raw.strip()
    local, _at, domain = value.rpartition("@")
    # Checking the domain is most of the validator's work, and customers share a handful
    # of domains: a plain local part with a domain the validator accepted is accepted as
    # the whole address would be (same limits: 64 characters before the @, 254 in all).
    if (
        value.isascii()
        and len(local) <= 64
        and len(value) <= 254
        and _PLAIN_LOCAL_PART.fullmatch(local)
    ):
        normalized_domain = _accepted_domain(domain)
        if normalized_domain is not None:
            return f"{local}@{normalized_domain}".lower()
    return _validated_email(raw)


@lru_cache(maxsize=4096)
def _accepted_domain(domain: str) -> str | None:
    """The domain as the validator normalizes it, or None where it refuses it."""
    try:
        return validate_email(f"x@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _validated_email(raw: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidIdentifier(
            _("“%(value)s” is not a valid email address.") % {"value": raw},
            details={"kind": "email", "reason": str(error)},
        ) from None
    # Mailbox providers treat the local part case-insensitively in practice; matching must too.
    return result.normalized.lower()


def normalize_phone(raw: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(
            _("“%(value)s” is not a valid phone number.") % {"value": raw},
            details={"kind": "phone"},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_handle(kind: str, raw: str) -> str:
    value = raw.strip()
    if "/" in value:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        host = (parts.hostname or "").removeprefix("www.")
        if host not in _SOCIAL_HOSTS.get(IdentifierKind(kind), ()):
            raise InvalidIdentifier(
                _("“%(value)s” is not a %(kind)s profile address.") % {"value": raw, "kind": kind},
                details={"kind": kind},
            )
        segments = [s for s in parts.path.split("/") if s]
        if kind == IdentifierKind.LINKEDIN and segments[:1] == ["in"]:
            segments = segments[1:]
        value = segments[0] if segments else ""
    value = value.removeprefix("@").lower()
    if not _HANDLE.match(value):
        raise InvalidIdentifier(
            _("“%(value)s” is not a valid %(kind)s handle.") % {"value": raw, "kind": kind},
            details={"kind": kind},
        )
    return value


def normalize_code(kind: str, raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw)
    value = re.sub(r"[\s\-.]", "", value).upper()
    if not value or len(value) > 64 or not value.isalnum():
        raise InvalidIdentifier(
            _("“%(value)s” is not a valid %(kind)s.") % {"value": raw, "kind": kind},
            details={"kind": kind},
        )
    return value


def normalize_external(raw: str, *, source: str) -> str:
    value = raw.strip()
    if not source or not value or len(value) > 200:
        raise InvalidIdentifier(
            _("An external id needs a source and a value of at most 200 characters."),
            details={"kind": "external"},
        )
    return f"{source.strip().lower()}:{value}"


def normalize_identifier(kind: str, raw: str, *, source: str = "") -> NormalizedIdentifier:
    if kind not in _KINDS:
        raise InvalidIdentifier(
            _("“%(kind)s” is not a known kind of identifier.") % {"kind": kind},
            details={"kind": kind, "allowed": list(IdentifierKind.values)},
        )
    raw = raw or ""
    if kind == IdentifierKind.EMAIL:
        value = normalize_email(raw)
    elif kind in (IdentifierKind.PHONE, IdentifierKind.WHATSAPP):
        value = normalize_phone(raw)
    elif kind in _SOCIAL_HOSTS:
        value = normalize_handle(kind, raw)
    elif kind == IdentifierKind.EXTERNAL:
        value = normalize_external(raw, source=source)
    else:
        value = normalize_code(kind, raw)
    return NormalizedIdentifier(kind=kind, value=value, raw_value=raw.strip()[:320])
