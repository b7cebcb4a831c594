"""The park's customers as the company meets them: one human, several partial sightings.

A *sighting* is one department recording a human (the online shop, the newsletter form,
an email to customer care, a Facebook message, the loyalty desk), each with the
identifiers that source knows. Sightings that share an identifier resolve to one Person;
a human whose sightings share none ends up as two records, usually under two spellings of
the name: the realistic duplicate a fuzzy matcher is for. Household members share a
landline, recorded as a shared identifier.

Planning is pure Python: the same seed gives the same humans, sightings and identifiers,
whatever the day; only the dates move with it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from faker import Faker

from socius.demo.identifiers import (
    CUSTOMER_NUMBER,
    EMAIL,
    FACEBOOK,
    INSTAGRAM,
    LOYALTY_CARD,
    PHONE,
    SOCIAL_KINDS,
    IdentifierMint,
    PlannedIdentifier,
    X,
    email_local_part,
    render,
)
from socius.demo.names import (
    COMPOUND_FEMALE,
    COMPOUND_MALE,
    fold,
    given_name_variant,
    name_variant,
)
from socius.demo.seasons import ParkCalendar
from socius.people.services import Profile

# Two humans open every demo: one left as a duplicate, one linked across departments.
DUPLICATE_SHOWCASE = ("Jean-Pierre", "Lefèvre")
LINKED_SHOWCASE = ("Hélène", "Garnier")


@dataclass(frozen=True)
class Source:
    name: str
    department_slug: str
    channels: tuple[str, ...]
    weight: int
    """How often this source is the first to meet a human."""


SOURCES = {
    "shop": Source("shop", "ventes", ("web",), 45),
    "newsletter": Source("newsletter", "marketing", ("web",), 20),
    "support": Source("support", "service-client", ("email", "phone"), 12),
    "loyalty": Source("loyalty", "exploitation", ("counter",), 13),
    FACEBOOK: Source(FACEBOOK, "service-client", ("facebook",), 6),
    INSTAGRAM: Source(INSTAGRAM, "marketing", ("instagram",), 3),
    X: Source(X, "service-client", ("x",), 1),
}
_SOCIAL_WEIGHTS = (6, 4, 1)

# Customers come mostly from around the park (near Lyon), some from further away.
CITIES = (
    ("69003", "Lyon"),
    ("69007", "Lyon"),
    ("69008", "Lyon"),
    ("69100", "Villeurbanne"),
    ("69200", "Vénissieux"),
    ("69500", "Bron"),
    ("69300", "Caluire-et-Cuire"),
    ("69400", "Villefranche-sur-Saône"),
    ("38000", "Grenoble"),
    ("38200", "Vienne"),
    ("38300", "Bourgoin-Jallieu"),
    ("42000", "Saint-Étienne"),
    ("42300", "Roanne"),
    ("01000", "Bourg-en-Bresse"),
    ("01700", "Miribel"),
    ("71000", "Mâcon"),
    ("26000", "Valence"),
    ("07100", "Annonay"),
    ("73000", "Chambéry"),
    ("74000", "Annecy"),
    ("63000", "Clermont-Ferrand"),
    ("21000", "Dijon"),
    ("13006", "Marseille"),
    ("75011", "Paris"),
)


@dataclass(frozen=True, slots=True)
class Sighting:
    source: str
    channel: str
    department_slug: str
    record: int
    """Which of the human's records this sighting resolves to (0, or 1 for a duplicate)."""
    identifiers: tuple[PlannedIdentifier, ...]
    profile: Profile
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Human:
    number: int
    given_name: str
    family_name: str
    sightings: tuple[Sighting, ...]
    record_count: int
    shared_landline: PlannedIdentifier | None
    """The household's landline, held by the first record as a shared identifier."""


@dataclass(frozen=True)
class Home:
    family_name: str
    address: str
    postcode: str
    city: str
    landline: str | None


@dataclass
class _Group:
    """What one record will know of the human: a name spelling and some identifiers."""

    given: str
    family: str
    emails: list[str]
    mobile: str | None
    social: tuple[str, str] | None
    visits: list[tuple[str, str]]
    """(source, channel) pairs, in the order the sightings happen."""
    birth_date: date | None = None
    known: list[tuple[str, str]] = field(default_factory=list)
    customer_number: str = ""
    loyalty_card: str = ""
    gives_birth_date: bool = False
    """Every source of this record knows the birth date (the showcase duplicate)."""


class CustomerPlanner:
    """Yields humans until their records add up to ``persons``."""

    def __init__(self, *, seed: int, persons: int, now: datetime) -> None:
        self._rng = random.Random(f"customers:{seed}")
        self._fake = Faker("fr_FR")
        self._fake.seed_instance(f"customers:{seed}")
        self._mint = IdentifierMint(self._rng)
        # Its own stream: how many draws a date takes depends on the day the demo is built,
        # and that must not change names or identifiers.
        self._calendar = ParkCalendar(now, random.Random(f"customer-dates:{seed}"))
        self._persons_left = persons
        self._number = 0

    def __iter__(self) -> Iterator[Human]:
        yield from self._showcase()
        while self._persons_left > 0:
            yield from self._household()

    # Households and humans

    def _showcase(self) -> Iterator[Human]:
        if self._persons_left >= 2:
            given, family = DUPLICATE_SHOWCASE
            home = self._home(family, shares_landline=False)
            jean_pierre = self._pool(given, family, second_email=True, mobile=True, social=FACEBOOK)
            on_facebook = self._split_off(jean_pierre, ("JP", fold(family)))
            jean_pierre.visits = [("shop", "web"), ("newsletter", "web")]
            on_facebook.visits = [(FACEBOOK, "facebook")]
            # His birthday on his Facebook profile and on his shop account: with the names,
            # what duplicate detection has to go on.
            jean_pierre.gives_birth_date = on_facebook.gives_birth_date = True
            yield self._human(given, family, home, [jean_pierre, on_facebook])
        if self._persons_left >= 1:
            given, family = LINKED_SHOWCASE
            home = self._home(family, shares_landline=False)
            helene = self._pool(given, family, second_email=True, mobile=True, social=INSTAGRAM)
            helene.visits = [
                ("shop", "web"),
                ("loyalty", "counter"),
                ("support", "email"),
                (INSTAGRAM, "instagram"),
            ]
            yield self._human(given, family, home, [helene])

    def _household(self) -> Iterator[Human]:
        rng = self._rng
        members = 1 if rng.random() < 0.88 else rng.choice((2, 2, 3))
        home = self._home(self._fake.last_name(), shares_landline=members > 1)
        for _member in range(members):
            if self._persons_left <= 0:
                return
            family = home.family_name if rng.random() < 0.75 else self._fake.last_name()
            given = self._given_name()
            yield self._human(given, family, home, self._groups(given, family))

    def _human(self, given: str, family: str, home: Home, groups: list[_Group]) -> Human:
        sightings: list[Sighting] = []
        for record, group in enumerate(groups):
            sightings.extend(self._sightings(record, group, home))
        landline = home.landline
        self._number += 1
        self._persons_left -= len(groups)
        return Human(
            number=self._number,
            given_name=given,
            family_name=family,
            sightings=tuple(sightings),
            record_count=len(groups),
            shared_landline=render(PHONE, landline, self._rng) if landline else None,
        )

    def _home(self, family_name: str, *, shares_landline: bool) -> Home:
        postcode, city = self._rng.choice(CITIES)
        return Home(
            family_name=family_name,
            address=f"{self._rng.randint(1, 140)} {self._fake.street_name()}",
            postcode=postcode,
            city=city,
            landline=self._mint.landline() if shares_landline else None,
        )

    def _given_name(self) -> str:
        rng, female = self._rng, self._rng.random() < 0.52
        if rng.random() < 0.08:
            return rng.choice(COMPOUND_FEMALE if female else COMPOUND_MALE)
        return self._fake.first_name_female() if female else self._fake.first_name_male()

    # What each record knows

    def _pool(
        self,
        given: str,
        family: str,
        *,
        second_email: bool = False,
        mobile: bool = False,
        social: str = "",
    ) -> _Group:
        rng, mint = self._rng, self._mint
        emails = [mint.email(email_local_part(given, family, rng))]
        if second_email:
            emails.append(mint.email(email_local_part(given, family, rng)))
        handle = (social, mint.handle(social, given, family)) if social else None
        phone = mint.mobile() if mobile else None
        return _Group(given, family, emails, phone, handle, [], self._birth_date())

    def _groups(self, given: str, family: str) -> list[_Group]:
        rng = self._rng
        scenario = rng.random()
        splits = scenario >= 0.8 and self._persons_left >= 2
        social = rng.choices(SOCIAL_KINDS, _SOCIAL_WEIGHTS)[0] if rng.random() < 0.35 else ""
        pool = self._pool(
            given,
            family,
            second_email=splits or rng.random() < 0.4,
            mobile=rng.random() < 0.7,
            social=social,
        )
        if not splits:
            pool.visits = self._visits(pool, 1 if scenario < 0.4 else rng.randint(2, 4))
            return [pool]
        other = self._split_off(
            pool, name_variant(given, family, rng) if rng.random() < 0.85 else (given, family)
        )
        pool.visits = self._visits(pool, rng.randint(1, 3))
        other.visits = self._visits(other, rng.randint(1, 2))
        return [pool, other]

    def _split_off(self, pool: _Group, name: tuple[str, str]) -> _Group:
        """Move the second email and the social handle to a record of their own."""
        other = _Group(
            name[0], name[1], [pool.emails.pop()], None, pool.social, [], pool.birth_date
        )
        pool.social = None
        return other

    def _visits(self, group: _Group, count: int) -> list[tuple[str, str]]:
        feasible = [
            source
            for source in SOURCES.values()
            if source.name not in SOCIAL_KINDS or (group.social and group.social[0] == source.name)
        ]
        chosen: list[Source] = []
        for _visit in range(min(count, len(feasible))):
            source = self._rng.choices(feasible, [s.weight for s in feasible])[0]
            feasible.remove(source)
            chosen.append(source)
        return [(source.name, self._channel(source, group)) for source in chosen]

    def _channel(self, source: Source, group: _Group) -> str:
        if source.name == "support":
            return "phone" if group.mobile and self._rng.random() < 0.4 else "email"
        return source.channels[0]

    # Sightings

    def _sightings(self, record: int, group: _Group, home: Home) -> Iterator[Sighting]:
        when = self._calendar.moment()
        for source_name, channel in group.visits:
            source = SOURCES[source_name]
            picked = self._picked(source.name, channel, group)
            yield Sighting(
                source=source.name,
                channel=channel,
                department_slug=source.department_slug,
                record=record,
                identifiers=tuple(render(kind, value, self._rng) for kind, value in picked),
                profile=self._profile(source.name, group, home),
                occurred_at=when,
            )
            when = self._calendar.moment_after(when)

    def _picked(self, source: str, channel: str, group: _Group) -> list[tuple[str, str]]:
        picked = self._identifiers_for(source, channel, group)
        known = set(group.known)
        if group.known and not known.intersection(picked):
            # The form or the agent asked for something already on file (an order number,
            # the usual email): that is what lets deterministic resolution link sightings.
            picked.append(self._rng.choice(group.known))
        group.known.extend(item for item in picked if item not in known)
        return picked

    def _identifiers_for(self, source: str, channel: str, group: _Group) -> list[tuple[str, str]]:
        rng = self._rng
        if source == "shop":
            group.customer_number = group.customer_number or self._mint.customer_number()
            picked = [(CUSTOMER_NUMBER, group.customer_number), (EMAIL, group.emails[0])]
            if group.mobile and rng.random() < 0.6:
                picked.append((PHONE, group.mobile))
            return picked
        if source == "newsletter":
            # People sign up with an address the company already has, when it has one.
            known_emails = [value for kind, value in group.known if kind == EMAIL]
            return [(EMAIL, rng.choice(known_emails or group.emails))]
        if source == "support":
            if channel == "phone" and group.mobile:
                return [(PHONE, group.mobile)]
            return [(EMAIL, group.emails[-1])]
        if source == "loyalty":
            group.loyalty_card = group.loyalty_card or self._mint.loyalty_card()
            contact = (PHONE, group.mobile) if group.mobile else (EMAIL, group.emails[0])
            return [(LOYALTY_CARD, group.loyalty_card), contact]
        assert group.social is not None
        picked = [group.social]
        if rng.random() < 0.3:
            picked.append((EMAIL, group.emails[0]))
        return picked

    def _profile(self, source: str, group: _Group, home: Home) -> Profile:
        rng, given, family = self._rng, group.given, group.family
        if source == "shop":
            if rng.random() < 0.1:
                given, family = given.lower(), family.lower()
            birth = group.birth_date if rng.random() < 0.3 or group.gives_birth_date else None
            return Profile(given, family, birth, home.address, home.postcode, home.city, "fr")
        if source == "loyalty":
            return Profile(given, family.upper(), group.birth_date, "", home.postcode, home.city)
        if source == "newsletter":
            return Profile(given_name=given, family_name=family if rng.random() < 0.3 else "")
        if source == "support":
            return Profile(
                given_name=given, family_name=fold(family) if rng.random() < 0.5 else family
            )
        shown = given_name_variant(given, rng) if rng.random() < 0.3 else given
        birth = group.birth_date if group.gives_birth_date else None
        return Profile(given_name=shown, family_name=family, birth_date=birth)

    def _birth_date(self) -> date:
        return date(self._rng.randint(1950, 2006), 1, 1) + timedelta(days=self._rng.randrange(365))
