"""Merging two persons and undoing it: POST /merge, POST /merges/{id}/undo, GET /merges/{id}."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
from ninja import Router, Status

from socius.accounts.api_auth import TokenAuth, api_user
from socius.people.models import Merge
from socius.people.schemas_merge import MergeIn, MergeOut, MergeRecordOut, MergeUndoOut
from socius.people.selectors.merges import merge_get_for_employee, person_get_for_merge
from socius.people.services.merge import merge_undo, person_merge

router = Router()

REASON_API_MERGE = gettext_noop("Merged by an employee through the API.")


@router.post("/merge", response={201: MergeOut}, auth=TokenAuth("people:write"))
def merge_create(request: Any, data: MergeIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    survivor = person_get_for_merge(user=user, person_id=data.survivor)
    absorbed = person_get_for_merge(user=user, person_id=data.absorbed)
    merge = person_merge(
        survivor=survivor,
        absorbed=absorbed,
        reason=REASON_API_MERGE,
        actor_id=user.pk,
        chosen=data.chosen(),
    )
    moved = {name: len(ids) for name, ids in merge.moved.items()}
    return Status(
        201,
        {
            "merge_id": merge.pk,
            "survivor_id": merge.survivor_id,
            "absorbed_id": merge.absorbed_id,
            "moved": moved,
        },
    )


@router.post("/merges/{merge_id}/undo", response=MergeUndoOut, auth=TokenAuth("people:write"))
def merge_undo_endpoint(request: Any, merge_id: int) -> dict[str, Any]:
    user = api_user(request)
    merge = merge_undo(merge=merge_get_for_employee(user=user, merge_id=merge_id), actor_id=user.pk)
    return {
        "merge_id": merge.pk,
        "undone_at": merge.undone_at,
        "survivor_id": merge.survivor_id,
        "absorbed_id": merge.absorbed_id,
    }


@router.get("/merges/{merge_id}", response=MergeRecordOut, auth=TokenAuth("people:read"))
def merge_detail(request: Any, merge_id: int) -> Merge:
    return merge_get_for_employee(user=api_user(request), merge_id=merge_id)
