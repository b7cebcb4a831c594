"""Requests to join a private space, and their owners' answers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import JoinRequest, Membership, Notification, Space
from socius.collab.selectors import membership_of
from socius.collab.selectors_spaces import join_request_pending_of, space_owner_ids
from socius.collab.services.common import append_activity, ensure_writable
from socius.collab.services.notifications import NotificationEvent, notify
from socius.collab.services.spaces import ensure_owner
from socius.core.errors import Conflict, InvalidInput, NotFound
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.join_requested": _("Asked to join a space"),
        "collab.join_accepted": _("Request to join a space accepted"),
        "collab.join_declined": _("Request to join a space declined"),
    }
)

MAX_MESSAGE = 500


class AlreadyAMember(Conflict):
    code = "already_a_member"
    default_message = _("You are already a member of this space.")


class JoinRequestNotNeeded(Conflict):
    code = "join_request_not_needed"
    default_message = _("This space is public: join it directly.")


class JoinRequestDecided(Conflict):
    code = "join_request_decided"
    default_message = _("This request has already been answered.")


def _thread(space: Space) -> str:
    return f"space:{space.pk}"


@transaction.atomic
def space_join_request(*, actor: User, space: Space, message: str = "") -> JoinRequest:
    """Ask to join a private space; its owners are told. Asking again changes nothing."""
    membership = membership_of(user=actor, space=space)
    if space.visibility == Space.Visibility.SECRET and membership is None:
        raise NotFound()  # a secret space takes no request: it does not exist for outsiders
    ensure_writable(space)
    if membership is not None:
        raise AlreadyAMember(details={"space": space.pk})
    if space.visibility == Space.Visibility.PUBLIC:
        raise JoinRequestNotNeeded(details={"space": space.pk})
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(details={"field": "message", "max_length": MAX_MESSAGE})
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(space=space, user=actor, message=message)
    except IntegrityError:  # one is already pending
        pending = join_request_pending_of(space=space, user=actor)
        if pending is None:  # answered in between: let the caller try again
            raise
        return pending
    notify(
        recipient_ids=space_owner_ids(space=space),
        event=NotificationEvent(
            kind=Notification.Kind.JOIN_REQUEST,
            thread=_thread(space),
            actor=actor,
            space=space,
            summary=f"{actor.full_name}: {message}" if message else actor.full_name,
        ),
    )
    append_activity(actor, "collab.join_requested", join_request, space)
    return join_request


def _decide(*, actor: User, join_request: JoinRequest, state: str) -> None:
    space = join_request.space
    ensure_writable(space)
    ensure_owner(actor=actor, space=space)
    # A conditional update: two owners answering at once cannot both decide.
    decided = JoinRequest.objects.filter(
        pk=join_request.pk, state=JoinRequest.State.PENDING
    ).update(state=state, decided_by=actor, decided_at=timezone.now())
    if not decided:
        raise JoinRequestDecided(details={"request": join_request.pk})
    join_request.refresh_from_db()
    notify(
        recipient_ids=[join_request.user_id],
        event=NotificationEvent(
            kind=Notification.Kind.JOIN_DECIDED,
            thread=_thread(space),
            actor=actor,
            space=space,
            summary=f"{space.name}: {join_request.get_state_display()}",
        ),
    )


@transaction.atomic
def join_request_accept(*, actor: User, join_request: JoinRequest) -> Membership:
    """An owner lets the colleague in."""
    if not join_request.user.is_active:
        raise InvalidInput(details={"field": "user", "reason": "inactive"})
    _decide(actor=actor, join_request=join_request, state=JoinRequest.State.ACCEPTED)
    membership, _created = Membership.objects.get_or_create(
        space=join_request.space, user=join_request.user
    )
    append_activity(actor, "collab.join_accepted", join_request, join_request.space)
    return membership


@transaction.atomic
def join_request_decline(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    """An owner says no; the colleague may ask again later."""
    _decide(actor=actor, join_request=join_request, state=JoinRequest.State.DECLINED)
    append_activity(actor, "collab.join_declined", join_request, join_request.space)
    return join_request
