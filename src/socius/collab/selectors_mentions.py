"""Who may be mentioned where: the suggestions of the ``@`` autocomplete.

In a private or secret space only its members are suggested, so that typing ``@`` never
reveals who belongs to it to an outsider (who cannot even ask: the space answers 404), and
a mention never notifies someone who cannot read the post.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

from socius.accounts.models import Department, User
from socius.collab.models import Space
from socius.collab.selectors import space_get_for_user, space_is_readable_by
from socius.core.errors import NotFound

MAX_SUGGESTIONS = 8
MAX_QUERY = 64


@dataclass(frozen=True)
class MentionSuggestion:
    kind: str  # "user" or "department"
    handle: str  # what follows the @ in the text
    label: str
    detail: str


def mention_handle_of(user: User) -> str:
    return user.email.split("@", 1)[0].lower()


def mention_space_get(*, user: User, space_id: int) -> Space:
    """The space a text is written in; a closed one only for its members, else 404."""
    space = space_get_for_user(user=user, space_id=space_id)
    if not space_is_readable_by(user=user, space=space):
        raise NotFound()
    return space


def _shared_handles(handles: list[str]) -> set[str]:
    """Handles that two active colleagues share (same local part, other domains)."""
    if not handles:
        return set()
    wanted = reduce(operator.or_, (Q(email__istartswith=f"{handle}@") for handle in handles))
    local_parts = [
        email.split("@")[0].lower()
        for email in User.objects.filter(wanted, is_active=True).values_list("email", flat=True)
    ]
    return {handle for handle in set(local_parts) if local_parts.count(handle) > 1}


def mention_suggestions(*, user: User, query: str, space: Space | None) -> list[MentionSuggestion]:
    """Colleagues by name or email local part, then departments, at most eight in all.

    ``space`` must come from ``mention_space_get``; three queries whatever the data.
    """
    query = (query or "").strip().lstrip("@")[:MAX_QUERY]
    if not query:
        return []
    closed = space is not None and space.visibility != Space.Visibility.PUBLIC
    colleagues = User.objects.filter(is_active=True).filter(
        Q(full_name__icontains=query) | Q(email__istartswith=query)
    )
    if closed:
        colleagues = colleagues.filter(space_memberships__space=space)
    colleagues = colleagues.select_related("department").order_by("full_name", "pk")
    candidates = list(colleagues[:MAX_SUGGESTIONS])
    shared = _shared_handles([mention_handle_of(c) for c in candidates])
    found = [
        MentionSuggestion(
            "user", mention_handle_of(c), c.full_name, c.department.name if c.department else ""
        )
        for c in candidates
        if mention_handle_of(c) not in shared  # such a handle names nobody when written
    ]
    if not closed:  # a department gathers people outside a closed space
        departments = Department.objects.filter(
            Q(name__icontains=query) | Q(slug__istartswith=query)
        ).order_by("name", "pk")[:MAX_SUGGESTIONS]
        found += [MentionSuggestion("department", d.slug, d.name, "") for d in departments]
    lowered = query.lower()
    # Handles that start with what was typed first, then the rest, each kind by name.
    found.sort(key=lambda s: (not s.handle.startswith(lowered), s.kind != "user", s.label.lower()))
    return found[:MAX_SUGGESTIONS]
