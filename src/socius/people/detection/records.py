"""The persons as the matcher reads them: one flat, folded row per live person.

Folding happens here, once, so that the batch pipeline (Splink, on DuckDB or Spark) and
the check at ingestion (``incremental.py``) compare exactly the same strings: no accents,
lower case, particles and punctuation out of family names, street-type abbreviations
spelt out, phones as their last nine digits, emails as their local part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from django.db.models import Q

from socius.people.models import Identifier, IdentifierKind, Person
from socius.people.names import fold

COLUMNS = (
    "unique_id",
    "given_name",
    "given_initials",
    "family_name",
    "birth_date",
    "street_number",
    "street",
    "postcode",
    "city",
    "phone",
    "email_local",
)

# A leading particle written apart is often dropped: "de La Fontaine", "La Fontaine".
_LEADING_PARTICLES = {"de", "d", "du", "des", "van", "von"}
_STREET_WORDS = {
    "r": "rue",
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "ch": "chemin",
    "che": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "sq": "square",
    "fg": "faubourg",
    "st": "saint",
    "ste": "sainte",
    "qu": "quai",
    "crs": "cours",
    "res": "residence",
    "lot": "lotissement",
}
_NUMBER_FIRST = re.compile(r"^(\d+)\s*(bis|ter|quater|[a-d])?\b\s*,?\s*(.*)$")
_NOT_DIGIT = re.compile(r"\D")
_SEPARATORS = re.compile(r"[._-]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# Names and cities repeat a lot across a base: folding each distinct value once is most of
# what reading the persons costs. Bounded, as a long-lived worker keeps it.
_KEY_CACHE = 50_000


@dataclass(frozen=True)
class PersonRecord:
    unique_id: int
    given_name: str | None
    given_initials: str | None
    family_name: str | None
    birth_date: str | None
    street_number: str | None
    street: str | None
    postcode: str | None
    city: str | None
    phone: str | None
    email_local: str | None

    def as_row(self) -> dict[str, Any]:
        # What dataclasses.asdict gives for these flat fields, without its recursive copy
        # (a third of the time of reading 100k persons).
        return {name: getattr(self, name) for name in _RECORD_FIELDS}


_RECORD_FIELDS = tuple(item.name for item in fields(PersonRecord))


@lru_cache(maxsize=_KEY_CACHE)
def given_key(given_name: str) -> str | None:
    """ "Jean-Pierre" -> "jean pierre"; "J.-P." -> "j p"."""
    return " ".join(fold(given_name).replace("-", " ").split()) or None


@lru_cache(maxsize=_KEY_CACHE)
def family_key(family_name: str) -> str | None:
    """Words joined, a leading particle written apart dropped: "de La Fontaine", "La
    Fontaine" and "Lafontaine" -> "lafontaine"; "Le Goff" -> "legoff"; "Martin-Dupont" ->
    "martindupont" (which Jaro-Winkler still finds close to "martin")."""
    parts = [p for p in re.split(r"[\s-]+", fold(family_name)) if p]
    if len(parts) > 1 and parts[0] in _LEADING_PARTICLES:
        parts = parts[1:]
    return "".join(parts) or None


def address_keys(address: str) -> tuple[str | None, str | None]:
    """ "12 r. des Lilas" -> ("12", "rue des lilas"); "12bis, avenue Foch" -> ("12bis", ...)."""
    text = _fold_keeping_digits(address)
    number = None
    match = _NUMBER_FIRST.match(text)
    if match:
        number = match.group(1) + (match.group(2) or "")
        text = match.group(3)
    words = [_STREET_WORDS.get(word, word) for word in text.split()]
    return number, " ".join(words) or None


def _fold_keeping_digits(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NOT_ALNUM.sub(" ", plain).split())


@lru_cache(maxsize=_KEY_CACHE)
def city_key(city: str) -> str | None:
    words = [_STREET_WORDS.get(word, word) for word in fold(city).replace("-", " ").split()]
    return " ".join(words) or None


def phone_key(value: str) -> str | None:
    """The last nine digits: "+33 6 12 34 56 78" and "06 12 34 56 78" read alike."""
    digits = _NOT_DIGIT.sub("", value)
    return digits[-9:] if len(digits) >= 6 else None


def email_local_key(value: str, given_name: str = "", family_name: str = "") -> str | None:
    """The local part without separators ("JP.Lefevre75+shop@…" -> "jplefevre75"): people
    vary the separators from one address to the next, not the rest.

    A local part made of nothing but the person's names and initials ("jean.dupont",
    "jdupont") says again what the names say, and namesakes share it: it is left out.
    """
    local = _SEPARATORS.sub("", value.rsplit("@", 1)[0].lower().split("+", 1)[0])
    if not local:
        return None
    words = [w for w in re.split(r"[\s-]+", f"{fold(given_name)} {fold(family_name)}") if w]
    rest = local
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "", 1)
    for word in words:  # initials: "jdupont", "jpdupont"
        if rest.startswith(word[0]):
            rest = rest[1:]
    return local if rest else None


def record_of(
    person_id: int,
    *,
    given_name: str,
    family_name: str,
    birth_date: date | None,
    address: str,
    postcode: str,
    city: str,
    phone: str | None = None,
    email: str | None = None,
) -> PersonRecord:
    number, street = address_keys(address)
    given = given_key(given_name)
    return PersonRecord(
        unique_id=person_id,
        given_name=given,
        given_initials="".join(part[0] for part in given.split()) if given else None,
        family_name=family_key(family_name),
        birth_date=birth_date.isoformat() if birth_date else None,
        street_number=number,
        street=street,
        postcode=postcode.replace(" ", "").upper() or None,
        city=city_key(city),
        phone=phone_key(phone) if phone else None,
        email_local=email_local_key(email, given_name, family_name) if email else None,
    )


_PERSON_FIELDS = ("pk", "given_name", "family_name", "birth_date", "address", "postcode", "city")
_LIVE_FIELDS = ("merged_into_id", "erased_at")
_CONTACT_KINDS = (IdentifierKind.PHONE, IdentifierKind.EMAIL)


def person_records(
    person_ids: Iterable[int] | None = None, chunk: int = 5000
) -> Iterator[PersonRecord]:
    """Live persons (not merged away, not erased), with their first phone and email.

    Persons are read in primary-key chunks: two queries per chunk, whatever the base's size.
    """
    if person_ids is not None:
        yield from _records_of_ids(sorted(set(person_ids)), chunk)
        return
    persons = Person.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    last = 0
    while True:
        rows = list(persons.filter(pk__gt=last).order_by("pk").values_list(*_PERSON_FIELDS)[:chunk])
        if not rows:
            return
        last = rows[-1][0]
        # The chunk is a run of consecutive keys: a range reads their identifiers without
        # binding thousands of parameters (the few merged or erased persons in it add rows
        # nobody asks for). The kinds are left to Python: in the query, they would lead
        # SQLite to the (kind, value) index, every phone and email of the base.
        contacts = _first_contacts(Q(person_id__gte=rows[0][0], person_id__lte=last))
        yield from _records(rows, contacts)


def _records_of_ids(ids: list[int], chunk: int) -> Iterator[PersonRecord]:
    # Looked up by key only, live or not, then filtered here: with the live conditions in
    # the query, SQLite (which has no statistics unless ANALYZE ran) walks the whole
    # merged_into index instead of fetching the few keys asked for.
    for start in range(0, len(ids), chunk):
        rows = [
            row[: len(_PERSON_FIELDS)]
            for row in Person.objects.filter(pk__in=ids[start : start + chunk])
            .order_by("pk")
            .values_list(*_PERSON_FIELDS, *_LIVE_FIELDS)
            if row[-2] is None and row[-1] is None
        ]
        if rows:
            # With the kinds, the (person, kind, value) index answers, even on a PostgreSQL
            # table not analysed yet (which scans the whole table for the persons alone).
            persons = Q(person_id__in=[row[0] for row in rows], kind__in=_CONTACT_KINDS)
            yield from _records(rows, _first_contacts(persons))


def _records(
    rows: list[tuple[Any, ...]], contacts: dict[int, tuple[str | None, str | None]]
) -> Iterator[PersonRecord]:
    for pk, given, family, born, address, postcode, city in rows:
        phone, email = contacts.get(pk, (None, None))
        yield record_of(
            pk,
            given_name=given,
            family_name=family,
            birth_date=born,
            address=address,
            postcode=postcode,
            city=city,
            phone=phone,
            email=email,
        )


def _first_contacts(persons: Q) -> dict[int, tuple[str | None, str | None]]:
    found: dict[int, dict[str, str]] = {}
    rows = (
        Identifier.objects.filter(
            persons,
            is_shared=False,  # a household's landline says nothing about who is who
        )
        .order_by("pk")
        .values_list("person_id", "kind", "value")
    )
    for person_id, kind, value in rows:
        if kind in _CONTACT_KINDS:
            found.setdefault(person_id, {}).setdefault(kind, value)
    return {
        pk: (kinds.get(IdentifierKind.PHONE), kinds.get(IdentifierKind.EMAIL))
        for pk, kinds in found.items()
    }
