"""Read API of persons: search, the whole record, and the timeline."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router

from socius.accounts.api_auth import TokenAuth, api_user
from socius.core.models import Activity
from socius.people.schemas_persons import (
    PeopleSearchIn,
    PersonOut,
    PersonSearchHitOut,
    TimelinePageOut,
    TimelineQueryIn,
)
from socius.people.selectors.card import (
    person_card,
    person_consents,
    person_departments_seen,
    person_relations,
)
from socius.people.selectors.person import person_get_for_employee
from socius.people.selectors.search import person_search
from socius.people.selectors.timeline import timeline_page

router = Router()
READ = TokenAuth("people:read")
_IDENTITY = (  # the profile fields, as stored
    "id",
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "postcode",
    "city",
    "locale",
    "created_at",
)


def people_search(request: Any, query: Query[PeopleSearchIn]) -> list[dict[str, Any]]:
    """Persons by name or by any identifier in any format, best match first."""
    return [
        {
            "id": hit.person.pk,
            "display_name": hit.person.display_name,
            "matched": hit.matched,
            "identifiers": hit.identifiers,
        }
        for hit in person_search(query.q, limit=query.limit)
    ]


def add_search_route(parent: Router) -> None:
    """Answer ``GET /api/v1/people`` on the parent router: a child router mounted at ""
    would answer at ``/api/v1/people/`` only (ninja joins the prefixes with a slash)."""
    parent.add_api_operation(
        "",
        ["GET"],
        people_search,
        response=list[PersonSearchHitOut],
        auth=READ,
        summary="Search people",
    )


@router.get("/{person_id}", response=PersonOut, auth=READ)
def person_read(request: Any, person_id: int) -> dict[str, Any]:
    person = person_get_for_employee(user=api_user(request), person_id=person_id)
    consents = person_consents(person)
    return {
        **{field: getattr(person, field) for field in _IDENTITY},
        "identifiers": person_card(person).identifiers,
        "consents": consents.states(),
        "consent_history": consents.history,
        "relations": [
            {
                "kind": line.kind,
                "direction": line.direction,
                "person_id": line.other.pk,
                "display_name": line.other.display_name,
            }
            for line in person_relations(person)
        ],
        "departments_seen": person_departments_seen(person),
    }


@router.get("/{person_id}/timeline", response=TimelinePageOut, auth=READ)
def person_timeline(request: Any, person_id: int, query: Query[TimelineQueryIn]) -> dict[str, Any]:
    """The person's entries, newest first; pass ``next_cursor`` back as ``cursor``."""
    person = person_get_for_employee(user=api_user(request), person_id=person_id)
    page = timeline_page(
        person,
        query.cursor,
        department=query.department,
        channel=query.channel,
        kind=query.kind,
        size=query.size,
    )
    return {"items": [_timeline_item(a) for a in page.items], "next_cursor": page.next_cursor}


def _timeline_item(activity: Activity) -> dict[str, Any]:
    actor = activity.actor
    return {
        "id": activity.pk,
        "occurred_at": activity.occurred_at,
        "verb": activity.verb,
        "summary": activity.summary,
        "channel": activity.channel,
        "department": activity.department.slug if activity.department else None,
        "visibility": activity.visibility,
        "actor": {"id": actor.pk, "name": actor.full_name} if actor else None,
        "payload": activity.payload,
    }
