"""The social network's demo generator: deterministic, consistent with the services' rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Exists, F, OuterRef

from socius.collab.models import Comment, Membership, Post, Space
from socius.collab.selectors_feed import feed_page
from socius.collab.services import post_create
from socius.core.models import Activity
from socius.demo.collab import NetworkSize, employees_insert, network_create, network_grow

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
SIZE = NetworkSize(spaces=6, posts=300, comments=900, topics=5)


def build(seed: int = 7) -> object:
    users = employees_insert(count=40, seed=seed, departments=3)
    return network_create(seed=seed, size=SIZE, user_ids=users, now=NOW)


def snapshot() -> list[tuple[object, ...]]:
    posts = Post.objects.order_by("pk").values_list(
        "space__slug", "author__email", "body", "comment_count"
    )
    comments = Comment.objects.order_by("pk").values_list(
        "post__body", "parent__body", "author__email", "body"
    )
    return [*posts, *comments]


def test_it_builds_exactly_what_was_asked_within_the_rules() -> None:
    build()

    assert (Post.objects.count(), Comment.objects.count()) == (300, 900)
    assert Space.objects.filter(slug__contains="-7-").count() == 6
    # Authors post in their spaces; comments come from readers; replies answer top-level ones.
    member = Membership.objects.filter(space=OuterRef("space"), user=OuterRef("author"))
    assert not Post.objects.exclude(Exists(member)).exists()
    reader = Membership.objects.filter(space=OuterRef("post__space"), user=OuterRef("author"))
    closed = Comment.objects.exclude(post__space__visibility="public")
    assert closed.exists()
    assert not closed.exclude(Exists(reader)).exists()
    assert not Comment.objects.filter(parent__parent__isnull=False).exists()
    assert not Comment.objects.exclude(parent__isnull=True).exclude(parent__post=F("post")).exists()
    counted = Post.objects.annotate(real=Count("comments")).exclude(real=F("comment_count"))
    assert not counted.exists()
    assert Activity.objects.filter(verb="collab.post_created").count() == 300
    assert Activity.objects.filter(verb="collab.comment_created").count() == 900


def test_the_same_seed_gives_the_same_network() -> None:
    build(seed=7)
    first = snapshot()
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Membership.objects.filter(space__slug__contains="-7-").delete()
    Space.objects.filter(slug__contains="-7-").delete()
    from socius.accounts.models import User

    User.objects.filter(email__endswith="@socius-bench.example").delete()

    build(seed=7)

    assert snapshot() == first


def test_growing_adds_newer_posts_and_the_services_carry_on() -> None:
    network = build()
    oldest_new = Post.objects.order_by("-pk").first()
    assert oldest_new is not None

    network_grow(network, posts=50, comments=100, now=NOW + dt.timedelta(days=1))  # type: ignore[arg-type]

    grown = Post.objects.filter(pk__gt=oldest_new.pk)
    newest_generated = grown.order_by("-pk").values_list("pk", flat=True)[0]
    assert grown.count() == 50
    assert not grown.filter(created_at__lte=oldest_new.created_at).exists()
    space = Space.objects.filter(memberships__isnull=False).first()
    assert space is not None
    author = space.memberships.first().user  # type: ignore[union-attr]
    written = post_create(actor=author, space=space, body="Après la génération")
    assert written.pk == newest_generated + 1  # the id sequence was moved past the rows
    assert feed_page(user=author, cursor=None).items[0].post == written
