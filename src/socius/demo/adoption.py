"""The demo company's last four months on Socius: adoption that differs by department.

Marketing and sales took to it at once; customer care started slowly and caught up after
its champions' training (the second half); operations, on the shop floor, barely come.
The entries go straight into the Activity log, then the worker's rollup runs once, so the
adoption pages tell that story on first launch.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from socius.accounts.models import User
from socius.insights.adoption.rollup import rollup_pending
from socius.insights.adoption.synthetic import Employee, synthetic_insert, synthetic_rows

WEEKS = 16


@dataclass(frozen=True)
class Habits:
    """How a department uses Socius: the chance an employee comes on a weekday (before and
    after the halfway point), and the shares of contributors and of those who react."""

    before: float
    after: float
    contributors: float
    reactors: float


HABITS = {
    "marketing": Habits(0.85, 0.9, 0.6, 0.3),
    "ventes": Habits(0.7, 0.8, 0.4, 0.4),
    # Customer care's champions were trained halfway: the department caught up.
    "service-client": Habits(0.08, 0.7, 0.1, 0.3),
    "direction": Habits(0.5, 0.6, 0.3, 0.4),
    "rh": Habits(0.6, 0.7, 0.5, 0.3),
    "informatique": Habits(0.6, 0.6, 0.3, 0.3),
    "exploitation": Habits(0.03, 0.04, 0.05, 0.1),
}
ORDINARY = Habits(0.3, 0.3, 0.2, 0.3)


@dataclass(frozen=True)
class DemoAdoption:
    activities: int
    days_rolled: int


def _employee(user: User, slug: str, phase: int, rng: random.Random) -> Employee:
    habits = HABITS.get(slug, ORDINARY)
    draw = rng.random()
    contributor = draw < habits.contributors
    reactor = not contributor and draw < habits.contributors + habits.reactors
    return Employee(
        user.pk,
        user.department_id,
        habits.before if phase == 0 else habits.after,
        contribution=0.4 if contributor else 0.0,
        reaction=0.4 if contributor or reactor else 0.0,
    )


def demo_adoption_create(
    *, users: list[User], spaces: list[int], today: dt.date, seed: int = 0
) -> DemoAdoption:
    first = today - dt.timedelta(weeks=WEEKS)
    half = first + dt.timedelta(weeks=WEEKS // 2)
    slugs = dict(
        User.objects.filter(pk__in=[u.pk for u in users]).values_list("pk", "department__slug")
    )
    written = 0
    for phase, (start, end) in enumerate([(first, half), (half, today)]):
        rng = random.Random(f"adoption-{seed}")  # the same people contribute in both halves
        employees = [_employee(user, slugs[user.pk] or "", phase, rng) for user in users]
        days = [start + dt.timedelta(days=n) for n in range((end - start).days)]
        written += synthetic_insert(
            synthetic_rows(employees, days, spaces=spaces, seed=seed + phase)
        )
    return DemoAdoption(activities=written, days_rolled=len(rollup_pending(today=today)))
