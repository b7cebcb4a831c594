"""The shared cast of the test suite, built through the real services.

- ``agent``: a customer-care agent in "Service client".
- ``colleague``: an employee of another department (Marketing), who works with the agent.
- ``outsider``: an employee of a third department (Exploitation), who must see nothing
  private of the others.
- ``admin``: an administrator.
- ``customer``: a Person known by email and phone; ``friend``: a Person the customer knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.accounts.services import EmployeeIn, employee_create
from socius.people.models import Person
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.testing import AsgiServer

PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    agent: User
    colleague: User
    outsider: User
    admin: User
    customer: Person
    friend: Person


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["socius.testing.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _writing_faster_than_people(settings: Any) -> None:
    # Tests build dozens of posts in a blink; test_collab_limits checks the real limits.
    settings.COLLAB_WRITES_PER_MINUTE = 10_000
    settings.COLLAB_SEARCHES_PER_MINUTE = 10_000


@pytest.fixture(autouse=True)
def _erasure_log_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    # Erasures append to a log file after commit; tests must never write to the real one.
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"


def make_employee(email: str, name: str, department: str, role: str = Role.EMPLOYEE) -> User:
    return employee_create(
        data=EmployeeIn(
            email=email, full_name=name, department_slug=department, role=role, password=PASSWORD
        )
    )


@pytest.fixture
def cast(db: None) -> Cast:
    customer = person_resolve(
        identifiers=[
            IdentifierIn("email", "claire.dupont@example.org"),
            IdentifierIn("phone", "06 12 34 56 78"),
        ],
        profile=Profile(given_name="Claire", family_name="Dupont"),
    ).person
    friend = person_resolve(
        identifiers=[IdentifierIn("email", "hugo.bernard@example.net")],
        profile=Profile(given_name="Hugo", family_name="Bernard"),
    ).person
    return Cast(
        agent=make_employee(
            "alice.martin@example.com", "Alice Martin", "service-client", Role.AGENT
        ),
        colleague=make_employee("bruno.petit@example.com", "Bruno Petit", "marketing"),
        outsider=make_employee("chloe.roux@example.com", "Chloé Roux", "exploitation"),
        admin=make_employee("denis.admin@example.com", "Denis Lambert", "informatique", Role.ADMIN),
        customer=customer,
        friend=friend,
    )


def browser_sign_in(page: Any, email: str) -> None:
    """Sign an employee of the cast in through the real sign-in page (French labels)."""
    page.goto("/accounts/sign-in")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(cast: Cast) -> Client:
    return signed_in_client(cast.agent)


@pytest.fixture
def administrator_client(cast: Cast) -> Client:
    return signed_in_client(cast.admin)


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    """The real ASGI stack on a free local port, seeing the test database."""
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
