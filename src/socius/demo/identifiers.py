"""Identifiers as customers type them, paired with the value ``normalize_identifier`` gives.

The normalized value is known from how the identifier was made, not parsed back from the
typed form: that spares the large build a million calls to phonenumbers and
email-validator. ``tests/test_identifiers.py`` proves both ways agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from socius.demo.names import address_part
from socius.people.models import IdentifierKind

# Plain strings, so that they print, hash and serialize the same everywhere.
EMAIL: str = IdentifierKind.EMAIL.value
PHONE: str = IdentifierKind.PHONE.value
FACEBOOK: str = IdentifierKind.FACEBOOK.value
INSTAGRAM: str = IdentifierKind.INSTAGRAM.value
X: str = IdentifierKind.X.value
CUSTOMER_NUMBER: str = IdentifierKind.CUSTOMER_NUMBER.value
LOYALTY_CARD: str = IdentifierKind.LOYALTY_CARD.value
SOCIAL_KINDS = (FACEBOOK, INSTAGRAM, X)

# Reserved for documentation (RFC 2606): a demo wired to a real SMTP server mails no one.
EMAIL_DOMAINS = (
    "gmail.example",
    "orange.example",
    "free.example",
    "hotmail.example",
    "laposte.example",
    "sfr.example",
    "yahoo.example",
    "outlook.example",
    "wanadoo.example",
    "icloud.example",
)
EMAIL_DOMAIN_WEIGHTS = (30, 16, 9, 10, 5, 5, 6, 6, 5, 4)

# Landlines come from ARCEP's blocks reserved for fiction, so no real household is called.
# (ARCEP's fictional mobile block 06 39 98 is not a valid number for phonenumbers, so
# mobiles are drawn from the valid mobile ranges.)
_FICTION_LANDLINE_BLOCKS = ("46571", "19900", "26191", "35301", "53649")
_FICTION_LANDLINE_WEIGHTS = (6, 1, 1, 1, 1)
# Valid French mobile prefixes, after the leading 6 or 7 (phonenumbers' FR metadata).
_MOBILE_PREFIXES = tuple(
    [f"6{a}{b}" for a in "01245678" for b in "0123456789"]
    + [f"63{b}" for b in "012345678"]
    + [f"69{b}" for b in "589"]
    + [f"7{a}{b}" for a in "3456789" for b in "0123456789"]
)
_SOCIAL_URLS = {
    FACEBOOK: ("https://www.facebook.com/{}", "facebook.com/{}"),
    INSTAGRAM: ("https://www.instagram.com/{}/", "instagram.com/{}"),
    X: ("https://x.com/{}", "twitter.com/{}"),
}
CUSTOMER_NUMBER_PREFIX = "PL"
LOYALTY_CARD_PREFIX = "LUM"
# Multiplying by a number prime to 10 shuffles the serials over all 10-digit card numbers
# without ever repeating one.
_CARD_SPACE = 10**10
_CARD_STEP = 7_919_000_003


@dataclass(frozen=True, slots=True)
class PlannedIdentifier:
    kind: str
    raw: str
    value: str
    """What ``normalize_identifier(kind, raw).value`` returns."""


def _phone_raw(national: str, rng: random.Random) -> str:
    pairs = [national[1:3], national[3:5], national[5:7], national[7:9]]
    style = rng.random()
    if style < 0.45:
        return f"0{national[0]} " + " ".join(pairs)
    if style < 0.6:
        return f"0{national[0]}." + ".".join(pairs)
    if style < 0.75:
        return f"0{national}"
    if style < 0.9:
        return f"+33 {national[0]} " + " ".join(pairs)
    return f"+33{national}"


def _email_raw(value: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        local, _at, domain = value.partition("@")
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain
    if rng.random() < 0.03:
        return value.upper()
    return value


def _handle_raw(kind: str, value: str, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:
        return "@" + value
    if style < 0.7:
        return rng.choice(_SOCIAL_URLS[kind]).format(value)
    return value


def _code_raw(value: str, prefix: str, rng: random.Random) -> str:
    digits = value[len(prefix) :]
    style = rng.random()
    if style < 0.4:
        return f"{prefix}-{digits}"
    if style < 0.7:
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
        return f"{prefix} " + " ".join(groups)
    if style < 0.85:
        return f"{prefix.lower()}{digits}"
    return value


def render(kind: str, value: str, rng: random.Random) -> PlannedIdentifier:
    """One way a person may type this identifier; each source types it its own way."""
    if kind == PHONE:
        raw = _phone_raw(value.removeprefix("+33"), rng)
    elif kind == EMAIL:
        raw = _email_raw(value, rng)
    elif kind in _SOCIAL_URLS:
        raw = _handle_raw(kind, value, rng)
    elif kind == CUSTOMER_NUMBER:
        raw = _code_raw(value, CUSTOMER_NUMBER_PREFIX, rng)
    elif kind == LOYALTY_CARD:
        raw = _code_raw(value, LOYALTY_CARD_PREFIX, rng)
    else:
        raise ValueError(f"The demo does not make identifiers of kind {kind!r}.")
    return PlannedIdentifier(kind=kind, raw=raw, value=value)


class IdentifierMint:
    """Makes identifier values, each used once in the whole demo, as the unique
    constraint on (kind, value) requires of identifiers that are not shared."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[tuple[str, str]] = set()
        self._customer_serial = 0
        self._card_serial = 0

    def _claim(self, kind: str, value: str) -> bool:
        if (kind, value) in self._taken:
            return False
        self._taken.add((kind, value))
        return True

    def email(self, local_part: str, *, domain: str = "") -> str:
        rng = self._rng
        domain = domain or rng.choices(EMAIL_DOMAINS, EMAIL_DOMAIN_WEIGHTS)[0]
        candidate = f"{local_part}@{domain}"
        while not self._claim(EMAIL, candidate):
            candidate = f"{local_part}{rng.randrange(1, 1000)}@{domain}"
        return candidate

    def mobile(self) -> str:
        rng = self._rng
        while True:
            national = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(1_000_000):06d}"
            if self._claim(PHONE, "+33" + national):
                return "+33" + national

    def landline(self) -> str:
        rng = self._rng
        for _attempt in range(1000):
            block = rng.choices(_FICTION_LANDLINE_BLOCKS, _FICTION_LANDLINE_WEIGHTS)[0]
            national = block + f"{rng.randrange(10_000):04d}"
            if self._claim(PHONE, "+33" + national):
                return "+33" + national
        raise RuntimeError("The numbers reserved for fiction are exhausted.")

    def handle(self, kind: str, given: str, family: str) -> str:
        rng = self._rng
        first, last = address_part(given), address_part(family)
        pattern = rng.random()
        if pattern < 0.3:
            base = f"{first}.{last}"
        elif pattern < 0.55:
            base = f"{first}_{last}"
        elif pattern < 0.75:
            base = f"{first[:1]}{last}"
        else:
            base = f"{first}{last}{rng.randrange(100)}"
        candidate = base
        while not self._claim(kind, candidate):
            candidate = f"{base}.{rng.randrange(1, 100)}"
        return candidate

    def customer_number(self) -> str:
        self._customer_serial += 1
        return f"{CUSTOMER_NUMBER_PREFIX}{self._customer_serial:08d}"

    def loyalty_card(self) -> str:
        self._card_serial += 1
        shuffled = (self._card_serial * _CARD_STEP + 1_234_567) % _CARD_SPACE
        return f"{LOYALTY_CARD_PREFIX}{shuffled:010d}"


def email_local_part(given: str, family: str, rng: random.Random) -> str:
    first, last = address_part(given, separator="-"), address_part(family, separator="-")
    year = rng.randrange(50, 100) if rng.random() < 0.5 else rng.randrange(0, 10)
    pattern = rng.random()
    if pattern < 0.35:
        return f"{first}.{last}"
    if pattern < 0.5:
        return f"{first[:1]}{last}"
    if pattern < 0.6:
        return f"{first}{last}"
    if pattern < 0.7:
        return f"{last}.{first}"
    if pattern < 0.8:
        return f"{first}.{last}{year:02d}"
    if pattern < 0.85:
        return f"{first}_{last}"
    return f"{first[:3]}{last[:5]}{year:02d}"
