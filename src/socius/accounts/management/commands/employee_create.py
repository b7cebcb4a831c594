from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socius.accounts.roles import Role
from socius.accounts.services import EmployeeIn, employee_create
from socius.core.errors import DomainError
from socius.env import env_secret


class Command(BaseCommand):
    help = (
        "Create an employee (and their department if missing). The password, if any, is read "
        "from SOCIUS_EMPLOYEE_PASSWORD so that it never appears in the shell history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--department", default="", help="Department slug.")
        parser.add_argument("--role", default=Role.EMPLOYEE, choices=Role.values)

    def handle(
        self, *args: Any, email: str, name: str, department: str, role: str, **options: Any
    ) -> None:
        try:
            user = employee_create(
                data=EmployeeIn(
                    email=email,
                    full_name=name,
                    department_slug=department,
                    role=role,
                    password=env_secret("SOCIUS_EMPLOYEE_PASSWORD") or None,
                )
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        where = user.department.slug if user.department else "no department"
        self.stdout.write(f"Created {user.email} ({user.role}, {where}), person #{user.person_id}.")
