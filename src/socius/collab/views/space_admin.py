"""A space's members and settings in the browser: requests to join, roles, archive."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socius.accounts.models import User
from socius.collab.forms_spaces import MemberAddForm, MemberRoleForm, SpaceSettingsForm
from socius.collab.models import Membership, Space
from socius.collab.selectors import membership_of, space_get_for_user
from socius.collab.selectors_spaces import (
    join_request_get,
    join_requests_pending,
    space_members_for,
    space_membership_get,
)
from socius.collab.services.common import NotASpaceOwner
from socius.collab.services.join_requests import join_request_accept, join_request_decline
from socius.collab.services.spaces import (
    may_archive,
    space_archive,
    space_member_add,
    space_member_remove,
    space_member_role_set,
    space_unarchive,
    space_update,
)
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest


def _is_owner(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.OWNER


@login_required
@require_http_methods(["GET"])
def space_members(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    members = list(space_members_for(user=request.user, space=space))
    own = next((m for m in members if m.user_id == request.user.pk), None)
    is_owner = _is_owner(own)
    context = {
        "space": space,
        "members": members,
        "membership": own,
        "is_owner": is_owner,
        "join_requests": list(join_requests_pending(space=space)) if is_owner else [],
        "add_form": MemberAddForm() if is_owner else None,
    }
    return render(request, "collab/space_members.html", context)


def _act(
    request: AuthenticatedHttpRequest, space: Space, action: Callable[[], object], done: str
) -> HttpResponse:
    """Run one service, tell how it went, and go back to the members page."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("collab:space-members", space.pk)


@login_required
@require_POST
def space_member_add_view(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    form = MemberAddForm(request.POST)
    user = None
    if form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
    if user is None:
        messages.error(request, _("No active colleague has this email address."))
        return redirect("collab:space-members", space.pk)
    found: User = user
    return _act(
        request,
        space,
        lambda: space_member_add(actor=request.user, space=space, user=found),
        _("Member added."),
    )


@login_required
@require_POST
def space_member_remove_view(
    request: AuthenticatedHttpRequest, space_id: int, user_id: int
) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    membership = space_membership_get(actor=request.user, space=space, user_id=user_id)
    if membership.user_id != request.user.pk:
        return _act(
            request,
            space,
            lambda: space_member_remove(actor=request.user, membership=membership),
            _("Member removed."),
        )
    try:
        space_member_remove(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("collab:space-members", space.pk)
    messages.success(request, _("You left this space."))
    return redirect("collab:space-list")


@login_required
@require_POST
def space_member_role_view(
    request: AuthenticatedHttpRequest, space_id: int, user_id: int
) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    membership = space_membership_get(actor=request.user, space=space, user_id=user_id)
    form = MemberRoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    return _act(
        request,
        space,
        lambda: space_member_role_set(actor=request.user, membership=membership, role=role),
        _("Role changed."),
    )


@login_required
@require_POST
def join_request_answer(
    request: AuthenticatedHttpRequest, space_id: int, request_id: int, answer: str
) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    join_request = join_request_get(actor=request.user, space=space, request_id=request_id)
    if answer == "accept":
        return _act(
            request,
            space,
            lambda: join_request_accept(actor=request.user, join_request=join_request),
            _("Request accepted: welcome to the new member."),
        )
    return _act(
        request,
        space,
        lambda: join_request_decline(actor=request.user, join_request=join_request),
        _("Request declined."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_settings(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    is_owner = _is_owner(membership_of(user=request.user, space=space))
    archiving = may_archive(user=request.user, space=space)
    if not is_owner and not archiving:
        raise NotASpaceOwner(details={"space": space.pk})
    initial = {"name": space.name, "goal": space.goal, "description": space.description}
    form = SpaceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and not is_owner:
        raise NotASpaceOwner(details={"space": space.pk})
    if request.method == "POST" and form.is_valid():
        try:
            space_update(actor=request.user, space=space, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("collab:space-settings", space.pk)
    context = {"space": space, "form": form if is_owner else None, "may_archive": archiving}
    return render(request, "collab/space_settings.html", context)


@login_required
@require_POST
def space_archive_view(
    request: AuthenticatedHttpRequest, space_id: int, archive: bool
) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    try:
        if archive:
            space_archive(actor=request.user, space=space)
        else:
            space_unarchive(actor=request.user, space=space)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Space archived.") if archive else _("Space restored."))
    return redirect("collab:space-detail", space.pk)


urlpatterns: list[URLPattern] = [
    path("spaces/<int:space_id>/members/", space_members, name="space-members"),
    path("spaces/<int:space_id>/members/add", space_member_add_view, name="space-member-add"),
    path(
        "spaces/<int:space_id>/members/<int:user_id>/remove",
        space_member_remove_view,
        name="space-member-remove",
    ),
    path(
        "spaces/<int:space_id>/members/<int:user_id>/role",
        space_member_role_view,
        name="space-member-role",
    ),
    path(
        "spaces/<int:space_id>/join-requests/<int:request_id>/accept",
        join_request_answer,
        {"answer": "accept"},
        name="join-request-accept",
    ),
    path(
        "spaces/<int:space_id>/join-requests/<int:request_id>/decline",
        join_request_answer,
        {"answer": "decline"},
        name="join-request-decline",
    ),
    path("spaces/<int:space_id>/settings/", space_settings, name="space-settings"),
    path(
        "spaces/<int:space_id>/archive",
        space_archive_view,
        {"archive": True},
        name="space-archive",
    ),
    path(
        "spaces/<int:space_id>/unarchive",
        space_archive_view,
        {"archive": False},
        name="space-unarchive",
    ),
]
