"""The social-media charter: versions, acknowledgment, the posting gate, rates, reminders."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.errors import Forbidden
from socius.core.models import Activity
from socius.insights.errors import CharterNotPublishable, CharterTextChanged
from socius.insights.models import Acknowledgment, AppendOnly, CharterVersion
from socius.insights.selectors import (
    acknowledgment_by_department,
    acknowledgment_over_time,
    charter_binding_version,
    charter_current,
    charter_pending_for,
    may_post_publicly,
)
from socius.insights.services import (
    charter_acknowledge,
    charter_publish,
    charter_reminders_send,
    charter_version_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(cast: Cast) -> User:
    return make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)


def published(hr: User, body: str = "Be kind.", *, material: bool = True) -> CharterVersion:
    version = charter_version_create(actor=hr, title="Charte", body=body, material=material)
    return charter_publish(actor=hr, version=version)


def acknowledge(user: User, version: CharterVersion) -> Acknowledgment:
    return charter_acknowledge(user=user, version=version, body_sha256=version.body_sha256)


def staff(department: str, count: int) -> list[User]:
    return [
        make_employee(f"{department}{i}@example.com", f"{department} {i}", department)
        for i in range(count)
    ]


class TestVersions:
    def test_a_draft_is_not_current_until_published(self, hr: User) -> None:
        draft = charter_version_create(actor=hr, title="Charte", body="Text", material=True)
        assert draft.status == CharterVersion.Status.DRAFT
        assert charter_current() is None
        charter_publish(actor=hr, version=draft)
        assert charter_current() == draft
        assert Activity.objects.filter(verb="charter.published").count() == 1

    def test_the_latest_published_version_is_current(self, hr: User) -> None:
        first = published(hr, "One")
        second = published(hr, "Two", material=False)
        assert second.number == first.number + 1
        assert charter_current() == second
        assert charter_binding_version() == first

    def test_a_version_is_published_once(self, hr: User) -> None:
        version = published(hr)
        with pytest.raises(CharterNotPublishable) as refused:
            charter_publish(actor=hr, version=version)
        assert refused.value.status_code == 409

    def test_an_employee_without_the_capability_cannot_draft_or_publish(
        self, cast: Cast, hr: User
    ) -> None:
        draft = charter_version_create(actor=hr, title="Charte", body="Text", material=True)
        with pytest.raises(Forbidden):
            charter_version_create(actor=cast.colleague, title="x", body="y", material=True)
        with pytest.raises(Forbidden):
            charter_publish(actor=cast.colleague, version=draft)
        draft.refresh_from_db()
        assert draft.status == CharterVersion.Status.DRAFT


class TestAcknowledgment:
    def test_a_material_version_asks_again_and_a_minor_one_does_not(
        self, cast: Cast, hr: User
    ) -> None:
        first = published(hr, "One")
        assert charter_pending_for(cast.colleague)
        acknowledge(cast.colleague, first)
        assert not charter_pending_for(cast.colleague)
        published(hr, "One, reworded", material=False)
        assert not charter_pending_for(cast.colleague)
        published(hr, "Two", material=True)
        assert charter_pending_for(cast.colleague)

    def test_acknowledging_a_later_minor_version_satisfies_the_material_one(
        self, cast: Cast, hr: User
    ) -> None:
        published(hr, "One")
        minor = published(hr, "One, reworded", material=False)
        acknowledge(cast.colleague, minor)
        assert not charter_pending_for(cast.colleague)

    def test_a_hash_that_is_not_the_current_text_is_refused(self, cast: Cast, hr: User) -> None:
        first = published(hr, "One")
        with pytest.raises(CharterTextChanged) as refused:
            charter_acknowledge(user=cast.colleague, version=first, body_sha256="0" * 64)
        assert refused.value.status_code == 409
        second = published(hr, "Two")
        # The old page's version and hash no longer describe the current text.
        with pytest.raises(CharterTextChanged):
            acknowledge(cast.colleague, first)
        assert not Acknowledgment.objects.exists()
        assert acknowledge(cast.colleague, second).body_sha256 == second.body_sha256

    def test_acknowledging_twice_keeps_the_first_record(self, cast: Cast, hr: User) -> None:
        version = published(hr)
        first = acknowledge(cast.colleague, version)
        again = acknowledge(cast.colleague, version)
        assert again.pk == first.pk
        assert again.acknowledged_at == first.acknowledged_at
        assert Activity.objects.filter(verb="charter.acknowledged").count() == 1

    def test_an_acknowledgment_is_never_changed(self, cast: Cast, hr: User) -> None:
        record = acknowledge(cast.colleague, published(hr))
        record.body_sha256 = "f" * 64
        with pytest.raises(AppendOnly):
            record.save()

    def test_the_posting_gate_follows_the_binding_version_and_the_setting(
        self, cast: Cast, hr: User, settings: Any
    ) -> None:
        assert may_post_publicly(cast.colleague)
        version = published(hr)
        assert not may_post_publicly(cast.colleague)
        settings.CHARTER_GATE_POSTING = False
        assert may_post_publicly(cast.colleague)
        settings.CHARTER_GATE_POSTING = True
        acknowledge(cast.colleague, version)
        assert may_post_publicly(cast.colleague)


class TestRatesPerDepartment:
    def test_a_department_of_four_never_has_its_own_figure(self, cast: Cast, hr: User) -> None:
        sales = staff("ventes", 5)
        small = staff("juridique", 4)
        version = published(hr)
        for user in sales[:4] + small[:1]:
            acknowledge(user, version)
        rows = {row["slug"]: row for row in acknowledgment_by_department()}
        assert "juridique" not in rows
        assert rows["ventes"] == {
            "department": rows["ventes"]["department"],
            "slug": "ventes",
            "employees": 5,
            "acknowledged": 4,
            "rate": 80.0,
        }
        # The cast's departments of one or two people and the four lawyers are merged.
        assert rows["other"]["employees"] == User.objects.count() - 5
        assert all(row["employees"] >= 5 for row in rows.values())

    def test_a_merged_group_still_too_small_is_hidden(self, db: None) -> None:
        make_employee("x@example.com", "X", "a")
        hr = make_employee("y@example.com", "Y", "b", Role.HR)
        published(hr)
        assert acknowledgment_by_department() == []

    def test_the_rate_over_time_is_cumulative_per_week(self, cast: Cast, hr: User) -> None:
        sales = staff("ventes", 5)
        version = published(hr)
        acknowledge(sales[0], version)
        now = timezone.now()
        Acknowledgment.objects.filter(user=sales[0]).update(acknowledged_at=now - timedelta(days=8))
        CharterVersion.objects.filter(pk=version.pk).update(published_at=now - timedelta(days=9))
        User.objects.update(date_joined=now - timedelta(days=30))
        acknowledge(sales[1], version)
        later = timezone.now()
        series = {row["slug"]: row["weeks"] for row in acknowledgment_over_time(weeks=3, now=later)}
        # Two weeks ago nothing was published yet: no figure, rather than a zero.
        assert [week["acknowledged"] for week in series["ventes"]] == [None, 1, 2]
        assert [week["rate"] for week in series["ventes"]] == [None, 20.0, 40.0]
        assert all(
            week["employees"] is None or week["employees"] >= 5
            for weeks in series.values()
            for week in weeks
        )


class TestPage:
    def test_an_employee_reads_and_acknowledges_the_text_shown(self, cast: Cast, hr: User) -> None:
        version = published(hr, "**Be kind.**")
        client = signed_in_client(cast.colleague)
        page = client.get(reverse("insights:charter"))
        assert page.status_code == 200
        assert b"<strong>Be kind.</strong>" in page.content
        assert version.body_sha256.encode() in page.content
        assert b"charter-draft" not in page.content  # HR's tools are not shown
        response = client.post(
            reverse("insights:charter-acknowledge"),
            {"version": version.pk, "body_sha256": version.body_sha256},
        )
        assert response.status_code == 302
        assert Acknowledgment.objects.filter(user=cast.colleague, version=version).exists()
        assert (
            b'data-testid="charter-acknowledged"' in client.get(reverse("insights:charter")).content
        )

    def test_a_stale_hash_is_refused_with_409(self, cast: Cast, hr: User) -> None:
        version = published(hr)
        response = signed_in_client(cast.colleague).post(
            reverse("insights:charter-acknowledge"),
            {"version": version.pk, "body_sha256": "0" * 64},
        )
        assert response.status_code == 409
        assert not Acknowledgment.objects.exists()

    def test_the_acknowledgment_needs_csrf(self, cast: Cast, hr: User) -> None:
        version = published(hr)
        client = Client(enforce_csrf_checks=True)
        client.force_login(cast.colleague)
        response = client.post(
            reverse("insights:charter-acknowledge"),
            {"version": version.pk, "body_sha256": version.body_sha256},
        )
        assert response.status_code == 403
        assert not Acknowledgment.objects.exists()

    def test_hr_drafts_and_publishes_from_the_page(self, hr: User) -> None:
        client = signed_in_client(hr)
        assert b"charter-draft" in client.get(reverse("insights:charter")).content
        response = client.post(
            reverse("insights:charter-draft"),
            {"title": "Charte", "body": "Text", "material": "on"},
        )
        assert response.status_code == 302
        version = CharterVersion.objects.get()
        assert version.material
        assert version.status == CharterVersion.Status.DRAFT
        client.post(reverse("insights:charter-publish", args=[version.pk]))
        assert charter_current() == version

    def test_an_employee_cannot_draft_or_publish_from_the_page(self, cast: Cast, hr: User) -> None:
        draft = charter_version_create(actor=hr, title="Charte", body="Text", material=True)
        client = signed_in_client(cast.colleague)
        created = client.post(reverse("insights:charter-draft"), {"title": "x", "body": "y"})
        publish = client.post(reverse("insights:charter-publish", args=[draft.pk]))
        assert created.status_code == 404
        assert publish.status_code == 404
        draft.refresh_from_db()
        assert draft.status == CharterVersion.Status.DRAFT
        assert CharterVersion.objects.count() == 1


class TestApi:
    def test_the_current_version_and_the_rates(self, cast: Cast, hr: User) -> None:
        sales = staff("ventes", 5)
        version = published(hr)
        acknowledge(sales[0], version)
        client = Client()
        secret = token_create(user=hr, name="t", scopes=["insights:read"]).secret
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        body = json.loads(client.get("/api/v1/insights/charter").content)
        assert body["version"]["number"] == version.number
        assert body["version"]["body_sha256"] == version.body_sha256
        ventes = [row for row in body["departments"] if row["employees"] == 5 and row["rate"]]
        assert ventes == [
            {
                "department": ventes[0]["department"],
                "employees": 5,
                "acknowledged": 1,
                "rate": 20.0,
            }
        ]
        assert all(row["employees"] >= 5 for row in body["departments"])

    def test_no_version_yet(self, hr: User) -> None:
        secret = token_create(user=hr, name="t", scopes=["insights:read"]).secret
        response = Client().get("/api/v1/insights/charter", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        assert response.json()["version"] is None

    def test_a_token_without_the_scope_is_refused(self, hr: User) -> None:
        secret = token_create(user=hr, name="t", scopes=["people:read"]).secret
        response = Client().get("/api/v1/insights/charter", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 403
        assert Client().get("/api/v1/insights/charter").status_code == 401


class TestReminders:
    def test_who_has_not_acknowledged_is_reminded_once_a_week(self, cast: Cast, hr: User) -> None:
        version = published(hr)
        acknowledge(cast.colleague, version)
        others = User.objects.filter(is_active=True).exclude(pk=cast.colleague.pk).count()
        now = timezone.now()
        assert charter_reminders_send(now=now) == others
        recipients = {message.to[0] for message in mail.outbox}
        assert cast.colleague.email not in recipients
        assert cast.outsider.email in recipients
        assert charter_reminders_send(now=now + timedelta(days=6)) == 0
        assert charter_reminders_send(now=now + timedelta(days=7, seconds=1)) == others
        assert Activity.objects.filter(verb="charter.reminded").count() == 2 * others

    def test_a_minor_version_sends_no_reminder_to_who_is_in_good_standing(
        self, cast: Cast, hr: User
    ) -> None:
        for user in User.objects.all():
            acknowledge(user, charter_current() or published(hr))
        published(hr, "Reworded", material=False)
        assert charter_reminders_send() == 0
        assert mail.outbox == []


def test_the_social_network_waits_for_the_binding_charter_before_public_posts(
    cast: Cast,
) -> None:
    from socius.collab.models import Post
    from socius.collab.services import post_create, space_create
    from socius.insights.errors import CharterNotAcknowledged
    from socius.insights.selectors import charter_current
    from socius.insights.services import (
        charter_acknowledge,
        charter_publish,
        charter_version_create,
    )

    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    version = charter_version_create(
        actor=cast.admin, title="Charte", body="Soyez courtois.", material=True
    )
    charter_publish(actor=cast.admin, version=version)

    with pytest.raises(CharterNotAcknowledged):
        post_create(actor=cast.agent, space=space, body="Bonjour")
    current = charter_current()
    assert current is not None
    charter_acknowledge(user=cast.agent, version=current, body_sha256=current.body_sha256)
    post_create(actor=cast.agent, space=space, body="Bonjour")

    assert Post.objects.filter(space=space).count() == 1
