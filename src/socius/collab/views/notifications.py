"""Notifications in the browser: the centre, the bell, email choices, muting, unsubscribing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.accounts.models import User
from socius.collab.models import Notification, NotificationPreference
from socius.collab.notifications.preferences import email_modes_of
from socius.collab.notifications.selectors import (
    notification_get_for_user,
    notification_lines,
    notification_page,
    notification_path,
    notification_unread_count,
)
from socius.collab.notifications.unsubscribe import unsubscribe_token_read
from socius.collab.selectors import post_get_for_user
from socius.collab.services.notifications import (
    notification_mark_read,
    notification_preference_set,
    notification_unsubscribe,
    notifications_mark_all_read,
    thread_mute,
    thread_unmute,
)
from socius.core.errors import NotFound
from socius.core.http import AuthenticatedHttpRequest


class PreferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=Notification.Kind.choices, widget=forms.HiddenInput)
    email = forms.ChoiceField(label=_("By email"), choices=NotificationPreference.Email.choices)


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = notification_page(user=request.user, cursor=request.GET.get("cursor") or None)
    context = {"lines": notification_lines(page.items), "next_cursor": page.next_cursor}
    return render(request, "collab/notification_list.html", context)


@login_required
@require_GET
def notification_bell(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bell's count, fetched when a page loads and on each live nudge."""
    count = notification_unread_count(user=request.user)
    return render(request, "collab/notification_bell_count.html", {"unread_count": count})


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    notification = notification_get_for_user(user=request.user, notification_id=notification_id)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect(notification_path(notification))


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    notification = notification_get_for_user(user=request.user, notification_id=notification_id)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect("collab:notification-list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_all_read(actor=request.user)
    return redirect("collab:notification-list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    refused = None
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            notification_preference_set(actor=request.user, **form.cleaned_data)
            return redirect("collab:notification-preferences")
        refused = form
    context = {"rows": _preference_rows(request.user), "refused": refused}
    status = 422 if refused is not None else 200
    return render(request, "collab/notification_preferences.html", context, status=status)


def _preference_rows(user: User) -> list[tuple[str, object, PreferenceForm]]:
    labels = dict(Notification.Kind.choices)
    return [
        (
            kind,
            labels[kind],
            PreferenceForm(initial={"kind": kind, "email": mode}, auto_id=f"id_{kind}_%s"),
        )
        for kind, mode in email_modes_of(user).items()
    ]


# RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" to this URL without any
# cookie, so no CSRF token can come with it. The signed token in the URL is the proof of
# authority, and all a forged request could do is switch the token's own kinds off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    done = request.method == "POST"
    if done:
        _, unsubscription = notification_unsubscribe(token=token)
    else:  # GET only shows a confirmation: link scanners open links, they must not act
        read = unsubscribe_token_read(token)
        if read is None:
            raise NotFound()
        unsubscription = read
    labels = dict(Notification.Kind.choices)
    context = {"labels": [labels[k] for k in unsubscription.kinds], "done": done, "token": token}
    return render(request, "collab/notification_unsubscribe.html", context)


@login_required
@require_POST
def post_mute(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    if request.POST.get("muted") == "1":
        thread_mute(actor=request.user, post=post)
    else:
        thread_unmute(actor=request.user, post=post)
    return redirect("collab:post-detail", post.pk)


urlpatterns: list[URLPattern] = [
    path("notifications/", notification_list, name="notification-list"),
    path("notifications/bell", notification_bell, name="notification-bell"),
    path("notifications/read-all", notification_read_all, name="notification-read-all"),
    path("notifications/preferences", notification_preferences, name="notification-preferences"),
    path(
        "notifications/unsubscribe/<str:token>",
        notification_unsubscribe_view,
        name="notification-unsubscribe",
    ),
    path("notifications/<int:notification_id>/open", notification_open, name="notification-open"),
    path("notifications/<int:notification_id>/read", notification_read, name="notification-read"),
    path("posts/<int:post_id>/mute", post_mute, name="post-mute"),
]
