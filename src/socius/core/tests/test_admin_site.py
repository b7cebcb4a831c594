from __future__ import annotations

from socius.conftest import Cast, signed_in_client


def test_the_django_admin_only_lets_administrators_look(cast: Cast) -> None:
    client = signed_in_client(cast.admin)
    department_id = cast.agent.department_id

    listing = client.get("/django-admin/accounts/department/")
    change = client.post(
        f"/django-admin/accounts/department/{department_id}/change/", {"name": "Renamed"}
    )
    delete = client.post(
        f"/django-admin/accounts/department/{department_id}/delete/", {"post": "yes"}
    )
    person = client.get(f"/django-admin/people/person/{cast.customer.pk}/change/")

    assert listing.status_code == 200
    assert change.status_code == 403
    assert delete.status_code == 403
    assert person.status_code == 200
    cast.agent.department.refresh_from_db()
    assert cast.agent.department.name == "Service Client"


def test_employees_who_are_not_administrators_cannot_open_the_django_admin(cast: Cast) -> None:
    response = signed_in_client(cast.agent).get("/django-admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")
