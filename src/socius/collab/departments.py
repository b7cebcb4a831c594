"""Every department has its space, and its employees are its members.

Kept in sync from the accounts context's saves (signals, connected in ``apps.py``): the
accounts context knows nothing of spaces. A department's space is public and named after
it; an employee is a member of their department's space for as long as they belong to the
department and are active. Memberships given this way are marked ``from_department``: a
colleague who joined another department's space by themselves keeps it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from socius.accounts.models import Department, User
from socius.collab.models import Membership, Space


def department_space_ensure(department: Department) -> Space:
    """The department's space, created if missing and renamed with the department."""
    space = Space.objects.filter(department=department).first()
    if space is None:
        slug = slugify(department.slug)[:130]
        if Space.objects.filter(slug=slug).exists():
            slug = f"{slug}-{department.pk}"
        try:
            with transaction.atomic():
                return Space.objects.create(
                    name=department.name,
                    slug=slug,
                    visibility=Space.Visibility.PUBLIC,
                    department=department,
                )
        except IntegrityError:  # created concurrently
            return Space.objects.get(department=department)
    if space.name != department.name:
        space.name = department.name
        space.save(update_fields=["name"])
    return space


def employee_spaces_sync(user: User) -> None:
    """Make the employee a member of their department's space and of no other by office."""
    given = Membership.objects.filter(user=user, from_department=True)
    if not user.is_active or user.department is None:
        given.delete()
        return
    space = department_space_ensure(user.department)
    membership, _created = Membership.objects.get_or_create(
        space=space, user=user, defaults={"from_department": True}
    )
    given.exclude(pk=membership.pk).delete()


def on_department_saved(sender: Any, instance: Department, **kwargs: Any) -> None:
    department_space_ensure(instance)


def on_user_saved(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= {"last_login", "password", "language"}:
        return  # a sign-in or a preference: department and activity are unchanged
    if not raw:  # fixtures load rows as they are
        employee_spaces_sync(instance)
