"""Which employees came by today: readers count as active even when they write nothing.

One ``employee.visited`` entry per employee and day, written at sign-in or on the first
request of a new day. The day already recorded is kept in the session, so an ordinary page
view costs no query at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, activity_append
from socius.core.verbs import register_verbs
from socius.insights.adoption.verbs import VISITED

SESSION_KEY = "socius_presence_day"

register_verbs({VISITED: _("Came to Socius")})


def presence_record(request: HttpRequest, user: User) -> None:
    """Record that ``user`` came today, unless this session already did."""
    today = timezone.localdate().isoformat()
    if request.session.get(SESSION_KEY) == today:
        return
    request.session[SESSION_KEY] = today
    with transaction.atomic():
        activity_append(
            ActivityDraft(
                verb=VISITED,
                actor_id=user.pk,
                department_id=user.department_id,
                # Nobody else's page or live feed shows it: it only feeds group figures.
                visibility=Visibility.RESTRICTED,
            )
        )


def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        presence_record(request, user)


user_logged_in.connect(_on_login, dispatch_uid="insights.presence")


class PresenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Token-authenticated API calls carry no session: integrations are not presence.
        if isinstance(user, User) and user.is_authenticated and hasattr(request, "session"):
            presence_record(request, user)
        return self.get_response(request)
