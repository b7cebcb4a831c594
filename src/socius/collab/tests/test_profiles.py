"""Editing one's own profile: the service, its Activity, its limits, and the page's form."""

from __future__ import annotations

import pytest
from django.test import Client

from socius.collab.models import Profile
from socius.collab.services.profiles import ProfileIn, profile_update
from socius.conftest import Cast, signed_in_client
from socius.core.errors import InvalidInput
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def test_the_first_save_creates_the_profile_and_appends_an_activity(cast: Cast) -> None:
    profile = profile_update(
        actor=cast.colleague,
        data=ProfileIn(
            title=" Chargé de marketing ",
            skills="SEO,  , Canva ,rédaction",
            ask_me_about="Les salons",
            about="J'aime **le vélo**.",
        ),
    )

    stored = Profile.objects.get(user=cast.colleague)
    assert stored.pk == profile.pk
    assert (stored.title, stored.skills, stored.ask_me_about, stored.about) == (
        "Chargé de marketing",
        "SEO, Canva, rédaction",
        "Les salons",
        "J'aime **le vélo**.",
    )
    activity = Activity.objects.get(verb="collab.profile_updated")
    assert (activity.actor_id, activity.department_id) == (
        cast.colleague.pk,
        cast.colleague.department_id,
    )
    assert (activity.object_type, activity.object_id) == ("collab.profile", str(profile.pk))


def test_a_second_save_updates_the_same_profile(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(title="Stagiaire"))
    profile_update(actor=cast.colleague, data=ProfileIn(title="Chef de produit"))

    assert list(Profile.objects.values_list("user_id", "title")) == [
        (cast.colleague.pk, "Chef de produit")
    ]
    assert Activity.objects.filter(verb="collab.profile_updated").count() == 2


def test_a_too_long_field_is_refused_and_nothing_changes(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(title="Stagiaire"))

    with pytest.raises(InvalidInput) as refused:
        profile_update(actor=cast.colleague, data=ProfileIn(title="x" * 121))

    assert refused.value.details == {"field": "title", "max_length": 120}
    assert Profile.objects.get(user=cast.colleague).title == "Stagiaire"
    assert Activity.objects.filter(verb="collab.profile_updated").count() == 1


def test_the_page_saves_my_profile_and_shows_it(cast: Cast) -> None:
    client = signed_in_client(cast.colleague)
    assert client.get("/collab/people/me/edit/").status_code == 200

    response = client.post(
        "/collab/people/me/edit/",
        {"title": "Graphiste", "skills": "Figma", "ask_me_about": "Logos", "about": "Salut"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/collab/people/{cast.colleague.pk}/"
    assert Profile.objects.get(user=cast.colleague).skills == "Figma"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="profile-title">Graphiste<' in page


def test_the_form_shows_what_is_saved(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(ask_me_about="Les salons"))

    page = signed_in_client(cast.colleague).get("/collab/people/me/edit/").content.decode()

    assert 'value="Les salons"' in page


def test_the_form_refuses_a_too_long_title_and_keeps_the_profile(cast: Cast) -> None:
    profile_update(actor=cast.colleague, data=ProfileIn(title="Stagiaire"))

    response = signed_in_client(cast.colleague).post(
        "/collab/people/me/edit/", {"title": "x" * 121}
    )

    assert response.status_code == 200
    assert "field--invalid" in response.content.decode()
    assert Profile.objects.get(user=cast.colleague).title == "Stagiaire"


def test_the_form_needs_a_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.colleague)

    response = client.post("/collab/people/me/edit/", {"title": "Pirate"})

    assert response.status_code == 403
    assert not Profile.objects.filter(user=cast.colleague).exists()
