"""The entrances of an offer where staff scan tickets: added by a commerce manager, removed
only while nothing has been scanned there (a scan's record names its gate by slug)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.models import CheckIn, Gate, Offer
from socius.commerce.services.common import OPERATIONS_SLUGS, department_id, record
from socius.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from socius.core.verbs import register_verbs

NAME_MAX = 120  # Gate.name
SLUG_BASE_MAX = 50  # leaves room for "-999" within Gate.slug's 60
SLUG_ATTEMPTS = 20

register_verbs(
    {
        "commerce.gate_created": _("Gate added"),
        "commerce.gate_deleted": _("Gate removed"),
    }
)


class InvalidGateName(InvalidInput):
    code = "invalid_gate_name"
    default_message = _("A gate needs a name of at most 120 characters.")


class GateInUse(Conflict):
    code = "gate_in_use"
    default_message = _("Tickets were scanned at this gate: it stays, to keep their record.")


def _require_manager(actor: User) -> None:
    if not (actor.is_active and actor.can(Capability.MANAGE_COMMERCE)):
        raise Forbidden()


def offer_gates(offer: Offer) -> QuerySet[Gate]:
    """The offer's gates by name, each with its number of scans (one query)."""
    scans = (
        CheckIn.objects.filter(gate=OuterRef("slug"))
        .order_by()
        .values("gate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Gate.objects.filter(offer=offer)
        .annotate(scans=Coalesce(Subquery(scans, output_field=IntegerField()), 0))
        .order_by("name", "pk")
    )


def gate_get_for_offer(*, offer: Offer, gate_id: int | None = None, slug: str = "") -> Gate:
    gates = Gate.objects.filter(offer=offer)
    gate = (gates.filter(pk=gate_id) if gate_id is not None else gates.filter(slug=slug)).first()
    if gate is None:
        raise NotFound()
    return gate


def _slug_candidates(name: str, taken: set[str]) -> list[str]:
    base = slugify(name)[:SLUG_BASE_MAX].strip("-") or "gate"
    candidates = [base] + [f"{base}-{n}" for n in range(2, 1000)]
    return [slug for slug in candidates if slug not in taken][:SLUG_ATTEMPTS]


def gate_create(*, actor: User, offer: Offer, name: str) -> Gate:
    """A new gate for ``offer``; its slug (the scanner's address) comes from the name and is
    made unique with a number ("entree-2") when another gate has it."""
    _require_manager(actor)
    name = " ".join(str(name).split())
    if not name or len(name) > NAME_MAX:
        raise InvalidGateName(details={"field": "name"})
    base = slugify(name)[:SLUG_BASE_MAX].strip("-") or "gate"
    taken = set(Gate.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for slug in _slug_candidates(name, taken):
        try:
            with transaction.atomic():
                gate = Gate.objects.create(offer=offer, name=name, slug=slug)
                record(
                    "commerce.gate_created",
                    offer,
                    department=department_id(OPERATIONS_SLUGS),
                    actor_id=actor.pk,
                    summary=name,
                    payload={"gate": gate.slug},
                    customer_visible=False,
                )
                return gate
        except IntegrityError:
            continue  # taken by a concurrent creation meanwhile: the next number
    raise Conflict(details={"field": "name"})


def gate_delete(*, actor: User, gate: Gate) -> None:
    """Remove a gate where nothing was scanned; ``GateInUse`` (409) otherwise. One
    conditional DELETE, so a scan recorded meanwhile keeps the gate."""
    _require_manager(actor)
    with transaction.atomic():
        deleted, _counts = (
            Gate.objects.filter(pk=gate.pk)
            .exclude(Exists(CheckIn.objects.filter(gate=OuterRef("slug"))))
            .delete()
        )
        if not deleted:
            if Gate.objects.filter(pk=gate.pk).exists():
                raise GateInUse(details={"gate": gate.slug})
            raise NotFound()
        record(
            "commerce.gate_deleted",
            gate.offer,
            department=department_id(OPERATIONS_SLUGS),
            actor_id=actor.pk,
            summary=gate.name,
            payload={"gate": gate.slug},
            customer_visible=False,
        )
