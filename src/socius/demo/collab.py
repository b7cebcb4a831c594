"""The social network's demo data: spaces, members, topics, posts and comments, in bulk.

Deterministic from a seed. Rows go in with explicit ids through multi-row INSERTs sent with
``executemany`` (no per-row ORM work, no RETURNING), so a million posts and three million
comments take minutes; the id sequences are reset afterwards. Every row respects what the
services would enforce: authors post only in their spaces, comments come from colleagues
who may read the post, replies answer a comment and never a reply, ``comment_count`` is
exact. ``network_grow`` may be called again to add newer posts on top (the benchmark grows
the same network from 10k to 1M posts).
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.text import slugify

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.collab.models import Comment, Membership, Post, Space, Topic
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append_many
from socius.demo.adoption import HABITS, ORDINARY

ROWS_PER_STATEMENT = 500
ROWS_PER_BATCH = 50_000
REPLY_SHARE = 0.25
TOPIC_SHARE = 0.12

SPACE_THEMES = (
    "Accueil", "Billetterie", "Spectacles", "Restauration", "Boutiques", "Sécurité",
    "Maintenance", "Animations", "Hôtel", "Événements", "Jardins", "Parking", "Nocturnes",
    "Halloween", "Noël", "Saison d'été", "Groupes scolaires", "Comités d'entreprise",
    "Accessibilité", "Développement durable",
)  # fmt: skip
TOPICS = (
    "noel", "halloween", "securite", "planning", "formation", "recrutement", "meteo",
    "affluence", "nocturne", "spectacle", "maintenance", "restauration", "boutique",
    "accessibilite", "ecologie", "groupes", "billetterie", "parking", "hotel", "idees",
)  # fmt: skip
OPENINGS = (
    "Petit point sur", "Retour d'expérience :", "Question pour l'équipe :", "Rappel :",
    "Bonne nouvelle pour", "Qui peut m'aider sur", "Merci à tous pour", "À prévoir :",
)  # fmt: skip
SUBJECTS = (
    "le planning de samedi", "la file d'attente du grand huit", "les nocturnes de juillet",
    "la formation sécurité", "les retours clients de la semaine", "la nouvelle parade",
    "le stock de la boutique", "l'accueil des groupes", "la météo de demain",
    "le menu du restaurant", "les badges des saisonniers", "la fermeture de 22 h",
)  # fmt: skip
DETAILS = (
    "Tout est dans le document partagé.", "On fait le point vendredi.",
    "Vos idées sont les bienvenues.", "Merci de relayer à vos équipes.",
    "Les horaires changent à partir de lundi.", "Je mets à jour la fiche dès que possible.",
    "Plus de détails à la réunion de service.", "Les clients nous en parlent beaucoup.",
)  # fmt: skip
REPLIES = (
    "Merci !", "Bien noté.", "Je m'en occupe.", "On en parle à la réunion ?", "Super idée.",
    "C'est réglé de notre côté.", "Je confirme.", "Pouvez-vous préciser ?", "Bravo l'équipe !",
)  # fmt: skip


@dataclass(frozen=True)
class NetworkSize:
    spaces: int
    posts: int
    comments: int
    topics: int = len(TOPICS)
    spaces_per_employee: tuple[int, int] = (2, 6)
    """How many spaces (beyond their department's) each employee belongs to."""


DEMO_NETWORK = NetworkSize(spaces=12, posts=600, comments=1_800, topics=15)
BENCH_NETWORK = NetworkSize(spaces=200, posts=1_000_000, comments=3_000_000)


@dataclass
class Network:
    """What was built, and what ``network_grow`` needs to add newer posts."""

    seed: int
    space_ids: list[int]
    members: dict[int, list[int]]
    """Space id -> member ids (the first is its owner)."""
    public_space_ids: set[int]
    topic_ids: list[int]
    user_ids: list[int]
    departments: dict[int, int | None] = field(default_factory=dict)
    talk: dict[int, float] = field(default_factory=dict)
    """Employee id -> how much more they write than others (1 when absent)."""
    posts: int = 0
    comments: int = 0


Progress = Callable[[str], None]


def employees_insert(*, count: int, seed: int, departments: int = 20) -> list[int]:
    """Colleagues in bulk for the benchmark: no Argon2 hash (they cannot sign in), no Person."""
    rng = random.Random(f"employees:{seed}")
    department_ids = [
        Department.objects.get_or_create(
            slug=f"equipe-{n + 1}", defaults={"name": f"Équipe {n + 1}"}
        )[0].pk
        for n in range(departments)
    ]
    users = []
    for number in range(count):
        user = User(
            email=f"collegue{number}.{seed}@socius-bench.example",
            full_name=f"Collègue {number}",
            department_id=department_ids[rng.randrange(departments)],
            role=Role.EMPLOYEE,
        )
        user.set_unusable_password()
        users.append(user)
    created = User.objects.bulk_create(users, batch_size=2000)
    if not all(user.pk for user in created):  # databases that cannot return ids
        emails = [user.email for user in users]
        return list(
            User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True)
        )
    return [user.pk for user in created]


@transaction.atomic
def network_create(
    *,
    seed: int,
    size: NetworkSize,
    user_ids: Sequence[int],
    now: datetime | None = None,
    with_activities: bool = True,
    progress: Progress | None = None,
    talk: dict[int, float] | None = None,
) -> Network:
    """Spaces with their members and topics, then ``size.posts`` posts and their comments."""
    rng = random.Random(f"network:{seed}")
    users: dict[int, int | None] = dict(
        User.objects.filter(pk__in=user_ids).values_list("pk", "department_id")
    )
    ordered = sorted(users)
    topic_ids = _topics(size.topics)
    space_ids, public, members = _spaces(rng, seed, size, ordered)
    network = Network(seed, space_ids, members, public, topic_ids, ordered, users, talk or {})
    network_grow(
        network, posts=size.posts, comments=size.comments, now=now,
        with_activities=with_activities, progress=progress,
    )  # fmt: skip
    return network


def _topics(count: int) -> list[int]:
    topics = [Topic(name=name, slug=name) for name in TOPICS[:count]]
    existing = set(
        Topic.objects.filter(slug__in=[t.slug for t in topics]).values_list("slug", flat=True)
    )
    Topic.objects.bulk_create([t for t in topics if t.slug not in existing])
    return list(
        Topic.objects.filter(slug__in=TOPICS[:count]).order_by("pk").values_list("pk", flat=True)
    )


def _spaces(
    rng: random.Random, seed: int, size: NetworkSize, user_ids: list[int]
) -> tuple[list[int], set[int], dict[int, list[int]]]:
    spaces = []
    for number in range(size.spaces):
        theme = SPACE_THEMES[number % len(SPACE_THEMES)]
        name = theme if number < len(SPACE_THEMES) else f"{theme} {number // len(SPACE_THEMES) + 1}"
        roll = rng.random()
        visibility = "public" if roll < 0.7 else "private" if roll < 0.9 else "secret"
        spaces.append(
            Space(name=name, slug=f"{slugify(name)}-{seed}-{number}", visibility=visibility)
        )
    Space.objects.bulk_create(spaces)
    created = list(
        Space.objects.filter(slug__in=[s.slug for s in spaces])
        .order_by("pk")
        .values_list("pk", "visibility")
    )
    space_ids = [pk for pk, _visibility in created]
    public = {pk for pk, visibility in created if visibility == "public"}
    members: dict[int, list[int]] = {pk: [] for pk in space_ids}
    low, high = size.spaces_per_employee
    for user_id in user_ids:
        for space_id in rng.sample(space_ids, min(len(space_ids), rng.randint(low, high))):
            members[space_id].append(user_id)
    for space_id in space_ids:
        if not members[space_id]:
            members[space_id].append(rng.choice(user_ids))
    Membership.objects.bulk_create(
        [
            Membership(space_id=space_id, user_id=user_id, role="owner" if index == 0 else "member")
            for space_id, ids in members.items()
            for index, user_id in enumerate(ids)
        ],
        batch_size=5000,
    )
    return space_ids, public, members


def _next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _insert(model: type[Model], columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Multi-row INSERTs of ``ROWS_PER_STATEMENT`` rows, sent in one ``executemany``."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    full = head + ", ".join([one] * ROWS_PER_STATEMENT)
    written = 0
    statement: list[Any] = []
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            statement.extend(row)
            if len(statement) == ROWS_PER_STATEMENT * len(columns):
                batch.append(statement)
                statement = []
                if len(batch) * ROWS_PER_STATEMENT >= ROWS_PER_BATCH:
                    cursor.executemany(full, batch)
                    written += len(batch) * ROWS_PER_STATEMENT
                    batch = []
        if batch:
            cursor.executemany(full, batch)
            written += len(batch) * ROWS_PER_STATEMENT
        if statement:
            rest = len(statement) // len(columns)
            cursor.execute(head + ", ".join([one] * rest), statement)
            written += rest
    return written


def _reset_sequences(*models: type[Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@transaction.atomic
def network_grow(
    network: Network,
    *,
    posts: int,
    comments: int,
    now: datetime | None = None,
    span: timedelta = timedelta(days=365),
    with_activities: bool = False,
    progress: Progress | None = None,
) -> None:
    """Add ``posts`` posts and ``comments`` comments, all newer than what exists."""
    say = progress or (lambda message: None)
    rng = random.Random(f"posts:{network.seed}:{network.posts}")
    now = now or timezone.now()
    first_post, first_comment = _next_id(Post), _next_id(Comment)
    latest = Post.objects.aggregate(top=Max("created_at"))["top"]
    start = max(latest + timedelta(seconds=1), now - span) if latest else now - span
    step = (now - start) / max(posts, 1)
    post_space = array("l", (rng.choice(network.space_ids) for _ in range(posts)))
    # Recent posts draw more comments, as on any network.
    comment_post = array("l", sorted(int(posts * rng.random() ** 0.5) for _ in range(comments)))
    counts = array("l", [0]) * posts
    for index in comment_post:
        counts[index] += 1
    post_rows = _post_rows(rng, network, post_space, counts, first_post, start, step)
    say(f"posts: {_insert(Post, _POST_COLUMNS, post_rows):,}")
    topic_rows = (
        (first_post + index, rng.choice(network.topic_ids))
        for index in range(posts)
        if network.topic_ids and rng.random() < TOPIC_SHARE
    )
    _insert(Post.topics.through, ["post_id", "topic_id"], topic_rows)
    comment_rows = _comment_rows(
        rng, network, post_space, comment_post, first_post, first_comment, start, step
    )
    say(f"comments: {_insert(Comment, _COMMENT_COLUMNS, comment_rows):,}")
    _reset_sequences(Post, Comment, Post.topics.through)
    if with_activities:
        _activities(network, first_post, first_comment)
    network.posts += posts
    network.comments += comments


_POST_COLUMNS = [
    "id", "space_id", "author_id", "kind", "body", "comment_count", "reaction_count",
    "created_at",
]  # fmt: skip
_COMMENT_COLUMNS = ["id", "post_id", "parent_id", "author_id", "body", "created_at"]


def _post_rows(
    rng: random.Random,
    network: Network,
    post_space: array[int],
    counts: array[int],
    first_post: int,
    start: datetime,
    step: timedelta,
) -> Iterator[tuple[Any, ...]]:
    adapt = connection.ops.adapt_datetimefield_value
    for index, space_id in enumerate(post_space):
        text = f"{rng.choice(OPENINGS)} {rng.choice(SUBJECTS)}. {rng.choice(DETAILS)}"
        yield (
            first_post + index,
            space_id,
            _speaker(rng, network, network.members[space_id]),  # only members post
            "question" if text.startswith("Question") else "post",
            text,
            counts[index],
            0,
            adapt(start + step * index),
        )


def _comment_rows(
    rng: random.Random,
    network: Network,
    post_space: array[int],
    comment_post: array[int],
    first_post: int,
    first_comment: int,
    start: datetime,
    step: timedelta,
) -> Iterator[tuple[Any, ...]]:
    adapt = connection.ops.adapt_datetimefield_value
    last_top_level: dict[int, int] = {}
    for number, index in enumerate(comment_post):
        space_id = post_space[index]
        # Anyone reads a public space; elsewhere only members may comment.
        pool = (
            network.user_ids if space_id in network.public_space_ids else network.members[space_id]
        )
        comment_id = first_comment + number
        parent = last_top_level.get(index) if rng.random() < REPLY_SHARE else None
        if parent is None:
            last_top_level[index] = comment_id
        yield (
            comment_id,
            first_post + index,
            parent,
            _speaker(rng, network, pool),
            rng.choice(REPLIES),
            adapt(start + step * index + timedelta(minutes=1 + number % 600)),
        )


def _speaker(rng: random.Random, network: Network, pool: Sequence[int]) -> int:
    if not network.talk:
        return rng.choice(pool)
    return rng.choices(pool, weights=[network.talk.get(user, 1.0) for user in pool])[0]


def _activities(network: Network, first_post: int, first_comment: int) -> None:
    """The entries the services would have appended (small demos only: adoption figures)."""
    closed = set(
        Space.objects.exclude(visibility=Space.Visibility.PUBLIC).values_list("pk", flat=True)
    )

    def visibility(space_id: int) -> str:
        return Visibility.RESTRICTED if space_id in closed else Visibility.INTERNAL

    drafts = [
        ActivityDraft(
            verb="collab.post_created",
            actor_id=author_id,
            department_id=network.departments.get(author_id),
            about=ActivityObject(type="collab.post", id=pk),
            payload={"space": space_id},
            visibility=visibility(space_id),
            occurred_at=created_at,
        )
        for pk, space_id, author_id, created_at in Post.objects.filter(pk__gte=first_post)
        .order_by("pk")
        .values_list("pk", "space_id", "author_id", "created_at")
    ]
    comments = (
        Comment.objects.filter(pk__gte=first_comment)
        .order_by("pk")
        .values_list(
            "pk", "post__space_id", "author_id", "created_at", "post_id", "parent__author_id",
            "post__author_id",
        )
    )  # fmt: skip
    drafts += [
        ActivityDraft(
            verb="collab.comment_created",
            actor_id=author_id,
            department_id=network.departments.get(author_id),
            about=ActivityObject(type="collab.comment", id=pk),
            # Whom it answers, as comment_create records it.
            payload={"space": space_id, "post": post_id, "to_user": parent_author or post_author},
            visibility=visibility(space_id),
            occurred_at=created_at,
        )
        for pk, space_id, author_id, created_at, post_id, parent_author, post_author in comments
    ]
    activity_append_many(drafts)


def demo_network_create(*, seed: int, now: datetime | None = None) -> Network:
    """The demo company's network: every active employee in a few spaces, some chatter."""
    employees = User.objects.filter(is_active=True).order_by("pk")
    user_ids = list(employees.values_list("pk", flat=True))
    # Who writes follows the demo's adoption story: marketing much, operations little.
    talk = {
        pk: HABITS.get(slug or "", ORDINARY).contributors
        for pk, slug in employees.values_list("pk", "department__slug")
    }
    return network_create(seed=seed, size=DEMO_NETWORK, user_ids=user_ids, now=now, talk=talk)
