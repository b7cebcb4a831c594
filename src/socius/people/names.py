"""Folding and comparing personal names, for search and for spotting contradictions."""

from __future__ import annotations

import re
import unicodedata

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


def given_names_compatible(first: str, second: str) -> bool:
    """Whether two given names may belong to one human.

    "Jean-Pierre", "Jean Pierre", "jean-pierre", "JP", "J.-P." and "Jean" are compatible;
    "Jean" and "Marie" are not. A missing name contradicts nothing.
    """
    left, right = _parts(first), _parts(second)
    if not left or not right:
        return True
    fewer, more = sorted((left, right), key=lambda parts: (len(parts), sum(map(len, parts))))
    # "J. Pierre" ~ "Jean Pierre" ~ "Jean": each part abbreviates the matching part.
    if all(a.startswith(b) or b.startswith(a) for a, b in zip(fewer, more, strict=False)):
        return len(fewer) == len(more) or all(len(a) > 1 for a in fewer)
    # "JP" ~ "Jean-Pierre": one part made of the other's initials.
    initials = "".join(part[0] for part in more)
    return len(fewer) == 1 and len(fewer[0]) > 1 and initials.startswith(fewer[0])
