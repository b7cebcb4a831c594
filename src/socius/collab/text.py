"""What a post's text refers to: ``@mentions`` and ``#topics``, found and linked.

Both are read by one Markdown parser, so what is recorded when a post is saved is exactly
what is linked when it is shown: nothing inside code spans, code blocks or link labels,
and never the middle of an email address or of a URL.

- ``@marie.durand`` names a colleague by the local part of their email address, and
  ``@service-client`` a department by its slug (a colleague wins if both exist).
- ``#word`` (letters, digits, ``-`` and ``_``, at least one letter) names a topic; its slug
  folds case and accents, so ``#Noël`` and ``#noel`` are one topic.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from socius.core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    render_markdown,
)

MAX_REFERENCES = 50  # beyond this a text is a mailing list, not a conversation
TOPIC_MAX_LENGTH = 64

HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
TOPIC = re.compile(r"[\w-]+")
# A mention or a topic starts a word: "marie@example.com" and "page/#part" are neither.
_NOT_BEFORE = re.compile(r"[\w&/#@.+-]")


@dataclass
class References:
    """The handles and topics a text names, in the order first written."""

    handles: list[str] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)  # slug -> name as first written


@dataclass(frozen=True)
class Links:
    """Where the references of one text point; what is not here stays plain text."""

    people: dict[str, int] = field(default_factory=dict)  # handle -> user id
    departments: dict[str, str] = field(default_factory=dict)  # slug -> URL of its space
    topics: frozenset[str] = frozenset()  # topic slugs recorded on the post


def topic_slug(word: str) -> str:
    return slugify(word) or slugify(word, allow_unicode=True)


def _starts_a_word(state: StateInline) -> bool:
    return state.pos == 0 or not _NOT_BEFORE.match(state.src[state.pos - 1])


def _push_link(state: StateInline, href: str, text: str, css_class: str) -> None:
    opening = state.push("link_open", "a", 1)
    opening.attrs = {"href": href, "class": css_class}
    state.push("text", "", 0).content = text
    state.push("link_close", "a", -1)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@" or state.linkLevel > 0 or not _starts_a_word(state):
        return False
    match = HANDLE.match(state.src, state.pos + 1, state.posMax)
    if match is None:
        return False
    handle = match.group(0).lower()
    env: MutableMapping[str, Any] = state.env
    references: References | None = env.get("collect")
    links: Links | None = env.get("links")
    if references is not None:
        if silent:  # scanning a link label: its text is not a mention
            return False
        if handle not in references.handles and len(references.handles) < MAX_REFERENCES:
            references.handles.append(handle)
        return False  # collecting: leave the text as it is
    if links is None:
        return False
    if handle in links.people:
        href, css_class = f"/collab/people/{links.people[handle]}/", "mention"
    elif handle in links.departments:
        href, css_class = links.departments[handle], "mention mention--department"
    else:
        return False
    if not silent:
        _push_link(state, href, "@" + match.group(0), css_class)
    state.pos = match.end()
    return True


def _topic_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#" or state.linkLevel > 0 or not _starts_a_word(state):
        return False
    match = TOPIC.match(state.src, state.pos + 1, state.posMax)
    if match is None:
        return False
    word = match.group(0).strip("-_")
    if not any(char.isalpha() for char in word) or len(word) > TOPIC_MAX_LENGTH:
        return False
    slug = topic_slug(word)
    if not slug:
        return False
    env: MutableMapping[str, Any] = state.env
    references: References | None = env.get("collect")
    links: Links | None = env.get("links")
    if references is not None:
        if not silent and len(references.topics) < MAX_REFERENCES:
            references.topics.setdefault(slug, word)
        return False
    if links is None or slug not in links.topics:
        return False
    if not silent:
        _push_link(state, f"/collab/topics/{slug}/", "#" + match.group(0), "topic")
    state.pos = match.end()
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # The same options as the core renderer: raw HTML is escaped, never passed through.
    parser = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    ).enable(["table", "strikethrough"])
    parser.inline.ruler.before("emphasis", "collab_mention", _mention_rule)
    parser.inline.ruler.before("emphasis", "collab_topic", _topic_rule)
    return parser


def references_in(text: str) -> References:
    references = References()
    _parser().parse(text or "", {"collect": references})
    return references


def render_with_links(text: str, links: Links | None) -> SafeString:
    """The Markdown as sanitized HTML, with its known mentions and topics as links."""
    if links is None or not (links.people or links.departments or links.topics):
        return render_markdown(text)
    html = _parser().render(text or "", {"links": links})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, "a": ALLOWED_ATTRIBUTES["a"] - {"class"}},
        allowed_classes={"a": {"mention", "mention--department", "topic"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
