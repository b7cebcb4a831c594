"""Every department has its space; its employees are members while they belong to it."""

from __future__ import annotations

import pytest

from socius.accounts.services import department_ensure, department_rename
from socius.collab.models import Membership, Space
from socius.collab.services import space_create, space_member_add
from socius.conftest import Cast, make_employee

pytestmark = pytest.mark.django_db


def members(space: Space) -> set[str]:
    return set(space.memberships.values_list("user__email", flat=True))


def test_a_department_gets_a_public_space_renamed_with_it(cast: Cast) -> None:
    department = department_ensure(slug="billetterie", name="Billetterie")

    space = Space.objects.get(department=department)
    assert (space.name, space.visibility, space.slug) == (
        "Billetterie",
        "public",
        "billetterie",
    )
    department_rename(department=department, name="Billetterie et accueil", actor=cast.admin)
    space.refresh_from_db()
    assert space.name == "Billetterie et accueil"
    assert Space.objects.filter(department=department).count() == 1


def test_employees_are_members_of_their_departments_space_only_while_there(cast: Cast) -> None:
    marketing = Space.objects.get(department__slug="marketing")
    service = Space.objects.get(department__slug="service-client")
    bruno = cast.colleague  # in marketing
    assert bruno.email in members(marketing)
    # He also joins the customer-care space by himself: that one is his own choice.
    space_member_add(actor=bruno, space=service, user=bruno)

    bruno.department = department_ensure(slug="service-client")
    bruno.save()

    assert bruno.email not in members(marketing)
    assert Membership.objects.get(space=service, user=bruno).from_department is False
    bruno.is_active = False
    bruno.save()
    assert bruno.email in members(service)  # not given by the department: kept
    assert not Membership.objects.filter(user=bruno, from_department=True).exists()


def test_a_new_employee_joins_their_departments_space(cast: Cast) -> None:
    space_create(actor=cast.agent, name="Autre", visibility="public")

    hired = make_employee("nina.roy@example.com", "Nina Roy", "marketing")

    assert hired.email in members(Space.objects.get(department__slug="marketing"))
    assert Membership.objects.filter(user=hired).count() == 1
