"""Spaces and their posts in the browser."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socius.collab.forms import BodyForm, SpaceForm
from socius.collab.models import Membership, Space
from socius.collab.selectors import (
    membership_of,
    space_get_for_user,
    spaces_visible_to,
)
from socius.collab.services import post_create, space_create, space_member_add
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest

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
    spaces = spaces_visible_to(request.user).filter(archived_at__isnull=True).order_by("name")
    mine = set(Membership.objects.filter(user=request.user).values_list("space_id", flat=True))
    return render(request, "collab/space_list.html", {"spaces": spaces, "mine": mine, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def space_detail(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    membership = membership_of(user=request.user, space=space)
    readable = membership is not None or space.visibility == Space.Visibility.PUBLIC
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = post_create(actor=request.user, space=space, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    posts = space.posts.select_related("author").order_by("-id")[:POSTS_SHOWN] if readable else []
    context = {
        "space": space,
        "membership": membership,
        "readable": readable,
        "posts": posts,
        "form": form,
        "members": space.memberships.count(),
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


urlpatterns: list[URLPattern] = [
    path("spaces/", space_list, name="space-list"),
    path("spaces/<int:space_id>/", space_detail, name="space-detail"),
    path("spaces/<int:space_id>/join", space_join, name="space-join"),
]
