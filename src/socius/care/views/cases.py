"""A case in the browser: the conversation, the person beside it, and how it is worked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability, roles_with
from socius.care import forms
from socius.care.channels.outbound import delivery_retry
from socius.care.models import Case, Message, Priority, Status
from socius.care.selectors import (
    attachment_get_for_employee,
    case_conversation,
    case_get,
    may_work_cases,
)
from socius.care.services import cases as case_services
from socius.care.services.attachments import files_check, uploaded
from socius.care.services.common import ensure_agent
from socius.care.services.conversation import (
    ColleagueReplied,
    case_note_add,
    case_reply,
    reply_draft_touch,
)
from socius.core.downloads import protected_file_response
from socius.core.errors import DomainError, InvalidInput
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.people.panels import person_panels_render
from socius.people.selectors.card import person_card, person_departments_seen
from socius.people.selectors.timeline import timeline_entries, timeline_page

CaseView = Callable[..., HttpResponse]
# The reply and the note share a field name; their ids must differ on the page.
NOTE_IDS = "note_%s"


def case_view(view: CaseView) -> CaseView:
    """Sign-in, then the case from its id through the access check (404 otherwise); a
    merged case leads to the one it was merged into."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, case_id: int, **kwargs: Any) -> HttpResponse:
        case = case_get(user=request.user, case_id=case_id)
        if case.merged_into_id is not None and request.method == "GET":
            return redirect("care:case-detail", case.merged_into_id)
        return view(request, case, **kwargs)

    return wrapper


def _context(request: AuthenticatedHttpRequest, case: Case, **forms_given: Any) -> dict[str, Any]:
    person = case.person
    conversation = case_conversation(case=case)
    last_outbound = max(
        (
            e.item.pk
            for e in conversation
            if isinstance(e.item, Message) and e.item.direction == Message.Direction.OUTBOUND
        ),
        default=0,
    )
    may_work = may_work_cases(request.user)
    return {
        "case": case,
        "person": person,
        "conversation": conversation,
        "may_work": may_work,
        "reply_form": forms_given.get("reply_form")
        or forms.ReplyForm(initial={"seen_message_id": last_outbound}),
        "note_form": forms_given.get("note_form") or forms.NoteForm(auto_id=NOTE_IDS),
        "canned": _canned_for(request.user, case) if may_work else [],
        "card": person_card(person),
        "departments_seen": person_departments_seen(person),
        "recent": timeline_entries(timeline_page(person, size=8)),
        "panels": person_panels_render(request, person, request.user),
        "agents": User.objects.filter(
            is_active=True, role__in=roles_with(Capability.WORK_CASES)
        ).order_by("full_name"),
        "departments": Department.objects.order_by("name"),
        "live_url": f"{reverse('core:live-events')}?channel=case:{case.pk}",
        "tags": ", ".join(t.name for t in case.tags.all()),
        "statuses": [c for c in Status.choices if c[0] != Status.NEW],
        "priorities": Priority.choices,
    }


def _last_outbound_id(case: Case) -> int:
    last = (
        Message.objects.filter(case=case, direction=Message.Direction.OUTBOUND)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def _canned_for(user: User, case: Case) -> list[Any]:
    from socius.care.services.canned import canned_replies_for

    return canned_replies_for(user=user, case=case)


@case_view
@require_GET
def case_detail(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    if request.headers.get("HX-Request") and request.GET.get("part") == "conversation":
        context = {"case": case, "conversation": case_conversation(case=case)}
        return render(request, "care/case_detail.html#conversation", context)
    return render(request, "care/case_detail.html", _context(request, case))


@case_view
@require_POST
def case_reply_post(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_reply(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                status=form.cleaned_data["status"],
                seen_message_id=form.cleaned_data["seen_message_id"],
                files=files_check(uploaded(request.FILES.getlist("attachments"))),
            )
        except ColleagueReplied as error:
            # The page now shows the colleague's reply: sending again means "still needed".
            data = request.POST.copy()
            data["seen_message_id"] = str(_last_outbound_id(case))
            form = forms.ReplyForm(data, request.FILES)
            form.is_valid()
            form_add_domain_error(form, error)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your reply is on its way to the customer."))
            return redirect("care:case-detail", case.pk)
    status = 409 if form.errors.get("__all__") else 422
    return render(
        request, "care/case_detail.html", _context(request, case, reply_form=form), status=status
    )


@case_view
@require_POST
def case_note_post(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = forms.NoteForm(request.POST, auto_id=NOTE_IDS)
    if form.is_valid():
        try:
            case_note_add(actor=request.user, case=case, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect(reverse("care:case-detail", args=[case.pk]) + "#conversation")
    return render(
        request, "care/case_detail.html", _context(request, case, note_form=form), status=422
    )


@case_view
@require_POST
def case_typing(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    """htmx, while an agent writes a reply: warns when a colleague is writing one too."""
    others = (
        reply_draft_touch(actor=request.user, case=case) if may_work_cases(request.user) else []
    )
    return render(request, "care/includes/typing.html", {"others": others})


@case_view
@require_GET
def case_canned(request: AuthenticatedHttpRequest, case: Case, reply_id: int) -> HttpResponse:
    """The text of a canned reply filled in for this case (htmx fills the reply box)."""
    from socius.care.services.canned import canned_render

    replies = {r.pk: r for r in _canned_for(request.user, case)}
    reply = replies.get(reply_id)
    if reply is None:
        return HttpResponse(status=404)
    return HttpResponse(
        canned_render(reply=reply, case=case, agent=request.user),
        content_type="text/plain; charset=utf-8",
    )


def _department(slug: str) -> Department | None:
    if not slug:
        return None
    department = Department.objects.filter(slug=slug).first()
    if department is None:
        raise InvalidInput(details={"field": "department"})
    return department


def _assignee(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(details={"field": "assignee"})
    return user


_ACTIONS: dict[str, tuple[type[Any], Callable[[User, Case, Any], Any]]] = {
    "status": (
        forms.StatusForm,
        lambda actor, case, f: case_services.case_status_set(
            actor=actor, case=case, status=f.cleaned_data["status"]
        ),
    ),
    "priority": (
        forms.PriorityForm,
        lambda actor, case, f: case_services.case_priority_set(
            actor=actor, case=case, priority=f.cleaned_data["priority"]
        ),
    ),
    "assign": (
        forms.AssignForm,
        lambda actor, case, f: case_services.case_assign(
            actor=actor, case=case, assignee=_assignee(f.cleaned_data["assignee"])
        ),
    ),
    "department": (
        forms.DepartmentForm,
        lambda actor, case, f: case_services.case_department_set(
            actor=actor, case=case, department=_department(f.cleaned_data["department"])
        ),
    ),
    "tags": (
        forms.TagsForm,
        lambda actor, case, f: case_services.case_tags_set(actor=actor, case=case, names=f.names()),
    ),
    "escalate": (
        forms.EscalateForm,
        lambda actor, case, f: case_services.case_escalate(
            actor=actor,
            case=case,
            department=_department(f.cleaned_data["department"]),
            reason=f.cleaned_data["reason"],
        ),
    ),
    "link": (
        forms.LinkForm,
        lambda actor, case, f: case_services.case_link_add(
            actor=actor,
            case=case,
            kind=f.cleaned_data["kind"],
            reference=f.cleaned_data["reference"],
        ),
    ),
}


@case_view
@require_POST
def case_action(request: AuthenticatedHttpRequest, case: Case, action: str) -> HttpResponse:
    """One change of the side panel (status, priority, assignee, department, tags,
    escalation, link); a refusal is shown as a message and changes nothing."""
    if action not in _ACTIONS:
        return HttpResponse(status=404)
    form_class, apply = _ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("This change was not made: check the value given."))
        return redirect("care:case-detail", case.pk)
    try:
        apply(request.user, case, form)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("care:case-detail", case.pk)


@case_view
@require_POST
def case_merge_post(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = forms.MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of the request to merge."))
        return redirect("care:case-detail", case.pk)
    try:
        absorbed = case_get(user=request.user, case_id=form.cleaned_data["absorbed"])
        case_services.case_merge(actor=request.user, survivor=case, absorbed=absorbed)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The requests were merged."))
    return redirect("care:case-detail", case.pk)


@case_view
@require_POST
def message_retry(request: AuthenticatedHttpRequest, case: Case, message_id: int) -> HttpResponse:
    """An agent sends a reply its channel refused once more."""
    message = Message.objects.filter(pk=message_id, case=case).first()
    if message is None:
        raise Http404
    try:
        ensure_agent(request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        delivery_retry(message=message)
        messages.success(request, _("The reply will be sent again."))
    return redirect("care:case-detail", case.pk)


@login_required
@require_GET
def attachment_download(request: AuthenticatedHttpRequest, attachment_id: int) -> FileResponse:
    attachment = attachment_get_for_employee(user=request.user, attachment_id=attachment_id)
    return protected_file_response(
        attachment.file,
        content_type=attachment.content_type,
        name=attachment.name,
        inline=request.GET.get("inline") == "1",
    )
