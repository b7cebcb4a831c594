"""Export of everything held about a person (GDPR art. 15 access, art. 20 portability).

Two audiences read an export:

- ``"controller"``: the company (an administrator, the DPO) answering a request or
  checking what it holds. Everything: the person's own data and interactions, and also
  what employees recorded about them — internal timeline entries, the internal
  discussion, duplicate suggestions, merge reasons, who did what.
- ``"customer"``: the person's own download from the portal. Their data and their
  interactions: profile, identifiers, consents, relations, purchases and other
  interactions, requests, entries shown to them. Internal notes that employees wrote about
  them (timeline entries of internal visibility other than their interactions, the
  internal discussion, suggestions, merge reasons, employees' names) are left out: they
  are the company's working material and the controller export answers a formal request
  for them. A context's rows reach the customer only when its exporter says so.

The records merged into the person (tombstones) are the same human: their profile is
exported and rows still sitting on them are included, each row naming its ``record_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import verb_label
from socius.people.exporters import person_exporters
from socius.people.models import (
    ConsentEntry,
    DuplicateSuggestion,
    Erasure,
    Identifier,
    Interaction,
    Merge,
    Person,
    PersonComment,
    PersonPost,
    PrivacyRequest,
    Relation,
    ResolutionDecision,
)
from socius.people.selectors.privacy import merged_record_ids

Audience = Literal["customer", "controller"]
AUDIENCES = ("customer", "controller")
EXPORT_FORMAT = "socius.person-export.v1"

# The models this export reads itself; contexts' exporters declare theirs (see exporters.py).
EXPORTED_MODELS = frozenset(
    {
        "people.Person",
        "people.Identifier",
        "people.ConsentEntry",
        "people.Relation",
        "people.Interaction",
        "people.ResolutionDecision",
        "people.DuplicateSuggestion",
        "people.PersonPost",
        "people.Merge",
        "people.Erasure",
        "people.PrivacyRequest",
        "core.Activity",
        "accounts.User",
    }
)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": _iso(person.birth_date),
        "address": person.address,
        "postcode": person.postcode,
        "city": person.city,
        "locale": person.locale,
        "created_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
        "last_own_contact_at": _iso(person.last_own_contact_at),
        "merged_into_id": person.merged_into_id,
        "erased_at": _iso(person.erased_at),
    }


def _identifiers(ids: list[int]) -> list[dict[str, Any]]:
    rows = Identifier.objects.filter(person_id__in=ids).order_by("kind", "value", "pk")
    return [
        {
            "record_id": row.person_id,
            "kind": row.kind,
            "value": row.value,
            "as_given": row.raw_value,
            "source": row.source,
            "shared": row.is_shared,
            "first_seen_at": _iso(row.created_at),
            "last_seen_at": _iso(row.last_seen_at),
        }
        for row in rows
    ]


def _consents(ids: list[int], controller: bool) -> dict[str, Any]:
    rows = ConsentEntry.objects.filter(person_id__in=ids).order_by("occurred_at", "pk")
    ledger, current = [], {}
    for row in rows:
        entry = {
            "record_id": row.person_id,
            "purpose": row.purpose,
            "state": row.state,
            "source": row.source,
            "evidence": row.evidence,
            "occurred_at": _iso(row.occurred_at),
            "recorded_at": _iso(row.recorded_at),
        }
        if controller:
            entry["recorded_by_id"] = row.recorded_by_id
        ledger.append(entry)
        current[row.purpose] = row.state  # the latest entry of each purpose wins
    return {"current": current, "ledger": ledger}


def _relations(ids: list[int]) -> list[dict[str, Any]]:
    rows = Relation.objects.filter(Q(person_id__in=ids) | Q(other_id__in=ids)).order_by("pk")
    found = []
    for row in rows:
        outgoing = row.person_id in ids
        found.append(
            {
                "record_id": row.person_id if outgoing else row.other_id,
                "kind": row.kind,
                "direction": "outgoing" if outgoing else "incoming",
                "other_person_id": row.other_id if outgoing else row.person_id,
                "source": row.source,
                "created_at": _iso(row.created_at),
            }
        )
    return found


def _interactions(ids: list[int]) -> list[dict[str, Any]]:
    rows = Interaction.objects.filter(person_id__in=ids).order_by("created_at", "pk")
    return [
        {
            "record_id": row.person_id,
            "source": row.source,
            "external_id": row.external_id,
            "resolution": row.resolution,
            "activity_id": row.activity_id,
            "created_at": _iso(row.created_at),
        }
        for row in rows
    ]


def _decisions(ids: list[int], controller: bool) -> list[dict[str, Any]]:
    rows = ResolutionDecision.objects.filter(person_id__in=ids).order_by("created_at", "pk")
    found = []
    for row in rows:
        decision = {
            "record_id": row.person_id,
            "outcome": row.outcome,
            "reason": row.reason,
            "source": row.source,
            "created_at": _iso(row.created_at),
        }
        if controller:  # the evidence names other persons' identifiers
            decision["evidence"] = row.evidence
        found.append(decision)
    return found


def _timeline(ids: list[int], controller: bool) -> list[dict[str, Any]]:
    rows = Activity.objects.filter(person_id__in=ids).select_related("department", "actor")
    if not controller:
        # The customer's own interactions, and what was shown to them; no internal notes.
        rows = rows.filter(Q(visibility=Visibility.CUSTOMER) | Q(verb__startswith="interaction."))
    entries = []
    for row in rows.order_by("occurred_at", "pk"):
        entry: dict[str, Any] = {
            "id": row.pk,
            "record_id": row.person_id,
            "verb": row.verb,
            "label": verb_label(row.verb),
            "occurred_at": _iso(row.occurred_at),
            "channel": row.channel,
            "department": row.department.name if row.department else None,
            "summary": row.summary,
            "payload": row.payload,
        }
        if controller:
            entry["visibility"] = row.visibility
            entry["actor"] = (
                {"id": row.actor.pk, "name": row.actor.full_name} if row.actor else None
            )
        entries.append(entry)
    return entries


def _merges(ids: list[int], controller: bool) -> list[dict[str, Any]]:
    rows = Merge.objects.filter(Q(survivor_id__in=ids) | Q(absorbed_id__in=ids))
    found = []
    for row in rows.order_by("created_at", "pk"):
        merge: dict[str, Any] = {
            "id": row.pk,
            "survivor_id": row.survivor_id,
            "absorbed_id": row.absorbed_id,
            "created_at": _iso(row.created_at),
            "undone_at": _iso(row.undone_at),
        }
        if controller:
            merge["reason"] = row.reason
            merge["actor_id"] = row.actor_id
            merge["profile_changes"] = row.survivor_before
        found.append(merge)
    return found


def _privacy_requests(ids: list[int]) -> list[dict[str, Any]]:
    rows = PrivacyRequest.objects.filter(person_id__in=ids).order_by("requested_at", "pk")
    return [
        {
            "id": row.pk,
            "kind": row.kind,
            "status": row.status,
            "message": row.message,
            "requested_at": _iso(row.requested_at),
            "handled_at": _iso(row.handled_at),
        }
        for row in rows
    ]


def _erasures(ids: list[int]) -> list[dict[str, Any]]:
    rows = Erasure.objects.filter(person_id__in=ids).order_by("erased_at", "pk")
    return [{"id": row.pk, "reason": row.reason, "erased_at": _iso(row.erased_at)} for row in rows]


def _suggestions(ids: list[int]) -> list[dict[str, Any]]:
    rows = DuplicateSuggestion.objects.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    return [
        {
            "id": row.pk,
            "persons": [row.person_a_id, row.person_b_id],
            "status": row.status,
            "origin": row.origin,
            "reason": row.reason,
            "probability": row.probability,
            "created_at": _iso(row.created_at),
        }
        for row in rows.order_by("created_at", "pk")
    ]


def _discussion(ids: list[int]) -> list[dict[str, Any]]:
    comments = PersonComment.objects.select_related("author").order_by("created_at", "pk")
    posts = (
        PersonPost.objects.filter(person_id__in=ids)
        .select_related("author")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": post.pk,
            "record_id": post.person_id,
            "author": post.author.full_name,
            "body": post.body,
            "created_at": _iso(post.created_at),
            "comments": [
                {
                    "id": comment.pk,
                    "author": comment.author.full_name,
                    "body": comment.body,
                    "created_at": _iso(comment.created_at),
                }
                for comment in post.comments.all()
            ],
        }
        for post in posts
    ]


def _employee_account(person: Person) -> dict[str, Any] | None:
    user = (
        Person.objects.filter(pk=person.pk, user__isnull=False)
        .values("user__pk", "user__email", "user__full_name", "user__role", "user__date_joined")
        .first()
    )
    if user is None:
        return None
    return {
        "id": user["user__pk"],
        "email": user["user__email"],
        "full_name": user["user__full_name"],
        "role": user["user__role"],
        "joined_at": _iso(user["user__date_joined"]),
    }


def person_export_data(*, person: Person, audience: Audience = "controller") -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data (see the module docstring)."""
    if audience not in AUDIENCES:
        raise InvalidInput(details={"field": "audience", "allowed": list(AUDIENCES)})
    controller = audience == "controller"
    ids = merged_record_ids(person=person)
    records = Person.objects.filter(pk__in=ids[1:]).order_by("pk")
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "audience": audience,
        "generated_at": _iso(timezone.now()),
        "person": _profile(person),
        "merged_records": [_profile(record) for record in records] if ids[1:] else [],
        "identifiers": _identifiers(ids),
        "consents": _consents(ids, controller),
        "relations": _relations(ids),
        "interactions": _interactions(ids),
        "resolution_decisions": _decisions(ids, controller),
        "timeline": _timeline(ids, controller),
        "merges": _merges(ids, controller),
        "privacy_requests": _privacy_requests(ids),
        "erasures": _erasures(ids),
    }
    if controller:
        data["duplicate_suggestions"] = _suggestions(ids)
        data["internal_discussion"] = _discussion(ids)
        data["employee_account"] = _employee_account(person)
    data["contexts"] = {
        exporter.name: exporter.export(person) for exporter in person_exporters(audience=audience)
    }
    return data


@transaction.atomic
def person_export(
    *,
    person: Person,
    audience: Audience = "controller",
    actor_id: int | None = None,
    channel: str = "web",
) -> dict[str, Any]:
    """The export, audited: who exported whom, for which audience, lands on the timeline."""
    data = person_export_data(person=person, audience=audience)
    activity_append(
        ActivityDraft(
            verb="person.exported",
            actor_id=actor_id,
            person_id=person.pk,
            about=ActivityObject.of(person),
            channel=channel,
            # The customer sees their own downloads; an employee's export stays internal.
            visibility=Visibility.CUSTOMER if audience == "customer" else Visibility.INTERNAL,
            payload={"audience": audience},
        )
    )
    return data
