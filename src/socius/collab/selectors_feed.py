"""The feed: posts from my spaces and from what I follow, newest first, only where I may read.

Scaling: one page is a UNION of small "arms", one per source (a space, a followed colleague,
a followed topic), each walking its own index backwards from the cursor and stopping after
one page of rows (``post_by_space``, ``post_by_author``, the topic index). The union of at
most ``arms x (size + 1)`` ids is then sorted. The cost of a page therefore depends on the
number of sources and the page size, not on how many posts exist; a single
``space_id IN (...) ORDER BY id DESC`` would instead read every post of those spaces once
they outgrow the page. Past ``MAX_ARMS`` sources of one kind, those sources are dense
enough in the table that one arm walking the primary key backwards finds a page quickly.

Queries per page: sources (2), ids (1), posts (1), marker (1) — whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.collab.models import FeedMarker, Follow, Membership, Post, Space
from socius.collab.selectors import space_get_for_user, spaces_visible_to
from socius.collab.selectors_posts import topic_get_for_user, with_post_listing
from socius.collab.services.follows import FollowTarget
from socius.core.errors import InvalidCursor, NotFound
from socius.core.ids import parse_id
from socius.core.models import Activity
from socius.core.pagination import decode_cursor, encode_cursor

FEED_PAGE_SIZE = 20
MAX_ARMS = 40
CUSTOMER_PANEL_SIZE = 8
MAX_PANEL_PERSONS = 25


@dataclass(frozen=True)
class FeedSources:
    """Where a colleague's feed comes from, already limited to what they may read."""

    member_space_ids: frozenset[int]
    space_ids: frozenset[int]
    """Spaces whose every post is in the feed: mine, and the followed ones I may read."""
    author_ids: frozenset[int]
    topic_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not (self.space_ids or self.author_ids or self.topic_ids)


@dataclass(frozen=True)
class FeedItem:
    post: Post
    unread: bool


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    seen_post_id: int
    """The marker the unread flags were computed against."""

    @property
    def newest_post_id(self) -> int:
        return self.items[0].post.pk if self.items else 0


def feed_sources(user: User) -> FeedSources:
    """Two queries: my memberships, and what I follow (with each followed space's visibility)."""
    member = frozenset(Membership.objects.filter(user=user).values_list("space_id", flat=True))
    spaces, authors, topics = set(member), set[int](), set[int]()
    rows = Follow.objects.filter(follower=user, person__isnull=True).values_list(
        "user_id", "space_id", "space__visibility", "topic_id"
    )
    for user_id, space_id, visibility, topic_id in rows:
        if user_id is not None:
            authors.add(user_id)
        elif space_id is not None and (visibility == Space.Visibility.PUBLIC or space_id in member):
            spaces.add(space_id)  # a followed space I may no longer read brings nothing
        elif topic_id is not None:
            topics.add(topic_id)
    return FeedSources(member, frozenset(spaces), frozenset(authors), frozenset(topics))


def _readable(member_space_ids: frozenset[int], prefix: str = "") -> Q:
    return Q(**{f"{prefix}space__visibility": Space.Visibility.PUBLIC}) | Q(
        **{f"{prefix}space_id__in": member_space_ids}
    )


_PLACEHOLDER = -7_777_777_777  # never an id: marks where each arm's own source id goes


@dataclass(frozen=True)
class _ArmGroup:
    """Arms that differ only by one source id (each of my spaces, each followed colleague)."""

    rows: QuerySet[Any]
    """Post ids, newest first, below the cursor and readable."""
    field: str
    source_ids: list[int]

    def compiled(self, limit: int) -> list[tuple[str, list[Any]]]:
        if not self.source_ids:
            return []
        if len(self.source_ids) > MAX_ARMS:
            return [_sql(self.rows.filter(**{f"{self.field}__in": self.source_ids})[:limit])]
        # Compiling a queryset costs more than running its arm: compile once, then only
        # the source id changes from arm to arm.
        sql, params = _sql(self.rows.filter(**{self.field: _PLACEHOLDER})[:limit])
        position = params.index(_PLACEHOLDER)
        return [
            (sql, [*params[:position], source_id, *params[position + 1 :]])
            for source_id in self.source_ids
        ]


def _sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _arm_groups(sources: FeedSources, before: int | None) -> list[_ArmGroup]:
    posts = Post.objects.filter(Q(id__lt=before) if before else Q())
    post_ids = posts.order_by("-id").values_list("id", flat=True)
    tagged = Post.topics.through.objects.filter(
        Q(post_id__lt=before) if before else Q(), _readable(sources.member_space_ids, "post__")
    )
    # Arms may overlap (a followed colleague posting in my space): the UNION removes twins.
    return [
        _ArmGroup(post_ids, "space_id", sorted(sources.space_ids)),
        _ArmGroup(
            post_ids.filter(_readable(sources.member_space_ids)),
            "author_id",
            sorted(sources.author_ids),
        ),
        _ArmGroup(
            tagged.order_by("-post_id").values_list("post_id", flat=True),
            "topic_id",
            sorted(sources.topic_ids),
        ),
    ]


def feed_post_ids(sources: FeedSources, *, before: int | None, limit: int) -> list[int]:
    """The newest ``limit`` post ids of the feed below ``before``, in one query."""
    if sources.is_empty:
        return []
    arms = [arm for group in _arm_groups(sources, before) for arm in group.compiled(limit)]
    return _union_ids(arms, limit)


def _union_ids(arms: list[tuple[str, list[Any]]], limit: int) -> list[int]:
    """``SELECT * FROM (arm) UNION ...`` newest first: each arm keeps its own ORDER BY and
    LIMIT inside a derived table (the ORM's union() refuses that on SQLite)."""
    parts, params = [], []
    for number, (sql, arm_params) in enumerate(arms):
        parts.append(f"SELECT * FROM ({sql}) AS arm{number}")  # noqa: S608 - ORM-compiled
        params.extend(arm_params)
    with connection.cursor() as cursor:
        cursor.execute(f"{' UNION '.join(parts)} ORDER BY 1 DESC LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def feed_marker_of(user: User) -> int:
    marker = FeedMarker.objects.filter(user=user).values_list("seen_post_id", flat=True).first()
    return marker or 0


def feed_page(
    *, user: User, cursor: str | None, size: int = FEED_PAGE_SIZE, seen_post_id: int | None = None
) -> FeedPage:
    """One page of the feed; ``seen_post_id`` keeps the marker a first page was shown with."""
    before = None
    if cursor:
        before = parse_id(decode_cursor(cursor, length=1)[0])
        if before is None:
            raise InvalidCursor()
    ids = feed_post_ids(feed_sources(user), before=before, limit=size + 1)
    posts = with_post_listing(Post.objects.filter(id__in=ids[:size]))
    ordered = sorted(posts, key=lambda post: -post.pk)
    marker = feed_marker_of(user) if seen_post_id is None else seen_post_id
    items = [
        FeedItem(post=post, unread=post.pk > marker and post.author_id != user.pk)
        for post in ordered
    ]
    next_cursor = encode_cursor([ordered[-1].pk]) if len(ids) > size and ordered else None
    return FeedPage(items=items, next_cursor=next_cursor, seen_post_id=marker)


def feed_newer_than(*, user: User, after: int, limit: int = FEED_PAGE_SIZE) -> list[FeedItem]:
    """Posts that arrived above ``after`` (what a live page asks for), all unread."""
    ids = feed_post_ids(feed_sources(user), before=None, limit=limit)
    fresh = [post_id for post_id in ids if post_id > after]
    posts = with_post_listing(Post.objects.filter(id__in=fresh))
    return [
        FeedItem(post=post, unread=post.author_id != user.pk)
        for post in sorted(posts, key=lambda post: -post.pk)
    ]


def customer_activity_for(*, user: User, limit: int = CUSTOMER_PANEL_SIZE) -> list[Activity]:
    """Recent activity about the customers I follow, for the feed's side panel.

    One arm per followed person walks ``activity_person_newest``: a customer with a long
    timeline costs no more than one with a short one. Empty without the people capability.
    """
    if not user.can(Capability.VIEW_PEOPLE):
        return []
    person_ids = list(
        Follow.objects.filter(follower=user, person__isnull=False)
        .order_by("-id")
        .values_list("person_id", flat=True)[:MAX_PANEL_PERSONS]
    )
    if not person_ids:
        return []
    newest = Activity.objects.order_by("-id").values_list("id", flat=True)
    ids = _union_ids(_ArmGroup(newest, "person_id", person_ids).compiled(limit), limit)
    rows = Activity.objects.filter(id__in=ids).select_related("person", "actor")
    return sorted(rows, key=lambda activity: -activity.pk)


FOLLOW_KINDS = ("user", "space", "topic", "person")


def follow_target_get(*, user: User, kind: str, key: str | int) -> FollowTarget:
    """What ``kind``/``key`` names, fetched through the selector that checks access.

    Colleagues by id or email, spaces by id or slug, topics by id or slug, customers by id
    (only for employees who may see people; merged and erased persons answer as the
    people pages do).
    """
    from socius.people.selectors import person_get_for_employee

    text = str(key).strip()
    if not text:
        raise NotFound()
    if kind == "user":
        colleagues = User.objects.filter(is_active=True)
        user_id = parse_id(text)
        found = (
            colleagues.filter(pk=user_id).first()
            if user_id
            else colleagues.filter(email__iexact=text).first()
        )
        if found is None:
            raise NotFound()
        return FollowTarget(user=found)
    if kind == "space":
        space_id = parse_id(text) or _space_id_by_slug(user, text)
        return FollowTarget(space=space_get_for_user(user=user, space_id=space_id))
    if kind == "topic":
        return FollowTarget(topic=topic_get_for_user(user=user, key=text))
    person_id = parse_id(text)
    if kind == "person" and person_id:
        return FollowTarget(person=person_get_for_employee(user=user, person_id=person_id))
    raise NotFound()


def _space_id_by_slug(user: User, slug: str) -> int:
    space_id = spaces_visible_to(user).filter(slug=slug).values_list("id", flat=True).first()
    if space_id is None:
        raise NotFound()
    return int(space_id)


@dataclass(frozen=True)
class FollowLine:
    target: str
    target_id: int
    label: str
    key: str
    """What the follow button and the API take back: an id, or a slug for topics."""

    @property
    def pk(self) -> int:  # lets the follow button take a line as its target
        return self.target_id


def follows_of(user: User) -> list[FollowLine]:
    """What the colleague follows, newest first, leaving out what they may no longer see.

    One query: a secret space they left, or customers once they lost the right to see
    people, stay followed in the table but are not listed (nor followed in the feed).
    """
    may_see_people = user.can(Capability.VIEW_PEOPLE)
    member = Membership.objects.filter(user=user, space=OuterRef("space_id"))
    rows = (
        Follow.objects.filter(follower=user)
        .annotate(is_member=Exists(member))
        .select_related("user", "space", "topic", "person")
        .order_by("-id")
    )
    lines = []
    for follow in rows:
        if follow.user is not None:
            lines.append(
                FollowLine("user", follow.user.pk, follow.user.full_name, str(follow.user.pk))
            )
        elif follow.space is not None:
            if follow.space.visibility == Space.Visibility.SECRET and not follow.is_member:
                continue
            lines.append(
                FollowLine("space", follow.space.pk, follow.space.name, str(follow.space.pk))
            )
        elif follow.topic is not None:
            lines.append(FollowLine("topic", follow.topic.pk, str(follow.topic), follow.topic.slug))
        elif follow.person is not None and may_see_people:
            person = follow.person
            lines.append(FollowLine("person", person.pk, person.display_name, str(person.pk)))
    return lines


def is_following(*, user: User, target: FollowTarget) -> bool:
    return Follow.objects.filter(follower=user, **target.lookup()).exists()  # type: ignore[arg-type]
