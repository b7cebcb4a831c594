"""Names as different departments end up typing them: accents lost or added, initials, typos.

These variants are what keep the same human apart in two records once deterministic
identifiers fail to link them, and what a fuzzy matcher must see through.
"""

from __future__ import annotations

import random
import re
import unicodedata

# Faker's fr_FR lists hold no hyphenated first names, yet they are the classic case of a
# name written three ways.
COMPOUND_GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "Jean-Pierre": ("JP", "Jean Pierre", "J-Pierre"),
    "Jean-Baptiste": ("JB", "Jean Baptiste", "J-Baptiste"),
    "Jean-François": ("JF", "Jean-Francois", "Jean François"),
    "Jean-Luc": ("JL", "Jean Luc", "Jean-luc"),
    "Pierre-Louis": ("PL", "Pierre Louis", "Pierre-louis"),
    "Marie-Claire": ("MC", "Marie Claire", "Marie-claire"),
    "Marie-Hélène": ("MH", "Marie-Helene", "Marie Hélène"),
    "Anne-Sophie": ("AS", "Anne Sophie", "Anne-sophie"),
    "Marie-Christine": ("MC", "Marie Christine", "Marie-christine"),
    "Anne-Laure": ("AL", "Anne Laure", "Anne-laure"),
}
COMPOUND_FEMALE = ("Marie-Claire", "Marie-Hélène", "Anne-Sophie", "Marie-Christine", "Anne-Laure")
COMPOUND_MALE = ("Jean-Pierre", "Jean-Baptiste", "Jean-François", "Jean-Luc", "Pierre-Louis")

_NOT_IN_ADDRESS = re.compile(r"[^a-z0-9]+")
_ACCENTABLE = re.compile(r"(?<=[bcdfghjklmnprstvz])e(?=[bcdfghjklmnprstvz])")


def fold(text: str) -> str:
    """Drop accents and cedillas: "Lefèvre" -> "Lefevre", "François" -> "Francois"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def address_part(name: str, *, separator: str = "") -> str:
    """A name as it appears in an email address or a handle: ASCII, lowercase."""
    return _NOT_IN_ADDRESS.sub(separator, fold(name).lower()).strip(separator)


def _add_accent(name: str, rng: random.Random) -> str:
    spots = [match.start() for match in _ACCENTABLE.finditer(name)]
    if not spots:
        return name
    spot = rng.choice(spots)
    return name[:spot] + "é" + name[spot + 1 :]


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(name) < 4:
        return name
    spot = rng.randrange(1, len(name) - 1)
    slip = rng.random()
    if slip < 0.4 and name[spot].isalpha() and name[spot + 1].isalpha():
        return name[:spot] + name[spot + 1] + name[spot] + name[spot + 2 :]
    if slip < 0.7:
        return name[:spot] + name[spot + 1 :]
    return name[:spot] + name[spot] + name[spot:]


def given_name_variant(given: str, rng: random.Random) -> str:
    if given in COMPOUND_GIVEN_NAMES and rng.random() < 0.7:
        return rng.choice(COMPOUND_GIVEN_NAMES[given])
    folded = fold(given)
    if folded != given and rng.random() < 0.7:
        return folded
    return typo(given, rng) if rng.random() < 0.3 else given


def family_name_variant(family: str, rng: random.Random) -> str:
    folded = fold(family)
    roll = rng.random()
    if folded != family and roll < 0.6:
        return folded
    if folded == family and roll < 0.3:
        return _add_accent(family, rng)
    if roll < 0.55:
        return typo(family, rng)
    if roll < 0.7:
        return family.upper()
    return family


def name_variant(given: str, family: str, rng: random.Random) -> tuple[str, str]:
    """The name as another source recorded it; it differs from the original when it can."""
    for _attempt in range(4):
        variant = given_name_variant(given, rng), family_name_variant(family, rng)
        if variant != (given, family):
            return variant
    return given, typo(family, rng)
