"""Reads of the accounts context, each checking who asks."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from socius.accounts.models import ApiToken, Department, User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound


def token_authenticate(*, secret: str) -> ApiToken | None:
    from socius.accounts.services import token_digest

    if not secret.startswith("soc_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def token_get_for_user(*, user: User, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.get(pk=token_id, user=user)
    except ApiToken.DoesNotExist:
        raise NotFound() from None


def employee_list(*, viewer: User, department: Department | None = None) -> QuerySet[User]:
    if not viewer.can(Capability.COLLABORATE):
        return User.objects.none()
    employees = User.objects.select_related("department").order_by("full_name")
    if department is not None:
        employees = employees.filter(department=department)
    return employees


def employee_get_for_admin(*, viewer: User, employee_id: int) -> User:
    if not viewer.can(Capability.MANAGE_ACCOUNTS):
        raise NotFound()
    try:
        return User.objects.select_related("department").get(pk=employee_id)
    except User.DoesNotExist:
        raise NotFound() from None


def department_list() -> QuerySet[Department]:
    return Department.objects.annotate(member_count=Count("members")).order_by("name")


def department_get_by_slug(*, slug: str) -> Department:
    try:
        return Department.objects.get(slug=slug)
    except Department.DoesNotExist:
        raise NotFound() from None
