"""Spaces and their members."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Membership, Space
from socius.collab.selectors import membership_of
from socius.collab.services.common import NotASpaceOwner, append_activity, ensure_writable
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.space_created": _("Space created"),
        "collab.member_added": _("Member added to a space"),
    }
)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "space"
    slug, number = base, 2
    while Space.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def space_create(
    *, actor: User, name: str, visibility: str, description: str = "", goal: str = ""
) -> Space:
    """Create a space; its creator is its first owner."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput(details={"field": "name", "max_length": 120})
    if visibility not in Space.Visibility.values:
        raise InvalidInput(details={"field": "visibility", "allowed": Space.Visibility.values})
    space = Space.objects.create(
        name=name,
        slug=_unique_slug(name),
        visibility=visibility,
        description=description,
        goal=goal[:300],
        created_by=actor,
    )
    Membership.objects.create(space=space, user=actor, role=Membership.Role.OWNER)
    if visibility != Space.Visibility.SECRET:  # a secret space leaves no public trace
        append_activity(actor, "collab.space_created", space, space, summary=name)
    return space


@transaction.atomic
def space_member_add(*, actor: User, space: Space, user: User) -> Membership:
    """An owner adds a colleague; anyone may join a public space themselves."""
    ensure_writable(space)
    joining_public = user.pk == actor.pk and space.visibility == Space.Visibility.PUBLIC
    own = membership_of(user=actor, space=space)
    if not joining_public and (own is None or own.role != Membership.Role.OWNER):
        raise NotASpaceOwner(details={"space": space.pk})
    if not user.is_active:
        raise InvalidInput(details={"field": "user", "reason": "inactive"})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(space=space, user=user)
    except IntegrityError:  # already a member: adding twice changes nothing
        return Membership.objects.get(space=space, user=user)
    append_activity(actor, "collab.member_added", membership, space)
    return membership
