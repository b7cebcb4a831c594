"""Finding a person by name or by any identifier, typed however the employee types it.

A query is read both ways at once: as words of a name (accent- and case-insensitive, each
word matching the start of a word of the name) and, when it parses as one, as an
identifier (an email, a French or international phone number, a handle with "@" or a
profile address, a customer or loyalty number). Exact identifier matches rank first, then
exact full names, then names whose words all start with the query's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, When

from socius.people.models import Identifier, IdentifierKind, Person
from socius.people.names import fold
from socius.people.normalize import InvalidIdentifier, normalize_identifier

SEARCH_LIMIT = 20
MAX_LIMIT = 100
PREVIEW_SIZE = 3
_SOCIAL_KINDS = (
    IdentifierKind.FACEBOOK,
    IdentifierKind.INSTAGRAM,
    IdentifierKind.X,
    IdentifierKind.LINKEDIN,
)
_CODE_KINDS = (
    IdentifierKind.CUSTOMER_NUMBER,
    IdentifierKind.LOYALTY_CARD,
    IdentifierKind.EMPLOYEE_NUMBER,
)
_WORD_SEPARATORS = re.compile(r"[\s-]+")

Key = tuple[str, str]


@dataclass(frozen=True)
class SearchHit:
    person: Person
    matched: Literal["identifier", "name"] | None
    identifiers: list[Identifier]


def identifier_keys(query: str) -> list[Key]:
    """Every (kind, normalized value) the query could be, in the formats people type."""
    text = query.strip()
    keys: list[Key] = []

    def attempt(kind: str) -> None:
        try:
            key = (kind, normalize_identifier(kind, text).value)
        except InvalidIdentifier:
            return
        if key not in keys:
            keys.append(key)

    if "@" in text[1:] and not text.startswith("@"):
        attempt(IdentifierKind.EMAIL)
    elif text.startswith("@") or "/" in text:
        for kind in _SOCIAL_KINDS:
            attempt(kind)
    if any(character.isdigit() for character in text):
        attempt(IdentifierKind.PHONE)
        for kind in _CODE_KINDS:
            attempt(kind)
        # WhatsApp numbers are phone numbers: the same E.164 value names the same human.
        keys += [(IdentifierKind.WHATSAPP, v) for k, v in keys if k == IdentifierKind.PHONE]
    return keys


def name_words(query: str) -> list[str]:
    return [word for word in _WORD_SEPARATORS.split(fold(query)) if word]


def _live_persons() -> QuerySet[Person]:
    return Person.objects.filter(merged_into__isnull=True, erased_at__isnull=True)


def _with_preview(persons: QuerySet[Person]) -> QuerySet[Person]:
    return persons.prefetch_related(
        Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "value"))
    )


def _keys_condition(keys: list[Key]) -> Q:
    condition = Q()
    for kind, value in keys:
        condition |= Q(kind=kind, value=value)
    return condition


def _name_condition(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= (
            Q(search_name__startswith=word)
            | Q(search_name__contains=f" {word}")
            | Q(search_name__contains=f"-{word}")
        )
    return condition


def _preview(person: Person, keys: list[Key]) -> list[Identifier]:
    # The identifier that matched comes first: it is why the person is in the list.
    rows = list(person.identifiers.all())
    rows.sort(key=lambda row: (row.kind, row.value) not in keys)
    return rows[:PREVIEW_SIZE]


def person_search(query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Live persons matching the query, best first, in two queries (persons, identifiers)."""
    limit = max(1, min(limit, MAX_LIMIT))
    keys = identifier_keys(query)
    words = name_words(query)
    if not keys and not words:
        return []
    matches = Q(pk__in=[])  # matches nothing, so each reading below widens it
    rank_cases = []
    if keys:
        matched_identifier = Exists(
            Identifier.objects.filter(_keys_condition(keys), person=OuterRef("pk"))
        )
        matches |= Q(matched_identifier)
        rank_cases.append(When(matched_identifier, then=0))
    if words:
        matches |= _name_condition(words)
        rank_cases.append(When(search_name=fold(query), then=1))
    persons = (
        _live_persons()
        .filter(matches)
        .annotate(rank=Case(*rank_cases, default=2, output_field=IntegerField()))
        .order_by("rank", "search_name", "pk")
    )
    hits = []
    for person in _with_preview(persons)[:limit]:
        rank = getattr(person, "rank", 2)
        matched: Literal["identifier", "name"] = "identifier" if rank == 0 else "name"
        hits.append(SearchHit(person, matched, _preview(person, keys)))
    return hits


def person_recent(limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """The newest live persons, for the search page before anything is typed."""
    persons = _live_persons().order_by("-created_at", "-pk")
    return [
        SearchHit(person, None, _preview(person, [])) for person in _with_preview(persons)[:limit]
    ]
