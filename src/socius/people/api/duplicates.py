"""Duplicate detection and the review queue: runs, suggestions, decisions, bulk merges."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from socius.accounts.api_auth import TokenAuth, api_user
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.people.models import DetectionRun, DuplicateSuggestion, Person
from socius.people.schemas_duplicates import (
    DecisionIn,
    DetectionRunOut,
    MergeAboveIn,
    MergeAboveOut,
    SuggestionListIn,
    SuggestionOut,
    SuggestionPageOut,
)
from socius.people.selectors.merges import suggestion_get_for_employee, suggestion_list_for_employee
from socius.people.services.detection import detection_run_request
from socius.people.services.suggestion_decisions import suggestion_decide, suggestions_merge_above

router = Router()


def _reviewer(request: Any) -> Any:
    user = api_user(request)
    if not user.can(Capability.EDIT_PEOPLE):
        raise NotFound()
    return user


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "display_name": person.display_name,
        "birth_date": person.birth_date,
        "address": person.address,
        "postcode": person.postcode,
        "city": person.city,
    }


def _suggestion(suggestion: DuplicateSuggestion) -> dict[str, Any]:
    return {
        "id": suggestion.pk,
        "status": suggestion.status,
        "origin": suggestion.origin,
        "probability": suggestion.probability,
        "reason": suggestion.reason,
        "person_a": _person(suggestion.person_a),
        "person_b": _person(suggestion.person_b),
        "evidence": suggestion.evidence,
        "created_at": suggestion.created_at,
        "decided_at": suggestion.decided_at,
    }


@router.post("/duplicates/run", response={202: DetectionRunOut}, auth=TokenAuth("people:write"))
def detection_run(request: Any) -> Status[DetectionRun]:
    """Queue a detection over every live person; 409 while one waits or runs."""
    user = _reviewer(request)
    return Status(202, detection_run_request(actor=user, trigger=DetectionRun.Trigger.API))


@router.get("/duplicates/runs/{run_id}", response=DetectionRunOut, auth=TokenAuth("people:read"))
def detection_run_detail(request: Any, run_id: int) -> DetectionRun:
    _reviewer(request)
    run = DetectionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run


@router.get("/duplicates", response=SuggestionPageOut, auth=TokenAuth("people:read"))
def suggestion_list(request: Any, query: Query[SuggestionListIn]) -> dict[str, Any]:
    """Suggestions in one status, newest first, with their evidence; keyset pages."""
    page = suggestion_list_for_employee(
        user=_reviewer(request),
        status=query.status,
        cursor=query.cursor,
        min_probability=query.min_probability,
    )
    return {
        "items": [_suggestion(row.suggestion) for row in page.rows],
        "next_cursor": page.next_cursor,
    }


@router.post("/duplicates/merge-above", response=MergeAboveOut, auth=TokenAuth("people:write"))
def suggestion_merge_above(request: Any, data: MergeAboveIn) -> dict[str, Any]:
    """Accept every open suggestion at or above a probability (reversible merges)."""
    outcome = suggestions_merge_above(
        min_probability=data.min_probability, actor=_reviewer(request), limit=data.limit
    )
    return {
        "merged": outcome.merged,
        "refused": [
            {"suggestion": pk, "code": code, "message": message}
            for pk, code, message in outcome.refused
        ],
        "remaining": outcome.remaining,
    }


@router.get("/duplicates/{suggestion_id}", response=SuggestionOut, auth=TokenAuth("people:read"))
def suggestion_detail(request: Any, suggestion_id: int) -> dict[str, Any]:
    suggestion = suggestion_get_for_employee(user=_reviewer(request), suggestion_id=suggestion_id)
    return _suggestion(suggestion)


@router.post(
    "/duplicates/{suggestion_id}/decide", response=SuggestionOut, auth=TokenAuth("people:write")
)
def suggestion_decide_endpoint(
    request: Any, suggestion_id: int, data: DecisionIn
) -> dict[str, Any]:
    """merge (the newer record into the older, reversible), distinct (never again), later."""
    user = _reviewer(request)
    suggestion = suggestion_get_for_employee(user=user, suggestion_id=suggestion_id)
    suggestion = suggestion_decide(suggestion=suggestion, decision=data.decision, actor=user)
    return _suggestion(
        DuplicateSuggestion.objects.select_related("person_a", "person_b").get(pk=suggestion.pk)
    )
