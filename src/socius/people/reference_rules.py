"""Rows that must stay on an absorbed tombstone because the survivor already has them."""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from socius.people.models import Identifier, Relation


def identifiers_already_on_survivor(rows: QuerySet[Model], survivor_id: int) -> QuerySet[Model]:
    twin = Identifier.objects.filter(
        person_id=survivor_id, kind=OuterRef("kind"), value=OuterRef("value")
    )
    return rows.filter(Exists(twin))


def relations_already_on_survivor(rows: QuerySet[Model], survivor_id: int) -> QuerySet[Model]:
    twin = Relation.objects.filter(
        person_id=survivor_id, other=OuterRef("other"), kind=OuterRef("kind")
    )
    return rows.filter(Q(other_id=survivor_id) | Q(Exists(twin)))


def inverse_relations_already_on_survivor(
    rows: QuerySet[Model], survivor_id: int
) -> QuerySet[Model]:
    twin = Relation.objects.filter(
        person=OuterRef("person"), other_id=survivor_id, kind=OuterRef("kind")
    )
    return rows.filter(Q(person_id=survivor_id) | Q(Exists(twin)))
