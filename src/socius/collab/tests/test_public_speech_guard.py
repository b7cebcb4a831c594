"""Another context may keep an employee from speaking in public spaces (the social-media
charter does, until its binding version is acknowledged); private spaces stay open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from socius.collab.models import Comment, Post
from socius.collab.services import comment_create, post_create, space_create
from socius.conftest import Cast
from socius.core import guards
from socius.core.errors import Forbidden

pytestmark = pytest.mark.django_db


class Silenced(Forbidden):
    code = "silenced_for_test"


@pytest.fixture
def silence(cast: Cast) -> Iterator[set[int]]:
    silenced: set[int] = set()

    def guard(user: Any) -> None:
        if user.pk in silenced:
            raise Silenced()

    guards.register_public_speech_guard("test-silence", guard)
    yield silenced
    guards._GUARDS.pop("test-silence")


def test_a_refusing_guard_stops_posts_and_comments_in_public_spaces_only(
    cast: Cast, silence: set[int]
) -> None:
    public = space_create(actor=cast.agent, name="Accueil", visibility="public")
    private = space_create(actor=cast.agent, name="Projet", visibility="private")
    open_post = post_create(actor=cast.agent, space=public, body="Bienvenue")
    silence.add(cast.agent.pk)

    with pytest.raises(Silenced):
        post_create(actor=cast.agent, space=public, body="Encore")
    with pytest.raises(Silenced):
        comment_create(actor=cast.agent, post=open_post, body="Moi aussi")
    post_create(actor=cast.agent, space=private, body="Entre nous")

    assert Post.objects.filter(space=public).count() == 1
    assert not Comment.objects.exists()
    assert Post.objects.filter(space=private).count() == 1
