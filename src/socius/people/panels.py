"""Panels of the person page, so that later contexts add theirs without editing the page.

A context registers a panel once, at import (from its AppConfig.ready)::

    register_person_panel(
        "cases", title=_("Cases"), template="care/_person_cases.html",
        context=lambda person, user: {"cases": case_list_for_person(person=person)},
        order=15,
    )

The page renders every panel in ``order`` (then name), each in a card titled ``title``;
the template receives ``person``, ``user`` and what ``context`` returns. A panel's
``context`` must cost a fixed number of queries: the page's query count is pinned.

This module also lets employees listen to a person's live channel (``person:<id>``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from socius.accounts.roles import Capability
from socius.core.live import register_channel_authorizer
from socius.people.forms_persons import ConsentForm
from socius.people.models import Merge, Person, RelationKind
from socius.people.selectors.card import person_consents, person_relations, person_resolution

if TYPE_CHECKING:
    from socius.accounts.models import User

PanelContext = Callable[[Person, "User"], dict[str, Any]]


@dataclass(frozen=True)
class PersonPanel:
    name: str
    title: str | Promise
    template: str
    context: PanelContext
    order: int


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    title: str
    html: SafeString


_PANELS: dict[str, PersonPanel] = {}


def register_person_panel(
    name: str,
    *,
    title: str | Promise,
    template: str,
    context: PanelContext,
    order: int = 100,
) -> None:
    """Add (or replace, by name) a panel of the person page."""
    _PANELS[name] = PersonPanel(name, title, template, context, order)


def person_panels() -> list[PersonPanel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))


def person_panels_render(request: HttpRequest, person: Person, user: User) -> list[RenderedPanel]:
    rendered = []
    for panel in person_panels():
        context = {"person": person, "user": user, **panel.context(person, user)}
        html = render_to_string(panel.template, context, request=request)
        rendered.append(RenderedPanel(panel.name, str(panel.title), SafeString(html)))
    return rendered


def _relations_context(person: Person, user: User) -> dict[str, Any]:
    return {
        "relations": person_relations(person),
        "relation_kinds": RelationKind.choices,
        "may_edit": user.can(Capability.EDIT_PEOPLE),
    }


def _consents_context(person: Person, user: User) -> dict[str, Any]:
    return {
        "consents": person_consents(person),
        "consent_form": ConsentForm(),
        "may_edit": user.can(Capability.EDIT_PEOPLE),
    }


def _resolution_context(person: Person, user: User) -> dict[str, Any]:
    merges = (
        Merge.objects.filter(Q(survivor=person) | Q(absorbed=person))
        .select_related("survivor", "absorbed")
        .order_by("-created_at")[:10]
    )
    return {
        "resolution": person_resolution(person),
        "merges": list(merges),
        "may_edit": user.can(Capability.EDIT_PEOPLE),
    }


register_person_panel(
    "relations",
    title=_("Relations"),
    template="people/_panel_relations.html",
    context=_relations_context,
    order=10,
)
register_person_panel(
    "consents",
    title=_("Consents"),
    template="people/_panel_consents.html",
    context=_consents_context,
    order=20,
)
register_person_panel(
    "resolution",
    title=_("How this record was recognised"),
    template="people/_panel_resolution.html",
    context=_resolution_context,
    order=90,
)


def _may_follow_person(user: Any, suffix: str) -> bool:
    # Events on this channel carry only an activity id and verb: seeing people is enough.
    return suffix.isascii() and suffix.isdigit() and bool(user.can(Capability.VIEW_PEOPLE))


register_channel_authorizer("person", _may_follow_person)
