"""The demo company, Parc des Lumières: its departments and its employees."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.accounts.services import EmployeeIn, department_ensure, employee_create
from socius.demo.names import address_part

COMPANY_NAME = "Parc des Lumières"
EMAIL_DOMAIN = "parc-lumieres.demo"


@dataclass(frozen=True)
class DepartmentPlan:
    slug: str
    name: str
    staff: tuple[tuple[str, int], ...]
    """(role, head count) at scale 1; the first role listed is filled first."""


DEPARTMENTS = (
    DepartmentPlan("direction", "Direction", ((Role.MANAGER, 1), (Role.EMPLOYEE, 2))),
    DepartmentPlan("marketing", "Marketing", ((Role.MANAGER, 1), (Role.EMPLOYEE, 5))),
    DepartmentPlan("ventes", "Ventes", ((Role.MANAGER, 1), (Role.EMPLOYEE, 5))),
    DepartmentPlan("service-client", "Service client", ((Role.MANAGER, 1), (Role.AGENT, 9))),
    DepartmentPlan("rh", "RH", ((Role.MANAGER, 1), (Role.HR, 3))),
    DepartmentPlan(
        "informatique", "Informatique", ((Role.MANAGER, 1), (Role.ADMIN, 1), (Role.EMPLOYEE, 2))
    ),
    DepartmentPlan("exploitation", "Exploitation", ((Role.MANAGER, 1), (Role.EMPLOYEE, 6))),
)


@dataclass(frozen=True)
class EmployeePlan:
    email: str
    full_name: str
    department_slug: str
    role: str


@dataclass(frozen=True)
class Staff:
    """Employees' ids by department, to pick a plausible actor for each activity."""

    department_ids: dict[str, int]
    members: dict[str, tuple[int, ...]]


def _full_name(fake: Faker, rng: random.Random) -> str:
    given = fake.first_name_female() if rng.random() < 0.5 else fake.first_name_male()
    return f"{given} {fake.last_name()}"


def _work_email(full_name: str, taken: set[str]) -> str:
    given, _space, family = full_name.partition(" ")
    local = f"{address_part(given, separator='-')}.{address_part(family, separator='-')}"
    email, homonyms = f"{local}@{EMAIL_DOMAIN}", 1
    while email in taken:
        homonyms += 1
        email = f"{local}{homonyms}@{EMAIL_DOMAIN}"
    taken.add(email)
    return email


def company_plan(*, seed: int, staff_scale: int) -> list[EmployeePlan]:
    """Everyone on the payroll, in a fixed order: the same seed gives the same people."""
    rng = random.Random(f"company:{seed}")
    fake = Faker("fr_FR")
    fake.seed_instance(f"company:{seed}")
    taken: set[str] = set()
    plan = []
    for department in DEPARTMENTS:
        for role, count in department.staff:
            for _index in range(count * staff_scale):
                full_name = _full_name(fake, rng)
                email = _work_email(full_name, taken)
                plan.append(EmployeePlan(email, full_name, department.slug, role))
    return plan


HIRED_DAYS_AGO = 730


@transaction.atomic
def company_create(*, plan: list[EmployeePlan], password: str) -> tuple[Staff, list[User]]:
    department_ids = {
        department.slug: department_ensure(slug=department.slug, name=department.name).pk
        for department in DEPARTMENTS
    }
    users = [
        employee_create(
            data=EmployeeIn(
                email=employee.email,
                full_name=employee.full_name,
                department_slug=employee.department_slug,
                role=employee.role,
                password=password,
            )
        )
        for employee in plan
    ]
    # The park's staff have worked there for years, not since the demo was built: figures
    # over time (who had acknowledged the charter by each week) count them from then.
    hired = timezone.now() - timedelta(days=HIRED_DAYS_AGO)
    User.objects.filter(pk__in=[user.pk for user in users]).update(date_joined=hired)
    for user in users:
        user.date_joined = hired
    return staff_from(plan, [user.pk for user in users], department_ids), users


def staff_from(
    plan: list[EmployeePlan], employee_ids: list[int], department_ids: dict[str, int]
) -> Staff:
    members: dict[str, list[int]] = {slug: [] for slug in department_ids}
    for employee, employee_id in zip(plan, employee_ids, strict=True):
        members[employee.department_slug].append(employee_id)
    return Staff(
        department_ids=department_ids,
        members={slug: tuple(ids) for slug, ids in members.items()},
    )
