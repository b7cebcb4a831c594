"""The feed and follows in the browser."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

import socius.collab.live  # noqa: F401 - the space:/post: channel authorizers
from socius.collab.selectors import post_get_for_user
from socius.collab.selectors_feed import (
    FOLLOW_KINDS,
    customer_activity_for,
    feed_newer_than,
    feed_page,
    follow_target_get,
    follows_of,
    is_following,
)
from socius.collab.services.follows import (
    FollowTarget,
    feed_mark_seen,
    follow_create,
    follow_delete,
)
from socius.core.errors import DomainError, NotFound
from socius.core.http import AuthenticatedHttpRequest
from socius.core.ids import parse_id

TEMPLATE = "collab/feed.html"


@login_required
@require_GET
def feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    page = feed_page(
        user=request.user, cursor=cursor, seen_post_id=parse_id(request.GET.get("seen"), minimum=0)
    )
    if cursor:  # "load more": the next items, unread against the marker the page opened with
        return render(request, f"{TEMPLATE}#feed-page", {"page": page})
    context = {
        "page": page,
        "follows": follows_of(request.user),
        "customer_activity": customer_activity_for(user=request.user),
        "follow_kinds": FOLLOW_KINDS,
        "live_url": reverse("core:live-events"),
    }
    response = render(request, TEMPLATE, context)
    # Rendered first, so this visit still shows what was unread; the next one will not.
    if page.newest_post_id > page.seen_post_id:
        feed_mark_seen(actor=request.user, post_id=page.newest_post_id)
    return response


@login_required
@require_GET
def feed_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a live feed page fetches when told of a new post: the posts above ``after``."""
    after = parse_id(request.GET.get("after")) or 0
    items = feed_newer_than(user=request.user, after=after)
    newest = max([after, *(item.post.pk for item in items)])
    return render(request, f"{TEMPLATE}#feed-fresh", {"items": items, "newest": newest})


def _target_from(request: AuthenticatedHttpRequest, data: Any) -> FollowTarget:
    kind = data.get("kind", "")
    if kind not in FOLLOW_KINDS:
        raise NotFound()
    return follow_target_get(user=request.user, kind=kind, key=data.get("target", ""))


def _button(
    request: AuthenticatedHttpRequest, target: FollowTarget, following: bool
) -> HttpResponse:
    context = {"kind": target.kind, "target": target.instance, "following": following}
    return render(request, "collab/includes/follow_button.html#follow-form", context)


@login_required
@require_GET
def follow_button(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The follow/unfollow button of one target, loaded by the include once the page is up."""
    target = _target_from(request, request.GET)
    return _button(request, target, is_following(user=request.user, target=target))


@login_required
@require_POST
def follow_toggle(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = _target_from(request, request.POST)
    following = request.POST.get("action") != "unfollow"
    try:
        if following:
            follow_create(actor=request.user, target=target)
        else:
            follow_delete(actor=request.user, target=target)
    except DomainError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(str(error.message), status=error.status_code)
        messages.error(request, str(error.message))
        following = not following
    if request.htmx:  # type: ignore[attr-defined]
        return _button(request, target, following)
    return redirect(_back(request))


def _back(request: AuthenticatedHttpRequest) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("collab:feed")


@login_required
@require_GET
def post_comments_new(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    """Comments above ``after`` on a post, for ``collab/includes/post_live.html``."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    after = parse_id(request.GET.get("after")) or 0
    comments = list(post.comments.filter(id__gt=after).select_related("author").order_by("id")[:50])
    newest = comments[-1].pk if comments else after
    context = {"post": post, "comments": comments, "newest": newest}
    return render(request, "collab/includes/post_live.html#post-live-fresh", context)


urlpatterns: list[URLPattern] = [
    path("feed/", feed, name="feed"),
    path("feed/new/", feed_new, name="feed-new"),
    path("follows/", follow_toggle, name="follow-toggle"),
    path("follows/button/", follow_button, name="follow-button"),
    path("posts/<int:post_id>/comments/new/", post_comments_new, name="post-comments-new"),
]
