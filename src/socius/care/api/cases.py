"""Cases: the inbox's views, one case with its conversation, and working it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from ninja import Query, Router, Status

from socius.accounts.api_auth import api_user
from socius.accounts.models import User
from socius.care.api.auth import READ, WRITE
from socius.care.api.lookup import (
    case_for,
    colleague_for,
    department_for,
    merged_away,
)
from socius.care.api.output import case_item_out, case_out, conversation_out
from socius.care.api.schemas import (
    CaseDetailOut,
    CaseOut,
    CasePatchIn,
    EscalateIn,
    InboxPageOut,
    InboxQueryIn,
    LinkIn,
    LinkOut,
    MergeIn,
)
from socius.care.models import Case
from socius.care.selectors import case_conversation, case_get, inbox_page
from socius.care.services.cases import (
    case_assign,
    case_department_set,
    case_escalate,
    case_link_add,
    case_merge,
    case_priority_set,
    case_status_set,
    case_tags_set,
)

router = Router(tags=["care"])


def _fresh(user: User, case_id: int) -> dict[str, Any]:
    return case_out(case_get(user=user, case_id=case_id))


@router.get("/cases", response=InboxPageOut, auth=READ)
def cases_list(request: Any, query: Query[InboxQueryIn]) -> dict[str, Any]:
    """A view of the inbox, active cases only; pass ``next_cursor`` back as ``cursor``."""
    page = inbox_page(user=api_user(request), view=query.view, cursor=query.cursor, size=query.size)
    return {"items": [case_item_out(case) for case in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut},
    auth=READ,
    url_name="care_cases_detail",
)
def cases_detail(request: Any, case_id: str) -> dict[str, Any] | HttpResponse:
    """The case and its conversation; a merged case answers 301 naming the survivor."""
    case = case_for(user=api_user(request), case_id=case_id)
    if case.merged_into_id is not None:
        return merged_away(case)
    return {**case_out(case), "messages": conversation_out(case_conversation(case=case))}


def _changes_apply(actor: User, case: Case, data: CasePatchIn) -> None:
    """Every named reference is resolved before the first write, and the changes commit
    together: a refused one leaves the case as it was."""
    asked = data.model_fields_set
    department = department_for(slug=data.department) if "department" in asked else None
    assignee = colleague_for(user=actor, user_id=data.assignee) if "assignee" in asked else None
    with transaction.atomic():
        # The department first: moving the case may release its assignee.
        if "department" in asked:
            case = case_department_set(actor=actor, case=case, department=department)
        if "assignee" in asked:
            case = case_assign(actor=actor, case=case, assignee=assignee)
        if data.priority is not None:
            case = case_priority_set(actor=actor, case=case, priority=data.priority)
        if data.tags is not None:
            case_tags_set(actor=actor, case=case, names=data.tags)
        if data.status is not None:
            case_status_set(actor=actor, case=case, status=data.status)


@router.patch("/cases/{case_id}", response=CaseOut, auth=WRITE)
def cases_update(request: Any, case_id: str, data: CasePatchIn) -> dict[str, Any]:
    """Any subset of status, assignee, department, priority and tags."""
    actor = api_user(request)
    case = case_for(user=actor, case_id=case_id)
    _changes_apply(actor, case, data)
    return _fresh(actor, case.pk)


@router.post("/cases/{case_id}/merge", response=CaseOut, auth=WRITE)
def cases_merge(request: Any, case_id: str, data: MergeIn) -> dict[str, Any]:
    """The absorbed case's conversation moves here; its id then answers 301 to this one."""
    actor = api_user(request)
    survivor = case_for(user=actor, case_id=case_id)
    absorbed = case_get(user=actor, case_id=data.absorbed)
    merged = case_merge(actor=actor, survivor=survivor, absorbed=absorbed)
    return _fresh(actor, merged.pk)


@router.post("/cases/{case_id}/links", response={201: LinkOut}, auth=WRITE)
def cases_link_add(request: Any, case_id: str, data: LinkIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    case = case_for(user=actor, case_id=case_id)
    link = case_link_add(actor=actor, case=case, kind=data.kind, reference=data.reference)
    return Status(
        201, {"kind": link.kind, "reference": link.reference, "created_at": link.created_at}
    )


@router.post("/cases/{case_id}/escalate", response=CaseOut, auth=WRITE)
def cases_escalate(request: Any, case_id: str, data: EscalateIn) -> dict[str, Any]:
    """One priority level up and, if named, to another department; its managers are told."""
    actor = api_user(request)
    case = case_for(user=actor, case_id=case_id)
    department = department_for(slug=data.department)
    case_escalate(actor=actor, case=case, department=department, reason=data.reason)
    return _fresh(actor, case.pk)
