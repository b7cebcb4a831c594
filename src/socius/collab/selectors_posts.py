"""Reads of posts and what they carry, each at a fixed number of queries.

Lists and pages prefetch what a post shows (author, topics, the mentions of its text), so
their cost does not grow with the number of posts, comments or reactions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import (
    AnnouncementRead,
    Comment,
    Membership,
    Mention,
    Post,
    PostRevision,
    Reaction,
    Space,
    Topic,
)
from socius.collab.selectors import is_space_owner, spaces_readable_by
from socius.collab.text import Links, topic_slug
from socius.core.errors import Forbidden, NotFound
from socius.core.ids import parse_id


class ReadsAreForTheAuthor(Forbidden):
    code = "reads_for_author_and_owners"
    default_message = _("Only the author and the owners of the space see who has read this.")


def _mentions_queryset() -> QuerySet[Mention]:
    return Mention.objects.select_related("user", "department__space").order_by("id")


def _listing_prefetch() -> tuple[str | Prefetch[Any], ...]:
    return (
        "topics",
        Prefetch(
            "mentions",
            queryset=_mentions_queryset().filter(comment__isnull=True),
            to_attr="body_mentions",
        ),
    )


def with_post_listing(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """What a post in a list shows (``collab/includes/post_item.html``), fetched once for
    the whole list: the feed and search pass their querysets through this."""
    return queryset.select_related("author", "space").prefetch_related(*_listing_prefetch())


def links_of(mentions: Iterable[Mention], topics: Iterable[Topic] = ()) -> Links:
    """Where the recorded mentions (and topics) of one text point."""
    people: dict[str, int] = {}
    departments: dict[str, str] = {}
    for mention in mentions:
        if mention.user is not None:
            people[mention.user.email.split("@")[0].lower()] = mention.user.pk
        elif mention.department is not None:
            space = getattr(mention.department, "space", None)
            if space is not None:
                departments[mention.department.slug] = reverse(
                    "collab:space-detail", args=[space.pk]
                )
    return Links(
        people=people,
        departments=departments,
        topics=frozenset(topic.slug for topic in topics),
    )


def post_links(post: Post) -> Links:
    mentions = getattr(post, "body_mentions", None)
    if mentions is None:
        mentions = list(_mentions_queryset().filter(post=post, comment__isnull=True))
    return links_of(mentions, post.topics.all())


def comment_links(comment: Comment) -> Links:
    return links_of(_mentions_queryset().filter(comment=comment))


def post_readers_among(*, post: Post, user_ids: Iterable[int]) -> set[int]:
    """Those of these colleagues who may read the post: what a notification may reach."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return set()
    readers = User.objects.filter(pk__in=wanted, is_active=True)
    if post.space.visibility != Space.Visibility.PUBLIC:
        readers = readers.filter(space_memberships__space_id=post.space_id)
    return set(readers.values_list("pk", flat=True))


def comment_get_for_user(*, user: User, comment_id: int) -> Comment:
    """The comment, if the user may read its post; otherwise "not found"."""
    comment = (
        Comment.objects.filter(pk=comment_id, post__space__in=spaces_readable_by(user))
        .select_related("post__space", "post__author", "author")
        .first()
    )
    if comment is None:
        raise NotFound()
    return comment


def comment_of_post(*, post: Post, comment_id: int) -> Comment:
    comment = Comment.objects.filter(pk=comment_id, post=post).select_related("author").first()
    if comment is None:
        raise NotFound()
    return comment


@dataclass(frozen=True)
class SpacePosts:
    items: list[Post]
    next_before: int | None  # pass as ``before`` for the next page


def space_posts(*, space: Space, before: int | None = None, limit: int) -> SpacePosts:
    """A space's posts for a reader already allowed in: pinned ones first, then newest.

    The first page carries every pinned post (at most ``limit``) above ``limit`` newest
    others; later pages (``before`` = a post id) carry only unpinned posts.
    """
    limit = max(1, min(limit, 200))
    posts = Post.objects.filter(space=space).select_related("author", "space")
    pinned: list[Post] = []
    if before is None:
        pinned = list(posts.filter(pinned_at__isnull=False).order_by("-pinned_at", "-id")[:limit])
    others = posts.filter(pinned_at__isnull=True).order_by("-id")
    if before is not None:
        others = others.filter(id__lt=before)
    rows = list(others[: limit + 1])
    items = rows[:limit]
    next_before = items[-1].pk if len(rows) > limit else None
    prefetch_related_objects(pinned + items, *_listing_prefetch())
    return SpacePosts(items=pinned + items, next_before=next_before)


def topic_get_for_user(*, user: User, key: str | int) -> Topic:
    """A topic, by id or by name, that the user has a readable post about; a topic only used
    in closed spaces of others does not exist for them (its name would be a trace of their
    content)."""
    text = str(key).strip().lstrip("#")
    topic_id = parse_id(text)
    named = Q(pk=topic_id) if topic_id else Q(slug=topic_slug(text) or text)
    topic = (
        Topic.objects.filter(named)
        .filter(posts__space__in=spaces_readable_by(user))
        .distinct()
        .first()
    )
    if topic is None:
        raise NotFound()
    return topic


def topic_posts(*, user: User, topic: Topic) -> QuerySet[Post]:
    """The topic's posts the user may read, for keyset pagination on ``-id``."""
    return with_post_listing(Post.objects.filter(topics=topic, space__in=spaces_readable_by(user)))


@dataclass(frozen=True)
class ReactionSummary:
    counts: dict[str, int]  # kind -> count, every kind listed
    mine: frozenset[str]


@dataclass(frozen=True)
class AnnouncementReads:
    read: list[tuple[User, object]]  # (colleague, confirmed at)
    not_read: list[User]

    @property
    def read_count(self) -> int:
        return len(self.read)

    @property
    def member_count(self) -> int:
        return len(self.read) + len(self.not_read)


def announcement_reads(*, user: User, post: Post) -> AnnouncementReads:
    """Who has confirmed an announcement among the space's members: for its author and
    the space's owners only."""
    if post.kind != Post.Kind.ANNOUNCEMENT:
        raise NotFound()
    if post.author_id != user.pk and not is_space_owner(user=user, space=post.space):
        raise ReadsAreForTheAuthor(details={"post": post.pk})
    return _reads_of(post)


def _reads_of(post: Post) -> AnnouncementReads:
    confirmed = {
        read.user_id: read.confirmed_at
        for read in AnnouncementRead.objects.filter(post=post).only("user_id", "confirmed_at")
    }
    members = User.objects.filter(space_memberships__space_id=post.space_id, is_active=True)
    read: list[tuple[User, object]] = []
    not_read: list[User] = []
    for member in members.order_by("full_name", "id"):
        if member.pk in confirmed:
            read.append((member, confirmed[member.pk]))
        else:
            not_read.append(member)
    return AnnouncementReads(read=read, not_read=not_read)


@dataclass
class CommentView:
    comment: Comment
    links: Links
    reactions: ReactionSummary
    replies: list[CommentView] = field(default_factory=list)


@dataclass(frozen=True)
class PostPage:
    """Everything the post page shows, read at a fixed number of queries."""

    post: Post
    topics: list[Topic]
    links: Links
    reactions: ReactionSummary
    threads: list[CommentView]
    revisions: list[PostRevision]
    membership: Membership | None
    can_edit: bool
    can_moderate: bool  # the space's owners pin and accept answers
    can_accept: bool
    read_by_me: bool
    reads: AnnouncementReads | None

    @property
    def newest_comment_id(self) -> int:
        """The newest comment shown: live updates bring only those after it."""
        ids = [view.comment.pk for thread in self.threads for view in (thread, *thread.replies)]
        return max(ids, default=0)


def _reaction_summaries(*, user: User, post: Post) -> dict[int | None, ReactionSummary]:
    """Per comment id (None: the post itself), reaction counts per kind and the user's."""
    counts: dict[int | None, Counter[str]] = {}
    rows = (
        Reaction.objects.filter(post=post)
        .values("comment_id", "kind")
        .annotate(total=Count("id"), own=Count("id", filter=Q(user=user)))
        .order_by()
    )
    mine: dict[int | None, set[str]] = {}
    for row in rows:
        counts.setdefault(row["comment_id"], Counter())[row["kind"]] = row["total"]
        if row["own"]:
            mine.setdefault(row["comment_id"], set()).add(row["kind"])
    return {
        key: ReactionSummary(
            counts={kind: counts[key][kind] for kind in Reaction.Kind.values},
            mine=frozenset(mine.get(key, set())),
        )
        for key in counts
    }


def post_page(*, user: User, post: Post) -> PostPage:
    """The page of a post already fetched with ``post_get_for_user``."""
    membership = Membership.objects.filter(space=post.space, user=user).first()
    owner = membership is not None and membership.role == Membership.Role.OWNER
    mentions: dict[int | None, list[Mention]] = {}
    for mention in _mentions_queryset().filter(post=post):
        mentions.setdefault(mention.comment_id, []).append(mention)
    empty = ReactionSummary(counts=dict.fromkeys(Reaction.Kind.values, 0), mine=frozenset())
    reactions = _reaction_summaries(user=user, post=post)
    views = {
        comment.pk: CommentView(
            comment=comment,
            links=links_of(mentions.get(comment.pk, [])),
            reactions=reactions.get(comment.pk, empty),
        )
        for comment in post.comments.select_related("author").order_by("id")
    }
    threads = []
    for view in views.values():
        if view.comment.parent_id is None:
            threads.append(view)
        elif view.comment.parent_id in views:
            views[view.comment.parent_id].replies.append(view)
    # The accepted answer comes first, where the asker looks.
    threads.sort(key=lambda view: view.comment.pk != post.accepted_comment_id)
    announcement = post.kind == Post.Kind.ANNOUNCEMENT
    can_see_reads = announcement and (owner or post.author_id == user.pk)
    topics = list(post.topics.all())
    return PostPage(
        post=post,
        topics=topics,
        links=links_of(mentions.get(None, []), topics),
        reactions=reactions.get(None, empty),
        threads=threads,
        revisions=list(post.revisions.select_related("edited_by").order_by("-id")),
        membership=membership,
        can_edit=post.author_id == user.pk,
        can_moderate=owner,
        can_accept=post.kind == Post.Kind.QUESTION and (owner or post.author_id == user.pk),
        read_by_me=announcement and AnnouncementRead.objects.filter(post=post, user=user).exists(),
        reads=_reads_of(post) if can_see_reads else None,
    )
