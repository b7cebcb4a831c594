"""What happens to the park's customers and between its employees, as activity drafts.

Each sighting of a customer opens their story (a first purchase, a newsletter sign-up, a
message to customer care); follow-ups of the same kind fill it up to the size's volume.
Actors and departments are picked from the staff by position, never by database id, so a
seed tells the same story in any database.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from socius.core.models import Visibility
from socius.core.services import ActivityDraft
from socius.demo.adoption import HABITS, ORDINARY
from socius.demo.company import DEPARTMENTS, Staff
from socius.demo.customers import Human, Sighting
from socius.demo.seasons import ParkCalendar
from socius.demo.texts import (
    CAMPAIGNS,
    CARE_EXCHANGES,
    COMMENTS,
    GATES,
    INTERNAL_NOTES,
    OFFERS,
    POSTS,
)

CUSTOMER = Visibility.CUSTOMER.value
INTERNAL = Visibility.INTERNAL.value

_DEPARTMENT_NAMES = {department.slug: department.name for department in DEPARTMENTS}

_Scene = Callable[[Sighting, int], list[ActivityDraft]]


def euros(cents: int) -> str:
    whole = f"{cents // 100:,}".replace(",", "\u202f")
    return f"{whole},{cents % 100:02d}\u00a0€"


class Storyteller:
    """Turns humans into activity drafts; one per build, since it numbers the orders."""

    def __init__(
        self, *, seed: int, now: datetime, staff: Staff, activities_per_person: float
    ) -> None:
        self._rng = random.Random(f"activities:{seed}")
        # Its own stream: how many draws a date takes depends on the day the demo is built,
        # and that must not change who did what.
        self._calendar = ParkCalendar(now, random.Random(f"activity-dates:{seed}"))
        self._staff = staff
        self._mean = activities_per_person
        self._orders = 0
        self._employees = [
            (slug, employee_id) for slug, ids in staff.members.items() for employee_id in ids
        ]
        self._talk_weights = [
            HABITS.get(slug, ORDINARY).contributors for slug, _id in self._employees
        ]
        conversation = (self._conversation_first, self._conversation_follow_up)
        # Per source: the scene of the first contact, then the scene of every follow-up.
        self._scenes: dict[str, tuple[_Scene, _Scene]] = {
            "shop": (self._shop_first, self._shop_follow_up),
            "newsletter": (self._newsletter_first, self._newsletter_follow_up),
            "loyalty": (self._loyalty_first, self._loyalty_follow_up),
            "support": conversation,
            "facebook": conversation,
            "instagram": conversation,
            "x": conversation,
        }

    def customer_story(self, human: Human, record_ids: Sequence[int]) -> list[ActivityDraft]:
        """``record_ids[i]`` is the Person id of the human's record ``i``."""
        rng, drafts = self._rng, []
        for sighting in human.sightings:
            drafts += self._scenes[sighting.source][0](sighting, record_ids[sighting.record])
        wanted = round(rng.triangular(0, 2 * self._mean, self._mean) * human.record_count)
        while len(drafts) < wanted:
            sighting = rng.choice(human.sightings)
            drafts += self._scenes[sighting.source][1](sighting, record_ids[sighting.record])
        return drafts

    def colleagues_talk(self, count: int) -> list[ActivityDraft]:
        """Posts and comments between employees, about no customer."""
        rng, drafts = self._rng, []
        for _index in range(count):
            # Those who post in the demo's adoption story are those who talk here too.
            slug, actor_id = rng.choices(self._employees, weights=self._talk_weights)[0]
            space = _DEPARTMENT_NAMES[slug]
            is_post = rng.random() < 0.6
            text = rng.choice(POSTS[slug]) if is_post else rng.choice(COMMENTS)
            drafts.append(
                ActivityDraft(
                    verb="collab.post_created" if is_post else "collab.comment_created",
                    actor_id=actor_id,
                    department_id=self._staff.department_ids[slug],
                    channel="web",
                    summary=f"{space} · {text}",
                    payload={"space": space},
                    occurred_at=self._calendar.moment(opening_hours=True),
                )
            )
        return drafts

    # Building blocks

    def _draft(
        self,
        verb: str,
        sighting: Sighting,
        person_id: int,
        summary: str,
        *,
        at: datetime,
        department: str = "",
        channel: str = "",
        actor_id: int | None = None,
        visibility: str = CUSTOMER,
        payload: dict[str, object] | None = None,
    ) -> ActivityDraft:
        return ActivityDraft(
            verb=verb,
            actor_id=actor_id,
            person_id=person_id,
            department_id=self._staff.department_ids[department or sighting.department_slug],
            channel=channel or sighting.channel,
            visibility=visibility,
            summary=summary,
            payload=payload or {},
            occurred_at=at,
        )

    def _member(self, slug: str) -> int:
        return self._rng.choice(self._staff.members[slug])

    def _later(self, start: datetime, *, opening_hours: bool = False) -> datetime:
        return self._calendar.moment_after(start, opening_hours=opening_hours)

    def _soon_after(self, start: datetime, *, max_minutes: int) -> datetime:
        delay = timedelta(minutes=self._rng.randint(5, max_minutes))
        return min(start + delay, self._calendar.now)

    # Scenes: one business event as one or a few drafts, for a sighting's record

    def _purchase(
        self, sighting: Sighting, person_id: int, at: datetime, *, at_counter: bool
    ) -> list[ActivityDraft]:
        rng = self._rng
        code, label, price = rng.choice(OFFERS)
        quantity = 1 if code in ("pass-annuel", "famille", "hotel-2-jours") else rng.randint(1, 4)
        self._orders += 1
        return [
            self._draft(
                "shop.purchase",
                sighting,
                person_id,
                f"{quantity} × {label} — {euros(price * quantity)}",
                at=at,
                department="ventes",
                channel="counter" if at_counter else "web",
                actor_id=self._member("ventes") if at_counter else None,
                payload={
                    "order": f"CMD-{self._orders:07d}",
                    "offer": code,
                    "quantity": quantity,
                    "amount_cents": price * quantity,
                },
            )
        ]

    def _ticket_scanned(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        return [
            self._draft(
                "shop.ticket_scanned",
                sighting,
                person_id,
                self._rng.choice(GATES),
                at=self._later(sighting.occurred_at, opening_hours=True),
                department="exploitation",
                channel="gate",
                actor_id=self._member("exploitation"),
            )
        ]

    def _conversation(
        self, sighting: Sighting, person_id: int, at: datetime
    ) -> list[ActivityDraft]:
        rng = self._rng
        message, reply = rng.choice(CARE_EXCHANGES)
        agent = self._member("service-client")
        answered = self._soon_after(at, max_minutes=2 * 24 * 60)
        drafts = [
            self._draft(
                "care.message_received",
                sighting,
                person_id,
                message,
                at=at,
                department="service-client",
            ),
            self._draft(
                "care.reply_sent",
                sighting,
                person_id,
                reply,
                at=answered,
                department="service-client",
                actor_id=agent,
            ),
        ]
        if rng.random() < 0.2:
            note = rng.choice(INTERNAL_NOTES)
            drafts.insert(
                1,
                self._draft(
                    "care.internal_note",
                    sighting,
                    person_id,
                    note,
                    at=self._soon_after(at, max_minutes=60),
                    department="service-client",
                    actor_id=agent,
                    visibility=INTERNAL,
                ),
            )
        return drafts

    def _shop_first(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        return self._purchase(sighting, person_id, sighting.occurred_at, at_counter=False)

    def _shop_follow_up(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        if self._rng.random() < 0.4:
            at_counter = self._rng.random() < 0.3
            at = self._later(sighting.occurred_at, opening_hours=at_counter)
            return self._purchase(sighting, person_id, at, at_counter=at_counter)
        return self._ticket_scanned(sighting, person_id)

    def _newsletter_first(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        summary = "Inscription à la lettre « Les Lumières du mois »"
        return [
            self._draft(
                "marketing.newsletter_signup", sighting, person_id, summary, at=sighting.occurred_at
            )
        ]

    def _newsletter_follow_up(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        campaign = self._rng.choice(CAMPAIGNS)
        return [
            self._draft(
                "marketing.email_opened",
                sighting,
                person_id,
                f"Campagne « {campaign} » ouverte",
                at=self._later(sighting.occurred_at),
                channel="email",
                visibility=INTERNAL,
                payload={"campaign": campaign},
            )
        ]

    def _conversation_first(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        return self._conversation(sighting, person_id, sighting.occurred_at)

    def _conversation_follow_up(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        return self._conversation(sighting, person_id, self._later(sighting.occurred_at))

    def _loyalty_first(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        return [
            self._draft(
                "loyalty.card_created",
                sighting,
                person_id,
                "Carte de fidélité créée à l'accueil",
                at=sighting.occurred_at,
                actor_id=self._member("exploitation"),
            )
        ]

    def _loyalty_follow_up(self, sighting: Sighting, person_id: int) -> list[ActivityDraft]:
        if self._rng.random() < 0.5:
            return self._ticket_scanned(sighting, person_id)
        points = self._rng.choice((10, 20, 40, 50, 100))
        return [
            self._draft(
                "loyalty.points_earned",
                sighting,
                person_id,
                f"{points} points de fidélité crédités",
                at=self._later(sighting.occurred_at, opening_hours=True),
                payload={"points": points},
            )
        ]
