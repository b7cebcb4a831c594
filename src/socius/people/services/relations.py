"""Relations between persons: friend, invited by, colleague, family, works at."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import Conflict, Forbidden, InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import Person, Relation, RelationKind

# These read the same both ways: "A friend of B" is "B friend of A", so either row is a twin.
SYMMETRIC_KINDS = frozenset({RelationKind.FRIEND, RelationKind.COLLEAGUE, RelationKind.FAMILY})

register_verbs({"person.relation_added": _("Relation added")})


class RelationToSelf(InvalidInput):
    code = "relation_to_self"
    default_message = _("A person cannot be related to themselves.")


class RelationExists(Conflict):
    code = "relation_exists"
    default_message = _("These two persons are already related this way.")


class RelationKindUnknown(InvalidInput):
    code = "relation_kind_unknown"
    default_message = _("This kind of relation does not exist.")


class RelationToInactivePerson(Conflict):
    code = "relation_to_inactive_person"
    default_message = _("One of these persons was merged away or erased.")


def _check(person: Person, other: Person, kind: str, actor: User) -> None:
    if not actor.can(Capability.EDIT_PEOPLE):
        raise Forbidden()
    if kind not in RelationKind.values:
        raise RelationKindUnknown(details={"field": "kind", "allowed": list(RelationKind.values)})
    if person.pk == other.pk:
        raise RelationToSelf(details={"field": "other"})
    if not person.is_live or not other.is_live:
        raise RelationToInactivePerson(details={"person": person.pk, "other": other.pk})
    twins = Relation.objects.filter(person=person, other=other, kind=kind)
    if kind in SYMMETRIC_KINDS:
        twins = Relation.objects.filter(
            Q(person=person, other=other) | Q(person=other, other=person), kind=kind
        )
    if twins.exists():
        raise RelationExists(details={"kind": kind, "other": other.pk})


@transaction.atomic
def relation_add(*, person: Person, other: Person, kind: str, actor: User) -> Relation:
    """Relate ``person`` to ``other`` ("person invited by other"); both timelines show it."""
    _check(person, other, kind, actor)
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                person=person, other=other, kind=kind, source="employee"
            )
    except IntegrityError:  # added concurrently by someone else
        raise RelationExists(details={"kind": kind, "other": other.pk}) from None
    for subject, counterpart, direction in (
        (person, other, "outgoing"),
        (other, person, "incoming"),
    ):
        activity_append(
            ActivityDraft(
                verb="person.relation_added",
                actor_id=actor.pk,
                person_id=subject.pk,
                department_id=actor.department_id,
                about=ActivityObject.of(relation),
                summary=str(counterpart.display_name),
                payload={"kind": kind, "direction": direction, "other_id": counterpart.pk},
            )
        )
    return relation


@transaction.atomic
def relation_record(*, person: Person, other: Person, kind: str, source: str) -> Relation | None:
    """Record a relation a system observed ("friend invited by organiser" when joining a
    group), without an employee: idempotent, so a second observation changes nothing.
    Returns the relation, or None when it cannot hold (same or inactive person)."""
    if kind not in RelationKind.values:
        raise RelationKindUnknown(details={"field": "kind", "allowed": list(RelationKind.values)})
    if person.pk == other.pk or not person.is_live or not other.is_live:
        return None
    existing = Relation.objects.filter(person=person, other=other, kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            relation = Relation.objects.create(person=person, other=other, kind=kind, source=source)
    except IntegrityError:  # recorded concurrently: once is enough
        return Relation.objects.filter(person=person, other=other, kind=kind).first()
    for subject, counterpart, direction in (
        (person, other, "outgoing"),
        (other, person, "incoming"),
    ):
        activity_append(
            ActivityDraft(
                verb="person.relation_added",
                person_id=subject.pk,
                about=ActivityObject.of(relation),
                channel=source,
                summary=str(counterpart.display_name),
                payload={"kind": kind, "direction": direction, "other_id": counterpart.pk},
            )
        )
    return relation
