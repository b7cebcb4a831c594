"""What every write of the social network shares: its errors and its Activity."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Space
from socius.core.errors import Forbidden, InvalidInput
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append

MAX_BODY = 20_000


class NotASpaceMember(Forbidden):
    code = "not_a_space_member"
    default_message = _("Only members of this space may do that.")


class NotASpaceOwner(Forbidden):
    code = "not_a_space_owner"
    default_message = _("Only the owners of this space may do that.")


class SpaceArchived(Forbidden):
    code = "space_archived"
    default_message = _("This space is archived: it can be read, not changed.")


def append_activity(
    actor: User,
    verb: str,
    about: object,
    space: Space,
    summary: str = "",
    *,
    to_user_id: int | None = None,
    post_id: int | None = None,
) -> None:
    """Append what ``actor`` did in ``space``. ``to_user_id`` names whom a reply or a reaction
    answers and ``post_id`` the thread, so adoption can count answers and who talks to
    which department without reading the social network's tables."""
    payload: dict[str, int] = {"space": space.pk}
    if to_user_id is not None:
        payload["to_user"] = to_user_id
    if post_id is not None:
        payload["post"] = post_id
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk,
            department_id=actor.department_id,  # adoption is measured per department
            about=ActivityObject.of(about),
            summary=summary[:200],
            payload=payload,
            # Colleagues outside a closed space see no trace of what happens in it.
            visibility=(
                Visibility.INTERNAL
                if space.visibility == Space.Visibility.PUBLIC
                else Visibility.RESTRICTED
            ),
        )
    )


def ensure_writable(space: Space) -> None:
    if space.archived_at is not None:
        raise SpaceArchived(details={"space": space.pk})


def clean_body(text: str) -> str:
    body = (text or "").strip()
    if not body or len(body) > MAX_BODY:
        raise InvalidInput(details={"field": "body", "min_length": 1, "max_length": MAX_BODY})
    return body
