"""Building the whole demo company: staff, customers, their stories, colleagues' chatter."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.core.models import Activity
from socius.core.services import activity_append_many
from socius.demo.activities import Storyteller
from socius.demo.adoption import demo_adoption_create
from socius.demo.care import demo_care_create
from socius.demo.charter import demo_charter_create
from socius.demo.collab import demo_network_create
from socius.demo.commerce import demo_commerce_create
from socius.demo.company import DEPARTMENTS, company_create, company_plan
from socius.demo.conversations import demo_conversations_create
from socius.demo.customers import LINKED_SHOWCASE, CustomerPlanner, Human
from socius.demo.identifiers import EMAIL
from socius.demo.load import customers_insert, customers_resolve
from socius.demo.maturity import demo_maturity
from socius.demo.sizes import Size
from socius.people.models import Person

DEFAULT_PASSWORD = "socius-demo-2026"  # noqa: S105 - printed for everyone to use
HUMANS_PER_CHUNK = 1000
ACTIVITIES_PER_BATCH = 5000
# SQLite's default page cache (2 MB) makes the large build spill and rewrite index pages
# over and over; SQLite only takes this memory as the database grows into it.
SQLITE_CACHE_KIB = 256 * 1024
# Customers' stories take this share of the activities; colleagues' posts fill the rest,
# which absorbs the randomness of the stories' lengths so the total is exact.
CUSTOMER_SHARE = 0.92

T = TypeVar("T")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    full_name: str
    department: str


@dataclass(frozen=True)
class DemoReport:
    seed: int
    size: str
    departments: int
    employees: int
    persons: int
    activities: int
    seconds: float
    logins: list[DemoLogin]
    portal_email: str
    """An email of a customer known to several departments, to try the customer portal."""


Progress = Callable[[str], None]


def employees_exist() -> bool:
    return User.objects.exists()


@contextmanager
def sqlite_cache_enlarged() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def demo_generate(
    *,
    seed: int,
    size: Size,
    password: str = DEFAULT_PASSWORD,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Build the demo into an empty database, all or nothing."""
    started = time.perf_counter()
    now = timezone.localtime(now or timezone.now())
    say = progress or (lambda message: None)
    with sqlite_cache_enlarged(), transaction.atomic():
        plan = company_plan(seed=seed, staff_scale=size.staff_scale)
        staff, users = company_create(plan=plan, password=password)
        say(f"{len(users)} employees in {len(DEPARTMENTS)} departments")
        teller = Storyteller(
            seed=seed,
            now=now,
            staff=staff,
            activities_per_person=size.activities * CUSTOMER_SHARE / size.customer_persons,
        )
        planner = CustomerPlanner(seed=seed, persons=size.customer_persons, now=now)
        written, portal_email = _customers_write(planner, teller, size, staff.department_ids, say)
        _colleagues_write(teller, size.activities - written)
        network = demo_network_create(seed=seed, now=now)
        demo_conversations_create(users=users)
        say(f"{len(network.space_ids)} spaces, {network.posts} posts, {network.comments} comments")
        care = demo_care_create(users=users, seed=seed, portal_email=portal_email, now=now)
        say(f"{care.cases} customer requests, {care.resolved} resolved, {care.ratings} rated")
        commerce = demo_commerce_create(users=users, portal_email=portal_email, now=now)
        say(f"{commerce.offers} offers, {commerce.groups} group orders, {commerce.tickets} tickets")
        charter = demo_charter_create(users=users, seed=seed, now=now)
        say(f"charter version {charter.version}, acknowledged by {charter.acknowledged}")
        maturity = demo_maturity(users=users, seed=seed, now=now)
        say(f"{maturity.campaigns} maturity campaigns, {maturity.responses} answers")
        adoption = demo_adoption_create(
            users=users, spaces=network.space_ids, today=now.date(), seed=seed
        )
        say(f"{adoption.activities:,} employee entries, {adoption.days_rolled} days rolled up")
    return DemoReport(
        seed=seed,
        size=size.name,
        departments=len(DEPARTMENTS),
        employees=len(users),
        persons=Person.objects.count(),
        activities=Activity.objects.count(),
        seconds=time.perf_counter() - started,
        logins=_logins(users),
        portal_email=portal_email,
    )


def _customers_write(
    planner: CustomerPlanner,
    teller: Storyteller,
    size: Size,
    department_ids: dict[str, int],
    say: Progress,
) -> tuple[int, str]:
    write = customers_insert if size.uses_bulk_path else customers_resolve
    written = persons = 0
    portal_email = ""
    for humans in _chunks(planner, HUMANS_PER_CHUNK):
        all_ids = write(humans, department_ids=department_ids)
        written += _stories_write(teller, humans, all_ids)
        persons += sum(len(ids) for ids in all_ids)
        portal_email = portal_email or _showcase_email(humans)
        say(f"{persons:,} customers, {written:,} activities")
    return written, portal_email


def _showcase_email(humans: list[Human]) -> str:
    for human in humans:
        if (human.given_name, human.family_name) == LINKED_SHOWCASE:
            emails = (i.value for s in human.sightings for i in s.identifiers if i.kind == EMAIL)
            return next(emails, "")
    return ""


def _stories_write(teller: Storyteller, humans: list[Human], all_ids: list[list[int]]) -> int:
    written, drafts = 0, []
    for human, ids in zip(humans, all_ids, strict=True):
        drafts += teller.customer_story(human, ids)
        if len(drafts) >= ACTIVITIES_PER_BATCH:
            written += activity_append_many(drafts)
            drafts = []
    return written + activity_append_many(drafts)


def _colleagues_write(teller: Storyteller, count: int) -> None:
    for start in range(0, max(count, 0), ACTIVITIES_PER_BATCH):
        activity_append_many(teller.colleagues_talk(min(ACTIVITIES_PER_BATCH, count - start)))


def _logins(users: list[User]) -> list[DemoLogin]:
    """The first employee of each role, most powerful first."""
    first_of_role: dict[str, User] = {}
    for user in users:
        first_of_role.setdefault(user.role, user)
    order = (Role.ADMIN, Role.MANAGER, Role.HR, Role.AGENT, Role.EMPLOYEE)
    return [_login(first_of_role[role]) for role in order if role in first_of_role]


def _login(user: User) -> DemoLogin:
    department = user.department.name if user.department else ""
    return DemoLogin(
        role=user.role, email=user.email, full_name=user.full_name, department=department
    )
