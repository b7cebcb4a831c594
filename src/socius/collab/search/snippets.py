"""Snippets: the passage of a text around the words searched, with those words marked.

The text is the user's: it is reduced to plain text, escaped piece by piece, and only the
``<mark>`` tags added here are markup, so no HTML written by a colleague ever comes through.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from socius.collab.search.query import Term, fold
from socius.core.markdown import render_markdown

SNIPPET_LENGTH = 220
LEAD = 60  # characters of context shown before the first match

_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """What a reader sees of a Markdown text, without its markup."""
    rendered = str(render_markdown(markdown))
    return _SPACES.sub(" ", html.unescape(nh3.clean(rendered, tags=set()))).strip()


def _matches(word: str, terms: Sequence[Term]) -> bool:
    folded = fold(word)
    for term in terms:
        prefixes = [term.folded, term.english_stem, term.french_prefix or term.folded]
        if any(folded.startswith(prefix) for prefix in prefixes if len(prefix) >= 2):
            return True
    return False


def highlight(text: str, terms: Sequence[Term], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """An escaped excerpt of ``text`` starting shortly before its first matching word."""
    spans = [m.span() for m in _WORD.finditer(text) if _matches(m.group(), terms)]
    start = max(0, spans[0][0] - LEAD) if spans else 0
    if start:
        boundary = text.find(" ", start)
        start = boundary + 1 if 0 <= boundary < spans[0][0] else start
    end = min(len(text), start + length)
    pieces: list[str] = ["…"] if start else []
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of user text is escaped
