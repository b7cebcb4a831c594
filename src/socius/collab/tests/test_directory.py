"""The directory pages: departments with counts, a department's colleagues, a profile."""

from __future__ import annotations

import re
from typing import Any

import pytest

from socius.accounts.models import User
from socius.collab.services import post_create, space_create, space_member_add
from socius.collab.services.profiles import ProfileIn, profile_update
from socius.conftest import Cast, make_employee, signed_in_client

pytestmark = pytest.mark.django_db

# The directory (session, user, departments), a department (session, user, department,
# colleagues) and a profile (session, user, colleague, posts, spaces).
PAGES_QUERIES = 3 + 4 + 5


def leave(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def counts(html: str) -> dict[str, int]:
    found = re.findall(
        r'data-department="([\w-]+)">.*?data-testid="department-count">(\d+)<', html, re.S
    )
    return {slug: int(count) for slug, count in found}


def test_departments_are_listed_with_their_active_colleagues(cast: Cast) -> None:
    make_employee("eve.durand@example.com", "Ève Durand", "marketing")
    leave(make_employee("gil.morel@example.com", "Gil Morel", "marketing"))
    leave(make_employee("hal.petit@example.com", "Hal Petit", "achats"))

    response = signed_in_client(cast.agent).get("/collab/people/")

    assert response.status_code == 200
    assert counts(response.content.decode()) == {
        "exploitation": 1,
        "informatique": 1,
        "marketing": 2,
        "service-client": 1,
    }


def test_a_department_lists_its_active_colleagues_by_name(cast: Cast) -> None:
    eve = make_employee("eve.durand@example.com", "Ève Durand", "marketing")
    leave(make_employee("gil.morel@example.com", "Gil Morel", "marketing"))

    html = signed_in_client(cast.agent).get("/collab/people/departments/marketing/").content
    listed = [int(pk) for pk in re.findall(rb'data-user="(\d+)"', html)]

    assert listed == [cast.colleague.pk, eve.pk]  # Bruno Petit, Ève Durand


def test_an_unknown_department_is_not_found(cast: Cast) -> None:
    response = signed_in_client(cast.agent).get("/collab/people/departments/nowhere/")

    assert response.status_code == 404


def test_a_profile_shows_what_the_colleague_wrote_sanitized(cast: Cast) -> None:
    profile_update(
        actor=cast.colleague,
        data=ProfileIn(
            title="Chef de projet",
            skills="Excel, Canva",
            ask_me_about="Les salons",
            about="**Bonjour** <script>alert(1)</script>",
        ),
    )

    html = signed_in_client(cast.agent).get(f"/collab/people/{cast.colleague.pk}/").content
    page = html.decode()

    assert 'data-testid="profile-name">Bruno Petit<' in page
    assert 'data-testid="profile-title">Chef de projet<' in page
    assert ">Excel</span>" in page
    assert ">Canva</span>" in page
    assert "Les salons" in page
    assert "<strong>Bonjour</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_a_profile_shows_only_posts_and_spaces_the_viewer_may_see(cast: Cast) -> None:
    public = space_create(actor=cast.colleague, name="Salons", visibility="public")
    private = space_create(actor=cast.colleague, name="Budget marketing", visibility="private")
    secret = space_create(actor=cast.colleague, name="Rachat discret", visibility="secret")
    shown = post_create(actor=cast.colleague, space=public, body="Salon de Lyon")
    hidden = post_create(actor=cast.colleague, space=private, body="Budget secret")

    page = signed_in_client(cast.outsider).get(f"/collab/people/{cast.colleague.pk}/")
    html = page.content.decode()

    assert f'data-post="{shown.pk}"' in html
    assert f'data-post="{hidden.pk}"' not in html
    assert f'data-space="{public.pk}"' in html
    # Who belongs to a closed space is for its members, as on its members page.
    assert f'data-space="{private.pk}"' not in html
    assert f'data-space="{secret.pk}"' not in html
    assert "Rachat discret" not in html
    space_member_add(actor=cast.colleague, space=secret, user=cast.outsider)
    member_view = signed_in_client(cast.outsider).get(f"/collab/people/{cast.colleague.pk}/")
    assert f'data-space="{secret.pk}"' in member_view.content.decode()


def test_an_inactive_colleague_has_no_profile_page(cast: Cast) -> None:
    leave(cast.colleague)

    response = signed_in_client(cast.agent).get(f"/collab/people/{cast.colleague.pk}/")

    assert response.status_code == 404


def test_the_directory_search_finds_by_skill_without_accents(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(skills="Négociation"))
    leave(make_employee("eve.durand@example.com", "Ève Négociation", "marketing"))

    html = signed_in_client(cast.agent).get("/collab/people/", {"q": "negociations"}).content

    assert [int(pk) for pk in re.findall(rb'data-user="(\d+)"', html)] == [cast.colleague.pk]


def test_the_pages_cost_the_same_queries_whatever_the_data(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.agent)
    lobby = space_create(actor=cast.colleague, name="Salons", visibility="public")
    profile_update(actor=cast.colleague, data=ProfileIn(skills="Excel"))

    def pages() -> None:
        for url in (
            "/collab/people/",
            "/collab/people/departments/marketing/",
            f"/collab/people/{cast.colleague.pk}/",
        ):
            assert client.get(url).status_code == 200

    post_create(actor=cast.colleague, space=lobby, body="Premier")
    with django_assert_num_queries(PAGES_QUERIES):
        pages()
    for number in range(8):
        colleague = make_employee(f"m{number}@example.com", f"Mark {number}", "marketing")
        profile_update(actor=colleague, data=ProfileIn(skills="Excel"))
        post_create(actor=cast.colleague, space=lobby, body=f"Post {number}")
        space_create(actor=cast.colleague, name=f"Espace {number}", visibility="public")
    with django_assert_num_queries(PAGES_QUERIES):
        pages()
