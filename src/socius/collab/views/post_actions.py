"""The buttons of the post page: react, pin, accept an answer, confirm an announcement.

Each posts a small form and comes back to the post, a refusal shown as a message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from socius.collab.forms import AnswerForm, ReactionForm
from socius.collab.models import Post
from socius.collab.selectors import post_get_for_user
from socius.collab.selectors_posts import comment_of_post
from socius.collab.services.announcements import announcement_read_confirm
from socius.collab.services.posts import answer_accept, post_pin
from socius.collab.services.reactions import reaction_toggle
from socius.core.errors import DomainError, InvalidInput, NotFound
from socius.core.http import AuthenticatedHttpRequest


def _back(post: Post, anchor: str = "") -> HttpResponse:
    return redirect(reverse("collab:post-detail", args=[post.pk]) + anchor)


def _attempt(request: AuthenticatedHttpRequest, action: Callable[[], object]) -> None:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)


@login_required
@require_POST
def post_react(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, InvalidInput().message)
        return _back(post)
    comment_id = form.cleaned_data["comment"]
    comment = comment_of_post(post=post, comment_id=comment_id) if comment_id else None
    kind = form.cleaned_data["kind"]
    _attempt(
        request,
        lambda: reaction_toggle(actor=request.user, post=post, kind=kind, comment=comment),
    )
    return _back(post, f"#comment-{comment.pk}" if comment else "#post-reactions")


@login_required
@require_POST
def post_pin_toggle(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    pinned = post.pinned_at is None
    _attempt(request, lambda: post_pin(actor=request.user, post=post, pinned=pinned))
    return _back(post)


@login_required
@require_POST
def post_answer(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    """Accept a comment as the answer, or withdraw the accepted one (no comment given)."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():  # a mangled form must not read as "withdraw the answer"
        raise NotFound()
    comment_id = form.cleaned_data["comment"]
    comment = comment_of_post(post=post, comment_id=comment_id) if comment_id else None
    _attempt(request, lambda: answer_accept(actor=request.user, post=post, comment=comment))
    return _back(post)


@login_required
@require_POST
def post_read_confirm(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    _attempt(request, lambda: announcement_read_confirm(actor=request.user, post=post))
    return _back(post)


urlpatterns: list[URLPattern] = [
    path("posts/<int:post_id>/react", post_react, name="post-react"),
    path("posts/<int:post_id>/pin", post_pin_toggle, name="post-pin"),
    path("posts/<int:post_id>/answer", post_answer, name="post-answer"),
    path("posts/<int:post_id>/read", post_read_confirm, name="post-read"),
]
