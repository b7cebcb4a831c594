"""Spaces and their posts in the browser; members and settings in ``space_admin``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socius.collab.forms import SpaceForm
from socius.collab.forms_spaces import JoinRequestForm, PostWithFilesForm
from socius.collab.models import Membership, Space
from socius.collab.selectors import membership_of, space_get_for_user
from socius.collab.selectors_posts import space_posts
from socius.collab.selectors_spaces import (
    join_request_pending_of,
    space_member_count,
    space_roles_of,
    spaces_listed_for,
    spaces_requested_by,
)
from socius.collab.services.attachments import post_create_with_attachments
from socius.collab.services.join_requests import space_join_request
from socius.collab.services.spaces import space_create, space_member_add
from socius.collab.views import space_admin
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.core.ids import parse_id

POSTS_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def space_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            space = space_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:space-detail", space.pk)
    with_archived = request.GET.get("archived") == "1"
    context = {
        "spaces": spaces_listed_for(user=request.user, include_archived=with_archived),
        "roles": space_roles_of(user=request.user),
        "requested": spaces_requested_by(user=request.user),
        "with_archived": with_archived,
        "form": form,
    }
    return render(request, "collab/space_list.html", context)


def _before(request: AuthenticatedHttpRequest) -> int | None:
    """The ``?before=<post id>`` of an older page; anything else is the first page."""
    return parse_id(request.GET.get("before"))


def _post_form(request: AuthenticatedHttpRequest, space: Space) -> PostWithFilesForm:
    form = PostWithFilesForm(request.POST or None, request.FILES or None)
    # The @ autocomplete (static/collab/mentions.js) suggests this space's readers.
    form.fields["body"].widget.attrs["data-mention-space"] = str(space.pk)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def space_detail(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    membership = membership_of(user=request.user, space=space)
    readable = membership is not None or space.visibility == Space.Visibility.PUBLIC
    form = _post_form(request, space)
    if request.method == "POST" and form.is_valid():
        try:
            post = post_create_with_attachments(
                actor=request.user,
                space=space,
                body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"],
                uploads=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    page = (
        space_posts(space=space, before=_before(request), limit=POSTS_SHOWN) if readable else None
    )
    is_owner = membership is not None and membership.role == Membership.Role.OWNER
    closed_to_me = membership is None and space.visibility == Space.Visibility.PRIVATE
    context = {
        "space": space,
        "membership": membership,
        "is_owner": is_owner,
        "may_archive": request.user.is_admin if space.department_id else is_owner,
        "readable": readable,
        "posts": page.items if page else [],
        "next_before": page.next_before if page else None,
        "form": form,
        "members": space_member_count(actor=request.user, space=space),
        "join_request": join_request_pending_of(space=space, user=request.user)
        if closed_to_me
        else None,
        "join_form": JoinRequestForm() if closed_to_me else None,
    }
    return render(request, "collab/space_detail.html", context)


@login_required
@require_POST
def space_join(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    try:
        space_member_add(actor=request.user, space=space, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You joined this space."))
    return redirect("collab:space-detail", space.pk)


@login_required
@require_POST
def space_join_request_create(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your message is too long (500 characters at most)."))
        return redirect("collab:space-detail", space.pk)
    try:
        space_join_request(actor=request.user, space=space, message=form.cleaned_data["message"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request was sent to the owners of this space."))
    return redirect("collab:space-detail", space.pk)


urlpatterns: list[URLPattern] = [
    path("spaces/", space_list, name="space-list"),
    path("spaces/<int:space_id>/", space_detail, name="space-detail"),
    path("spaces/<int:space_id>/join", space_join, name="space-join"),
    path(
        "spaces/<int:space_id>/join-request",
        space_join_request_create,
        name="space-join-request",
    ),
    *space_admin.urlpatterns,
]
