"""One colleague cannot flood the network: writes and searches per minute are limited."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from socius.collab.models import Post
from socius.collab.services import post_create, space_create
from socius.conftest import Cast, signed_in_client

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.COLLAB_WRITES_PER_MINUTE = 3
    settings.COLLAB_SEARCHES_PER_MINUTE = 2
    cache.clear()


def test_a_fourth_post_in_a_minute_is_refused_with_retry_after(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    alice = client_of(cast.agent)
    url = f"/api/v1/collab/spaces/{space.pk}/posts"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number in range(3):
            post_create(actor=cast.agent, space=space, body=f"Message {number}")

        refused = alice.post(url, json.dumps({"body": "Encore"}), content_type="application/json")

        assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
        assert refused.headers["Retry-After"] == "60"
        assert Post.objects.count() == 3
        clock.shift(61)
        accepted = alice.post(
            url, json.dumps({"body": "Plus tard"}), content_type="application/json"
        )
        assert accepted.status_code == 201


def test_searching_past_the_limit_answers_429_then_works_again(cast: Cast) -> None:
    alice = client_of(cast.agent)
    page = signed_in_client(cast.agent)
    with time_machine.travel(timezone.now().replace(second=1), tick=False) as clock:
        assert alice.get("/api/v1/collab/search?q=planning").status_code == 200
        assert page.get("/collab/search/?q=planning").status_code == 200

        refused = alice.get("/api/v1/collab/search?q=planning")

        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        clock.shift(60)
        assert alice.get("/api/v1/collab/search?q=planning").status_code == 200
