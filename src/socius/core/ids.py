"""Ids typed by people and programs: a string of ASCII digits that fits a database key.

``str.isdigit`` also accepts "²" or Arabic-Indic digits, which ``int`` then refuses or
turns into something unexpected; such input must read as "no such id", never as an error.
"""

from __future__ import annotations

MAX_DIGITS = 18  # below 2**63: every database key fits


def parse_id(value: object, *, minimum: int = 1) -> int | None:
    """The id ``value`` spells (``minimum`` or more: 0 where "none yet" is a value), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if minimum <= value < 10**MAX_DIGITS else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        return None
    number = int(text)
    return number if number >= minimum else None
