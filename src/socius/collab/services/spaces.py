"""Spaces and their members: creation, settings, archive, roles, leaving."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Membership, Space
from socius.collab.selectors import is_space_owner
from socius.collab.services.common import NotASpaceOwner, append_activity, ensure_writable
from socius.core.errors import Conflict, Forbidden, InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.space_created": _("Space created"),
        "collab.space_updated": _("Space settings changed"),
        "collab.space_archived": _("Space archived"),
        "collab.space_unarchived": _("Space brought back from the archive"),
        "collab.member_added": _("Member added to a space"),
        "collab.member_removed": _("Member removed from a space"),
        "collab.member_left": _("Member left a space"),
        "collab.member_role_changed": _("Member's role in a space changed"),
    }
)

MAX_NAME, MAX_GOAL, MAX_DESCRIPTION = 120, 300, 5000


class LastOwner(Conflict):
    code = "last_owner"
    default_message = _("A space keeps at least one owner: name another owner first.")


class DepartmentMembership(Forbidden):
    code = "department_membership"
    default_message = _(
        "Employees belong to their department's space for as long as they work there."
    )


class DepartmentSpaceAdminOnly(Forbidden):
    code = "department_space_admin_only"
    default_message = _("Only an administrator may archive a department's space.")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "space"
    slug, number = base, 2
    while Space.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(details={"field": "name", "max_length": MAX_NAME})
    return name


def ensure_owner(*, actor: User, space: Space) -> None:
    if not is_space_owner(user=actor, space=space):
        raise NotASpaceOwner(details={"space": space.pk})


def _space_insert(*, name: str, visibility: str, description: str, goal: str, actor: User) -> Space:
    # Two spaces created at once under one name may pick the same free slug: the unique
    # constraint refuses the second, which takes the next one.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return Space.objects.create(
                    name=name,
                    slug=_unique_slug(name),
                    visibility=visibility,
                    description=description,
                    goal=goal[:MAX_GOAL],
                    created_by=actor,
                )
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def space_create(
    *, actor: User, name: str, visibility: str, description: str = "", goal: str = ""
) -> Space:
    """Create a space; its creator is its first owner."""
    name = _clean_name(name)
    if visibility not in Space.Visibility.values:
        raise InvalidInput(details={"field": "visibility", "allowed": Space.Visibility.values})
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(details={"field": "description", "max_length": MAX_DESCRIPTION})
    space = _space_insert(
        name=name, visibility=visibility, description=description, goal=goal, actor=actor
    )
    Membership.objects.create(space=space, user=actor, role=Membership.Role.OWNER)
    # Counted for adoption like any other; a secret space's name stays out of the log.
    summary = "" if visibility == Space.Visibility.SECRET else name
    append_activity(actor, "collab.space_created", space, space, summary=summary)
    return space


@transaction.atomic
def space_update(
    *,
    actor: User,
    space: Space,
    name: str | None = None,
    description: str | None = None,
    goal: str | None = None,
) -> Space:
    """Owners change the name, description and goal; ``None`` keeps a field as it is."""
    ensure_writable(space)
    ensure_owner(actor=actor, space=space)
    changed: list[str] = []
    if name is not None and name.strip() != space.name:
        if space.department_id is not None:  # it follows the department's name
            raise InvalidInput(details={"field": "name", "reason": "named_after_its_department"})
        space.name = _clean_name(name)
        changed.append("name")
    if description is not None and description != space.description:
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput(details={"field": "description", "max_length": MAX_DESCRIPTION})
        space.description = description
        changed.append("description")
    if goal is not None and goal.strip() != space.goal:
        if len(goal.strip()) > MAX_GOAL:
            raise InvalidInput(details={"field": "goal", "max_length": MAX_GOAL})
        space.goal = goal.strip()
        changed.append("goal")
    if changed:
        space.save(update_fields=changed)
        append_activity(actor, "collab.space_updated", space, space, summary=",".join(changed))
    return space


def may_archive(*, user: User, space: Space) -> bool:
    """Owners archive their space; a department's space, only an administrator."""
    if space.department_id is not None:
        return user.is_admin
    return is_space_owner(user=user, space=space)


def _ensure_may_archive(*, actor: User, space: Space) -> None:
    if may_archive(user=actor, space=space):
        return
    if space.department_id is not None:
        raise DepartmentSpaceAdminOnly(details={"space": space.pk})
    raise NotASpaceOwner(details={"space": space.pk})


@transaction.atomic
def space_archive(*, actor: User, space: Space) -> Space:
    """Archived: still readable by those who could, changed by nobody, hidden from lists."""
    _ensure_may_archive(actor=actor, space=space)
    now = timezone.now()
    if Space.objects.filter(pk=space.pk, archived_at__isnull=True).update(archived_at=now):
        space.archived_at = now
        append_activity(actor, "collab.space_archived", space, space)
    else:
        space.refresh_from_db(fields=["archived_at"])
    return space


@transaction.atomic
def space_unarchive(*, actor: User, space: Space) -> Space:
    _ensure_may_archive(actor=actor, space=space)
    if Space.objects.filter(pk=space.pk, archived_at__isnull=False).update(archived_at=None):
        append_activity(actor, "collab.space_unarchived", space, space)
    space.archived_at = None
    return space


@transaction.atomic
def space_member_add(*, actor: User, space: Space, user: User) -> Membership:
    """An owner adds a colleague; anyone may join a public space themselves."""
    ensure_writable(space)
    joining_public = user.pk == actor.pk and space.visibility == Space.Visibility.PUBLIC
    if not joining_public:
        ensure_owner(actor=actor, space=space)
    if not user.is_active:
        raise InvalidInput(details={"field": "user", "reason": "inactive"})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(space=space, user=user)
    except IntegrityError:  # already a member: adding twice changes nothing
        return Membership.objects.get(space=space, user=user)
    append_activity(actor, "collab.member_added", membership, space)
    return membership


def _ensure_another_owner_remains(membership: Membership) -> None:
    """Refuse to take away the last active owner (a deactivated colleague manages nothing);
    locks the owners so two owners cannot both go."""
    owners = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(space_id=membership.space_id, role=Membership.Role.OWNER)
        .order_by("pk")
        .values_list("pk", "user__is_active")
    )
    if not [pk for pk, is_active in owners if is_active and pk != membership.pk]:
        raise LastOwner(details={"space": membership.space_id})


@transaction.atomic
def space_member_remove(*, actor: User, membership: Membership) -> None:
    """An owner removes a member, or a member leaves (even an archived space)."""
    space = membership.space
    leaving = membership.user_id == actor.pk
    if not leaving:
        ensure_writable(space)
        ensure_owner(actor=actor, space=space)
    if membership.from_department and space.department_id is not None:
        raise DepartmentMembership(details={"space": space.pk})
    if membership.role == Membership.Role.OWNER:
        _ensure_another_owner_remains(membership)
    Membership.objects.filter(pk=membership.pk).delete()
    verb = "collab.member_left" if leaving else "collab.member_removed"
    append_activity(actor, verb, space, space)


@transaction.atomic
def space_member_role_set(*, actor: User, membership: Membership, role: str) -> Membership:
    """Owners promote members to owners and step owners (themselves included) down."""
    space = membership.space
    ensure_writable(space)
    ensure_owner(actor=actor, space=space)
    if role not in Membership.Role.values:
        raise InvalidInput(details={"field": "role", "allowed": Membership.Role.values})
    if role == membership.role:
        return membership
    if membership.role == Membership.Role.OWNER:
        _ensure_another_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    append_activity(actor, "collab.member_role_changed", membership, space, summary=role)
    return membership
