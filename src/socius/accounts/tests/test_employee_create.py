from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from socius.accounts.errors import EmailAlreadyUsed, InvalidRole, WeakPassword
from socius.accounts.models import Department, User
from socius.accounts.services import EmployeeIn, employee_create
from socius.core.models import Activity
from socius.people.models import Person
from socius.people.services import IdentifierIn, person_resolve

pytestmark = pytest.mark.django_db


def test_it_creates_the_employee_their_department_and_their_person() -> None:
    user = employee_create(
        data=EmployeeIn(
            email="Emma.Leroy@Example.com",
            full_name="Emma Leroy",
            department_slug="ventes",
            role="manager",
            password="a long enough passphrase",
        )
    )

    assert (user.email, user.role, user.department.slug) == (
        "emma.leroy@example.com",
        "manager",
        "ventes",
    )
    assert user.check_password("a long enough passphrase") is True
    assert user.password.startswith("argon2$argon2id$")
    assert (user.person.given_name, user.person.family_name) == ("Emma", "Leroy")
    assert list(user.person.identifiers.values_list("kind", "value")) == [
        ("email", "emma.leroy@example.com")
    ]
    assert Department.objects.get(slug="ventes").name == "Ventes"
    assert list(Activity.objects.order_by("id").values_list("verb", flat=True)) == [
        "department.created",
        "person.created",
        "employee.created",
    ]


def test_it_reuses_the_person_already_known_by_that_email() -> None:
    known = person_resolve(identifiers=[IdentifierIn("email", "emma@example.com")]).person

    user = employee_create(data=EmployeeIn(email="emma@example.com", full_name="Emma Leroy"))

    assert user.person_id == known.pk
    assert Person.objects.count() == 1


def test_it_refuses_a_second_employee_with_the_same_email_and_writes_nothing() -> None:
    employee_create(data=EmployeeIn(email="emma@example.com", full_name="Emma Leroy"))
    activities = Activity.objects.count()

    with pytest.raises(EmailAlreadyUsed):
        employee_create(
            data=EmployeeIn(email="EMMA@example.com", full_name="Emma Bis", department_slug="rh")
        )

    assert User.objects.count() == 1
    assert Department.objects.filter(slug="rh").exists() is False
    assert Activity.objects.count() == activities


def test_it_refuses_an_unknown_role() -> None:
    with pytest.raises(InvalidRole):
        employee_create(data=EmployeeIn(email="emma@example.com", full_name="Emma", role="king"))

    assert User.objects.count() == 0


def test_it_emails_an_invitation_when_asked(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        employee_create(
            data=EmployeeIn(email="emma@example.com", full_name="Emma Leroy", send_invitation=True)
        )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["emma@example.com"]
    assert "http://127.0.0.1:8000/accounts/password/reset/" in mail.outbox[0].body


def test_the_command_creates_an_employee_and_a_missing_department(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOCIUS_EMPLOYEE_PASSWORD", "a long enough passphrase")

    call_command(
        "employee_create", email="paul@example.com", name="Paul Girard", department="rh", role="hr"
    )

    user = User.objects.get(email="paul@example.com")
    assert (user.role, user.department.slug, user.full_name) == ("hr", "rh", "Paul Girard")
    assert user.check_password("a long enough passphrase") is True
    assert "Created paul@example.com (hr, rh)" in capsys.readouterr().out


def test_createsuperuser_without_input_makes_an_administrator_with_a_person(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase")
    monkeypatch.setenv("DJANGO_SUPERUSER_FULL_NAME", "Rose Admin")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = User.objects.get(email="root@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("admin", True, True)
    assert user.person.given_name == "Rose"


@pytest.mark.parametrize("password", ["abc", "password1234", "123456789012"])
def test_it_refuses_a_weak_password_and_creates_nothing(password: str) -> None:
    with pytest.raises(WeakPassword):
        employee_create(
            data=EmployeeIn(email="emma@example.com", full_name="Emma Leroy", password=password)
        )

    assert User.objects.count() == 0
    assert Person.objects.count() == 0
