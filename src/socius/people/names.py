"""Folding and comparing personal names, for search and for spotting contradictions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_LETTER = re.compile(r"[^a-z\s-]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no accents, letters, spaces and hyphens only: "Lefèvre" -> "lefevre"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_text)).strip()


def search_name(given_name: str, family_name: str) -> str:
    return fold(f"{given_name} {family_name}")


def _parts(name: str) -> list[str]:
    return [part for part in re.split(r"[\s-]+", fold(name)) if part]


@lru_cache(maxsize=16_384)
def given_names_compatible(first: str, second: str) -> bool:
    """Whether two given names may belong to one human.

    "Jean-Pierre", "Jean Pierre", "jean-pierre", "JP", "J.-P." and "Jean" are compatible;
    "Jean" and "Marie" are not. A missing name contradicts nothing. Pure, and asked about
    the same pairs of names again and again at ingestion: recent answers are remembered.
    """
    left, right = _parts(first), _parts(second)
    if not left or not right:
        return True
    if _is_typo("".join(left), "".join(right)):
        return True
    fewer, more = sorted((left, right), key=lambda parts: (len(parts), sum(map(len, parts))))
    # "J. Pierre" ~ "Jean Pierre" ~ "Jean": each part abbreviates the matching part.
    if all(_abbreviates(a, b) for a, b in zip(fewer, more, strict=False)):
        return len(fewer) == len(more) or all(len(a) > 1 for a in fewer)
    # "JP" ~ "Jean-Pierre": one part made of the other's initials.
    initials = "".join(part[0] for part in more)
    return len(fewer) == 1 and len(fewer[0]) > 1 and initials.startswith(fewer[0])


def _is_typo(first: str, second: str) -> bool:
    """One slip of the keyboard (a letter wrong, missing, extra or two swapped) in a name of
    four letters or more: "Davdi" is David, "Lucsa" is Lucas; "Jean" is not "Jeanne"."""
    if min(len(first), len(second)) < 4 or abs(len(first) - len(second)) > 1:
        return False
    short, long = sorted((first, second), key=len)
    if long == short + "e":  # Louis and Louise, Simon and Simone: two people, not a slip
        return False
    return _edit_distance(first, second) <= 1


def _edit_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) between two short strings."""
    previous_row: list[int] = []
    row = list(range(len(second) + 1))
    for i, left in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, right in enumerate(second, start=1):
            cost = 0 if left == right else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and left == second[j - 2] and first[i - 2] == right:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def _abbreviates(first: str, second: str) -> bool:
    """ "J" or "Alex" may stand for "Jean" or "Alexandre"; "Jean" is not short for "Jeanne"
    nor "Louis" for "Louise": feminine forms differ by a letter or two."""
    short, long = sorted((first, second), key=len)
    if not long.startswith(short):
        return False
    return short == long or len(short) == 1 or len(long) - len(short) >= 3
