"""The directory through the API: departments, colleagues, a profile, and my own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.collab.models import Profile, Space
from socius.collab.services import post_create, space_create
from socius.collab.services.profiles import ProfileIn, profile_update
from socius.conftest import Cast, make_employee
from socius.core.models import Activity

pytestmark = pytest.mark.django_db

# Each call reads its token; then the list reads one page, a profile reads the colleague,
# their spaces and posts, a search ranks then reads the colleagues.
API_QUERIES = (1 + 1) + (1 + 3) + (1 + 2)


def client_of(user: User, scopes: tuple[str, ...] = ("collab:read", "collab:write")) -> Client:
    secret = token_create(user=user, name="tests", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def put_me(client: Client, data: dict[str, Any]) -> Any:
    return client.put("/api/v1/collab/people/me", json.dumps(data), content_type="application/json")


def leave(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def test_departments_come_with_their_active_colleague_counts(cast: Cast) -> None:
    leave(make_employee("gil.morel@example.com", "Gil Morel", "marketing"))

    response = client_of(cast.agent).get("/api/v1/collab/departments")

    assert response.status_code == 200
    assert {d["slug"]: d["colleagues"] for d in response.json()} == {
        "exploitation": 1,
        "informatique": 1,
        "marketing": 1,
        "service-client": 1,
    }


def test_colleagues_are_listed_by_name_page_by_page(cast: Cast) -> None:
    eve = make_employee("eve.durand@example.com", "Ève Durand", "marketing")
    leave(make_employee("gil.morel@example.com", "Gil Morel", "marketing"))
    client = client_of(cast.agent)

    everyone = client.get("/api/v1/collab/people").json()
    marketing = client.get("/api/v1/collab/people", {"department": "marketing"}).json()

    names = [person["name"] for person in everyone["items"]]
    assert names == ["Alice Martin", "Bruno Petit", "Chloé Roux", "Denis Lambert", "Ève Durand"]
    assert [person["id"] for person in marketing["items"]] == [cast.colleague.pk, eve.pk]
    assert marketing["next_cursor"] is None


def test_colleagues_are_found_by_skill_within_a_department(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(skills="Excel, Négociation"))
    profile_update(actor=cast.outsider, data=ProfileIn(ask_me_about="négociation"))
    client = client_of(cast.agent)

    everywhere = client.get("/api/v1/collab/people", {"q": "negociation"}).json()
    marketing = client.get(
        "/api/v1/collab/people", {"q": "negociation", "department": "marketing"}
    ).json()

    assert {person["id"] for person in everywhere["items"]} == {
        cast.colleague.pk,
        cast.outsider.pk,
    }
    assert [person["id"] for person in marketing["items"]] == [cast.colleague.pk]
    assert marketing["items"][0]["skills"] == ["Excel", "Négociation"]


def test_an_unknown_department_or_a_short_query_is_a_clear_error(cast: Cast) -> None:
    client = client_of(cast.agent)

    unknown = client.get("/api/v1/collab/people", {"department": "nowhere"})
    short = client.get("/api/v1/collab/people", {"q": "*"})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (short.status_code, short.json()["code"]) == (422, "query_too_short")


def test_a_profile_shows_only_what_the_caller_may_see(cast: Cast) -> None:
    profile_update(
        actor=cast.colleague,
        data=ProfileIn(title="Chef de projet", about="**Salut** <script>x()</script>"),
    )
    public = space_create(actor=cast.colleague, name="Salons", visibility="public")
    secret = space_create(actor=cast.colleague, name="Rachat", visibility="secret")
    private = space_create(actor=cast.colleague, name="Budget", visibility="private")
    shown = post_create(actor=cast.colleague, space=public, body="Salon de *Lyon*")
    post_create(actor=cast.colleague, space=private, body="Budget caché")

    response = client_of(cast.outsider).get(f"/api/v1/collab/people/{cast.colleague.pk}")

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["department"], body["title"]) == (
        "Bruno Petit",
        "Marketing",
        "Chef de projet",
    )
    assert body["about_html"] == "<p><strong>Salut</strong> &lt;script&gt;x()&lt;/script&gt;</p>\n"
    department_space = Space.objects.get(department=cast.colleague.department)
    # Closed spaces the caller is not in stay unnamed: their members are theirs to know.
    assert [space["name"] for space in body["spaces"]] == ["Marketing", "Salons"]
    assert [space["id"] for space in body["spaces"]] == [department_space.pk, public.pk]
    assert {secret.pk, private.pk}.isdisjoint(space["id"] for space in body["spaces"])
    assert [(p["id"], p["excerpt"]) for p in body["recent_posts"]] == [(shown.pk, "Salon de Lyon")]


def test_an_inactive_colleague_is_not_found(cast: Cast) -> None:
    leave(cast.colleague)

    response = client_of(cast.agent).get(f"/api/v1/collab/people/{cast.colleague.pk}")

    assert response.status_code == 404


def test_i_update_my_profile(cast: Cast) -> None:
    response = put_me(
        client_of(cast.colleague),
        {"title": "Graphiste", "skills": "Figma, Canva", "ask_me_about": "Logos", "about": "Hi"},
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["skills"]) == (
        "Graphiste",
        ["Figma", "Canva"],
    )
    assert Profile.objects.get(user=cast.colleague).ask_me_about == "Logos"
    assert Activity.objects.filter(verb="collab.profile_updated").count() == 1
    mine = client_of(cast.colleague).get("/api/v1/collab/people/me").json()
    assert mine["id"] == cast.colleague.pk


@pytest.mark.parametrize("data", [{"title": "x" * 121}, {"unknown": "field"}, {"skills": 12}])
def test_a_bad_profile_is_refused_and_nothing_changes(cast: Cast, data: dict[str, Any]) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(title="Stagiaire"))

    response = put_me(client_of(cast.colleague), data)

    assert response.status_code == 422
    assert Profile.objects.get(user=cast.colleague).title == "Stagiaire"
    assert Activity.objects.filter(verb="collab.profile_updated").count() == 1


def test_updating_needs_the_write_scope(cast: Cast) -> None:
    response = put_me(client_of(cast.colleague, scopes=("collab:read",)), {"title": "Pirate"})

    assert response.status_code == 403
    assert not Profile.objects.filter(user=cast.colleague).exists()


def test_the_lists_cost_the_same_queries_whatever_the_data(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = client_of(cast.agent)
    client.get("/api/v1/collab/departments")  # the token's last use is recorded once a while
    lobby = space_create(actor=cast.colleague, name="Salons", visibility="public")

    def calls() -> None:
        for url in ("/api/v1/collab/people", f"/api/v1/collab/people/{cast.colleague.pk}"):
            assert client.get(url).status_code == 200
        assert client.get("/api/v1/collab/people", {"q": "excel"}).status_code == 200

    profile_update(actor=cast.colleague, data=ProfileIn(skills="Excel"))
    post_create(actor=cast.colleague, space=lobby, body="Premier")
    with django_assert_num_queries(API_QUERIES):
        calls()
    for number in range(8):
        colleague = make_employee(f"m{number}@example.com", f"Mark {number}", "marketing")
        profile_update(actor=colleague, data=ProfileIn(skills="Excel"))
        post_create(actor=cast.colleague, space=lobby, body=f"Post {number}")
    with django_assert_num_queries(API_QUERIES):
        calls()
