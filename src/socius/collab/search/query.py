"""What a typed query means to the search: its words, folded and stemmed, never its syntax.

Only runs of letters and digits are kept, so quotes, ``*``, ``-``, parentheses, ``NEAR``
or ``AND`` typed by a colleague are plain words or nothing: each backend then quotes the
words for its own query language, and no input can change a query's structure.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer  # type: ignore[import-untyped]  # no type information published
from django.utils.translation import gettext_lazy as _

from socius.core.errors import InvalidInput

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MIN_TERM_LENGTH = 2
# A French stem shorter than this matches too many words to be worth a prefix search.
MIN_PREFIX_LENGTH = 4

_WORD = re.compile(r"[^\W_]+")

# Words too common to narrow anything; they are dropped unless nothing else is left.
_STOP_WORDS_TEXT = """
    au aux avec ce ces dans de des du elle en et il ils je la le les leur lui ma mais me mes
    moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous est sont été être avoir
    a an and are as at be by for from has have in is it its of on or that the this to was
    were will with
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


class QueryTooShort(InvalidInput):
    code = "query_too_short"
    default_message = _("Type at least two letters to search.")


@dataclass(frozen=True)
class Term:
    """One word of the query: as typed (lowercase), without accents, and its stems."""

    word: str
    folded: str
    french_stem: str
    english_stem: str

    @property
    def french_prefix(self) -> str | None:
        """The French stem to search as a prefix, when long enough to be selective."""
        return self.french_stem if len(self.french_stem) >= MIN_PREFIX_LENGTH else None


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...]


def fold(text: str) -> str:
    """Lowercase without accents: "Réunion" and "reunion" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_stemmers = threading.local()  # Snowball stemmers keep state: one per thread


def _stem(language: str, word: str) -> str:
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, stemmer)
    return fold(str(stemmer.stemWord(word)))


def term_of(word: str) -> Term:
    lowered = word.lower()
    return Term(
        word=lowered,
        folded=fold(lowered),
        french_stem=_stem("french", lowered),
        english_stem=_stem("english", lowered),
    )


def parse_query(text: str | None) -> SearchQuery:
    """The query's words, or ``QueryTooShort`` when nothing searchable is left."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) >= MIN_TERM_LENGTH and word not in words:
            words.append(word)
    meaningful = [word for word in words if word not in STOP_WORDS] or words
    if not meaningful:
        raise QueryTooShort(details={"field": "q", "min_length": MIN_TERM_LENGTH})
    return SearchQuery(text=text, terms=tuple(term_of(word) for word in meaningful[:MAX_TERMS]))
