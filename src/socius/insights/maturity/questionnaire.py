# ruff: noqa: E501
"""The versioned maturity questionnaire (spec A.3).

A campaign stores the version key it was sent with, and a version is never edited once
campaigns use it: a new wording or item set is a new entry in ``QUESTIONNAIRES``, so the
answers of old campaigns keep the meaning they were given under.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Factor(StrEnum):
    CULTURE = "CO"
    STRATEGY = "ST"
    COMPETITION = "CP"
    CUSTOMERS = "CX"
    GREEN = "G"  # the optional block, kept apart from the four factors


class Axis(StrEnum):
    WHAT = "W"  # digital intensity
    HOW = "H"  # transformation management
    PRESSURE = "P"  # external pressure: feeds urgency, never maturity


FACTORS: tuple[str, ...] = ("CO", "ST", "CP", "CX")
EXTERNAL_FACTORS = frozenset({"CP", "CX"})

FACTOR_LABELS: dict[str, Promise] = {
    "CO": _("Culture and organisation"),
    "ST": _("Strategy"),
    "CP": _("Competitive environment"),
    "CX": _("Customer expectations"),
    "G": _("Green digitalisation"),
}

SCALE: tuple[tuple[int, Promise], ...] = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)


@dataclass(frozen=True)
class Item:
    key: str
    factor: str
    axis: str
    text: Promise
    optional: bool = False

    @property
    def scored(self) -> bool:
        return self.axis != Axis.PRESSURE


@dataclass(frozen=True)
class Questionnaire:
    version: str
    items: tuple[Item, ...]

    def items_for(self, *, include_green: bool) -> tuple[Item, ...]:
        return tuple(item for item in self.items if include_green or not item.optional)

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)


def _item(key: str, factor: str, axis: str, text: Promise, *, optional: bool = False) -> Item:
    return Item(key=key, factor=factor, axis=axis, text=text, optional=optional)


SOCIUS_2026_1 = Questionnaire(
    version="socius-2026.1",
    items=(
        _item(
            "CO1",
            "CO",
            "H",
            _(
                "People share information and ask questions openly across teams and hierarchy levels."
            ),
        ),
        _item("CO2", "CO", "H", _("Cross-functional teams are a normal way to run projects.")),
        _item(
            "CO3",
            "CO",
            "H",
            _("Staff regularly receive training on digital tools and ways of working."),
        ),
        _item(
            "CO4",
            "CO",
            "W",
            _(
                "Employees use digital tools that have changed how they do their daily tasks, and were involved in choosing them."
            ),
        ),
        _item("CO5", "CO", "H", _("Trying a new digital approach and failing is accepted here.")),
        _item(
            "CO6",
            "CO",
            "H",
            _("Managers use the internal collaboration tools themselves and reply there."),
        ),
        _item(
            "ST1",
            "ST",
            "H",
            _("We have a written digital strategy linked to our business strategy."),
        ),
        _item(
            "ST2", "ST", "H", _("A member of top management sponsors and leads the digital agenda.")
        ),
        _item(
            "ST3",
            "ST",
            "H",
            _("Digital projects have a budget and are measured against business KPIs."),
        ),
        _item("ST4", "ST", "H", _("Our digital plans look at least 3 years ahead.")),
        _item("ST5", "ST", "W", _("Our data is collected, secured and used to support decisions.")),
        _item(
            "ST6",
            "ST",
            "W",
            _(
                "Routine processes are automated and integrated across departments (e.g. ERP, CRM, workflows)."
            ),
        ),
        _item(
            "CP-P1",
            "CP",
            "P",
            _("Digital technology is significantly changing how competition works in our market."),
        ),
        _item(
            "CP-P2",
            "CP",
            "P",
            _("Digital newcomers or platforms are winning customers in our market."),
        ),
        _item(
            "CP1", "CP", "H", _("We systematically track competitors' digital offers and channels.")
        ),
        _item(
            "CP2",
            "CP",
            "W",
            _("We sell or take orders online (own site, marketplace or social networks)."),
        ),
        _item(
            "CP3",
            "CP",
            "W",
            _(
                "We launched at least one new digital product, service or business model in the last 2 years."
            ),
        ),
        _item(
            "CP4",
            "CP",
            "H",
            _(
                "We work with outside partners (suppliers, start-ups, innovation hubs) on digital projects."
            ),
        ),
        _item(
            "CX-P1",
            "CX",
            "P",
            _(
                "Our customers expect to deal with us through digital channels (social networks, messaging, mobile)."
            ),
        ),
        _item(
            "CX-P2", "CX", "P", _("Our customers expect an answer within hours rather than days.")
        ),
        _item(
            "CX1",
            "CX",
            "W",
            _(
                "Customers can reach us and get answers through digital channels, with a response-time target."
            ),
        ),
        _item(
            "CX2",
            "CX",
            "H",
            _(
                "We collect customer feedback from online channels (reviews, social networks) and act on it."
            ),
        ),
        _item(
            "CX3",
            "CX",
            "W",
            _("Customer data is shared across departments to give a single view of each customer."),
        ),
        _item(
            "CX4",
            "CX",
            "W",
            _("Customers can do the whole purchase digitally (book, pay, get an e-ticket)."),
        ),
        _item(
            "G1",
            "G",
            "W",
            _(
                "We take environmental impact into account when choosing digital equipment and services."
            ),
            optional=True,
        ),
        _item(
            "G2",
            "G",
            "W",
            _("We use digital tools to reduce our environmental footprint."),
            optional=True,
        ),
    ),
)

QUESTIONNAIRES: dict[str, Questionnaire] = {SOCIUS_2026_1.version: SOCIUS_2026_1}
CURRENT_VERSION = SOCIUS_2026_1.version


def questionnaire_get(version: str) -> Questionnaire:
    return QUESTIONNAIRES[version]
