"""Reads of the employee directory: departments, colleagues and what a viewer sees of them.

Only active colleagues are listed or shown; an inactive one answers "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from socius.accounts.models import Department, User
from socius.collab.models import Membership, Post, Space
from socius.collab.search.backends import backend_for_connection
from socius.collab.search.query import SearchQuery
from socius.collab.selectors import spaces_readable_by
from socius.core.errors import NotFound
from socius.core.pagination import Page, keyset_page

RECENT_POSTS = 10
SPACES_SHOWN = 50


@dataclass(frozen=True)
class DepartmentCount:
    department: Department
    colleagues: int


def departments_with_counts() -> list[DepartmentCount]:
    """Departments that have active colleagues, with how many, by name."""
    departments = (
        Department.objects.annotate(colleagues=Count("members", filter=Q(members__is_active=True)))
        .filter(colleagues__gt=0)
        .order_by("name")
    )
    return [DepartmentCount(department, department.colleagues) for department in departments]


def department_get(*, slug: str) -> Department:
    department = Department.objects.filter(slug=slug).first()
    if department is None:
        raise NotFound()
    return department


def colleagues(*, department: Department | None = None) -> QuerySet[User]:
    found = User.objects.filter(is_active=True).select_related("department", "profile")
    return found.filter(department=department) if department is not None else found


def colleagues_page(
    *, department: Department | None, cursor: str | None, size: int = 50
) -> Page[User]:
    return keyset_page(
        colleagues(department=department), ordering=("full_name", "id"), cursor=cursor, size=size
    )


def colleagues_matching(
    *, query: SearchQuery, department: Department | None, limit: int = 50
) -> list[User]:
    """The best-ranked colleagues for ``query`` (name, title, skills, "ask me about")."""
    ranked = backend_for_connection().people(
        query=query,
        department_id=department.pk if department is not None else None,
        offset=0,
        limit=limit,
    )
    found = colleagues().in_bulk([pk for pk, _score in ranked])
    return [found[pk] for pk, _score in ranked if pk in found]


def colleague_get(*, colleague_id: int) -> User:
    colleague = colleagues().filter(pk=colleague_id).first()
    if colleague is None:
        raise NotFound()
    return colleague


def skills_of(colleague: User) -> list[str]:
    profile = getattr(colleague, "profile", None)
    skills = profile.skills if profile is not None else ""
    return [skill.strip() for skill in skills.split(",") if skill.strip()]


def colleague_recent_posts(*, viewer: User, colleague: User) -> list[Post]:
    """Their latest posts, only in spaces the viewer may read."""
    return list(
        Post.objects.filter(author=colleague, space__in=spaces_readable_by(viewer))
        .select_related("space")
        .order_by("-id")[:RECENT_POSTS]
    )


def colleague_spaces(*, viewer: User, colleague: User) -> list[Space]:
    """Spaces they belong to whose members the viewer may see: public ones and the viewer's
    own. Who belongs to a closed space is for its members (as on its members page)."""
    memberships = Membership.objects.filter(user=colleague).values("space_id")
    return list(
        spaces_readable_by(viewer).filter(pk__in=memberships).order_by("name")[:SPACES_SHOWN]
    )
