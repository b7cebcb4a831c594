from __future__ import annotations

from django.core import mail
from django.utils import translation
from django.utils.html import escape

from socius.accounts.errors import EmailAlreadyUsed
from socius.accounts.models import ApiToken, Department, User
from socius.accounts.services import token_create
from socius.conftest import Cast, signed_in_client


def test_only_administrators_reach_the_employee_pages(cast: Cast) -> None:
    for user in (cast.agent, cast.colleague, cast.outsider):
        client = signed_in_client(user)
        assert client.get("/accounts/admin/employees").status_code == 403
        assert client.get("/accounts/admin/departments").status_code == 403
        assert client.get(f"/accounts/admin/employees/{cast.agent.pk}").status_code == 403

    assert signed_in_client(cast.admin).get("/accounts/admin/employees").status_code == 200


def test_a_non_administrator_cannot_create_an_employee(cast: Cast) -> None:
    response = signed_in_client(cast.agent).post(
        "/accounts/admin/employees",
        {"full_name": "Eve Intruder", "email": "eve@example.com", "role": "admin"},
    )

    assert response.status_code == 403
    assert User.objects.filter(email="eve@example.com").exists() is False


def test_an_administrator_adds_an_employee_who_is_invited_by_email(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    marketing = Department.objects.get(slug="marketing")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(cast.admin).post(
            "/accounts/admin/employees",
            {
                "full_name": "Farid Haddad",
                "email": "farid@example.com",
                "department": marketing.pk,
                "role": "manager",
            },
        )

    assert response.status_code == 302
    employee = User.objects.get(email="farid@example.com")
    assert (employee.role, employee.department_id, employee.has_usable_password()) == (
        "manager",
        marketing.pk,
        False,
    )
    assert [message.to for message in mail.outbox] == [["farid@example.com"]]


def test_adding_an_existing_email_shows_an_error_and_adds_nothing(cast: Cast) -> None:
    response = signed_in_client(cast.admin).post(
        "/accounts/admin/employees",
        {"full_name": "Alice Again", "email": "alice.martin@example.com", "role": "employee"},
    )

    assert response.status_code == 200
    with translation.override("fr"):
        expected = str(EmailAlreadyUsed.default_message)
    assert response.context["form"].non_field_errors() == [expected]
    assert escape(expected) in response.content.decode()
    assert User.objects.filter(email="alice.martin@example.com").count() == 1


def test_deactivating_an_employee_revokes_their_tokens(cast: Cast) -> None:
    token_create(user=cast.colleague, name="Sync", scopes=["people:read"])

    response = signed_in_client(cast.admin).post(
        f"/accounts/admin/employees/{cast.colleague.pk}",
        {"department": cast.colleague.department_id, "role": "employee"},
    )

    assert response.status_code == 302
    cast.colleague.refresh_from_db()
    assert cast.colleague.is_active is False
    assert ApiToken.objects.get().revoked_at is not None


def test_an_unknown_employee_id_gives_404(cast: Cast) -> None:
    response = signed_in_client(cast.admin).get("/accounts/admin/employees/999999")

    assert response.status_code == 404


def test_an_administrator_creates_a_department_from_its_name(cast: Cast) -> None:
    response = signed_in_client(cast.admin).post(
        "/accounts/admin/departments", {"name": "Relations presse", "slug": ""}
    )

    assert response.status_code == 302
    assert Department.objects.get(slug="relations-presse").name == "Relations presse"
