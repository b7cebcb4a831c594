"""@mentions of colleagues and departments: parsed, recorded, linked, notified to readers."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from socius.collab.models import Mention, Notification, Space
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.collab.services.posts import comment_edit, post_edit
from socius.collab.text import Links, references_in, render_with_links
from socius.conftest import Cast, make_employee, signed_in_client

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


def test_the_syntax_skips_emails_code_and_link_labels() -> None:
    text = (
        "Merci @Bruno.Petit et @marketing. Écrire à bruno.petit@example.com, "
        "`@code` et [voir @lien](https://example.com)\n\n    @bloc\n"
    )

    assert references_in(text).handles == ["bruno.petit", "marketing"]


def test_rendering_links_known_mentions_and_escapes_the_rest() -> None:
    links = Links(people={"bruno.petit": 7}, departments={"marketing": "/collab/spaces/3/"})

    html = str(render_with_links("@bruno.petit <script>x()</script> @marketing @inconnu", links))

    assert '<a href="/collab/people/7/" class="mention"' in html
    assert '<a href="/collab/spaces/3/" class="mention mention--department"' in html
    assert "@inconnu" in html
    assert "/inconnu" not in html
    assert "<script>" not in html


def test_a_mention_in_a_public_post_notifies_the_colleague(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")

    post = post_create(actor=cast.agent, space=space, body="Qu'en penses-tu @bruno.petit ?")

    mention = Mention.objects.get()
    assert (mention.post, mention.comment, mention.user) == (post, None, cast.colleague)
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.thread) == (
        cast.colleague,
        "mention",
        f"post:{post.pk}",
    )
    page = signed_in_client(cast.colleague).get(reverse("collab:post-detail", args=[post.pk]))
    assert f'href="/collab/people/{cast.colleague.pk}/"' in page.content.decode()


def test_a_mention_in_a_private_space_reaches_only_members(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="RH", visibility="private")
    space_member_add(actor=cast.agent, space=space, user=cast.colleague)

    post_create(actor=cast.agent, space=space, body="@bruno.petit et @chloe.roux, lisez ceci")

    assert set(Mention.objects.values_list("user__email", flat=True)) == {
        "bruno.petit@example.com",
        "chloe.roux@example.com",
    }
    assert list(Notification.objects.values_list("recipient", flat=True)) == [cast.colleague.pk]


def test_a_department_mention_notifies_its_members_who_may_read(cast: Cast) -> None:
    marketing_too = make_employee("emma.leroy@example.com", "Emma Leroy", "marketing")
    space = space_create(actor=cast.agent, name="Lancement", visibility="private")
    space_member_add(actor=cast.agent, space=space, user=cast.colleague)

    post = post_create(actor=cast.agent, space=space, body="Avis de @marketing bienvenu")

    assert Mention.objects.get().department == cast.colleague.department
    assert list(Notification.objects.values_list("recipient", flat=True)) == [cast.colleague.pk]
    assert marketing_too.pk not in Notification.objects.values_list("recipient", flat=True)
    department_space = Space.objects.get(department=cast.colleague.department)
    page = signed_in_client(cast.agent).get(reverse("collab:post-detail", args=[post.pk]))
    assert f'href="/collab/spaces/{department_space.pk}/"' in page.content.decode()


def test_an_edit_notifies_only_the_newly_mentioned(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    post = post_create(actor=cast.agent, space=space, body="Bonjour @bruno.petit")
    Notification.objects.update(read_at="2026-11-01T00:00:00Z")

    post_edit(actor=cast.agent, post=post, body="Bonjour @bruno.petit et @chloe.roux")

    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("recipient", flat=True)) == [cast.outsider.pk]
    post_edit(actor=cast.agent, post=post, body="Bonjour @chloe.roux")
    assert list(Mention.objects.values_list("user", flat=True)) == [cast.outsider.pk]


def test_mentions_in_comments_are_recorded_and_notified(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    post = post_create(actor=cast.agent, space=space, body="Planning")

    comment = comment_create(actor=cast.colleague, post=post, body="Voir avec @chloe.roux")
    comment_edit(actor=cast.colleague, comment=comment, body="Voir avec @chloe.roux, merci")

    mention = Mention.objects.get()
    assert (mention.comment, mention.user) == (comment, cast.outsider)
    notice = Notification.objects.get(kind="mention")
    assert (notice.recipient, notice.event_count) == (cast.outsider, 1)
    api = client_of(cast.agent).get(f"/api/v1/collab/posts/{post.pk}").json()
    assert f"/collab/people/{cast.outsider.pk}/" in api["comments"][0]["body_html"]


def test_an_ambiguous_or_unknown_handle_names_nobody(cast: Cast) -> None:
    make_employee("bruno.petit@example.org", "Bruno Petit bis", "marketing")
    space = space_create(actor=cast.agent, name="Saison", visibility="public")

    response = client_of(cast.agent).post(
        f"/api/v1/collab/spaces/{space.pk}/posts",
        json.dumps({"body": "@bruno.petit @personne"}),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert "/collab/people/" not in response.json()["body_html"]
    assert not Mention.objects.exists()
    assert not Notification.objects.exists()
