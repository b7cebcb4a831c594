"""Customer care in the demo: how care is set up, and requests at every stage.

Written through the real services (intake, replies, notes, resolution, ratings), so that
an agent's first login finds requests assigned to them, one about to miss its target, a
colleague asked in a private note, and satisfaction already flowing in.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.care.models import (
    CannedReply,
    Case,
    Channel,
    Priority,
    RoutingRule,
    SlaPolicy,
    Status,
    SurveyWording,
)
from socius.care.services.cases import case_status_set
from socius.care.services.conversation import case_note_add, case_reply
from socius.care.services.intake import Inbound, message_receive
from socius.care.services.satisfaction import rating_submit, survey_token
from socius.people.models import Identifier, IdentifierKind

# (subject, first message, channel) — what park visitors write about.
REQUESTS = (
    (
        "Billets non reçus",
        "Bonjour, j'ai payé hier mais je n'ai pas reçu mes billets.",
        Channel.EMAIL,
    ),
    (
        "Remboursement annulation",
        "Je souhaite être remboursé de ma visite annulée pour cause de pluie.",
        Channel.PORTAL,
    ),
    (
        "Accès PMR",
        "Mon fils est en fauteuil : quelles attractions lui sont accessibles ?",
        Channel.MESSENGER,
    ),
    (
        "Devis comité d'entreprise",
        "Nous sommes un CE de 80 personnes : pouvez-vous nous faire un devis groupe ?",
        Channel.EMAIL,
    ),
    (
        "Objet perdu",
        "J'ai oublié un doudou lapin bleu près du manège des tasses.",
        Channel.MESSENGER,
    ),
    ("Horaires nocturne", "La nocturne du 4 juillet finit à quelle heure ?", Channel.API),
    ("Pass annuel", "Mon pass annuel ne passe plus au portique depuis samedi.", Channel.PORTAL),
    ("Anniversaire", "Proposez-vous des formules anniversaire pour 10 enfants ?", Channel.EMAIL),
)


@dataclass(frozen=True)
class CareReport:
    cases: int
    resolved: int
    ratings: int


def _setup(departments: dict[str, Department]) -> None:
    care, sales = departments.get("service-client"), departments.get("ventes")
    targets = {
        Priority.LOW: (8 * 60, 5 * 540),
        Priority.NORMAL: (4 * 60, 3 * 540),
        Priority.HIGH: (60, 540),
        Priority.URGENT: (30, 240),
    }
    SlaPolicy.objects.bulk_create(
        [
            SlaPolicy(
                department=None,
                priority=p,
                first_response_minutes=first,
                resolution_minutes=resolve,
            )
            for p, (first, resolve) in targets.items()
        ]
    )
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(
                name="Groupes et entreprises vers les ventes",
                position=10,
                keywords="devis, groupe, comité, séminaire",
                set_department=sales,
                set_priority=Priority.HIGH,
                add_tags="groupe",
                stop=True,
            ),
            RoutingRule(
                name="Remboursements prioritaires",
                position=20,
                keywords="rembours, annul",
                set_department=care,
                set_priority=Priority.HIGH,
                add_tags="remboursement",
                stop=True,
            ),
            RoutingRule(name="Tout le reste au service client", position=100, set_department=care),
        ]
    )
    CannedReply.objects.bulk_create(
        [
            CannedReply(
                department=care,
                title="Accusé de réception",
                body="Bonjour {{ customer.first_name }},\n\nMerci pour votre message : "
                "nous regardons votre demande {{ case.reference }} et revenons "
                "vers vous très vite.\n\n{{ agent.name }}, service client",
            ),
            CannedReply(
                department=None,
                title="Billets renvoyés",
                body="Bonjour {{ customer.first_name }},\n\nVos billets viennent de "
                "vous être renvoyés par e-mail. Bonne visite !\n\n{{ agent.name }}",
            ),
        ]
    )
    if care is not None:
        SurveyWording.objects.create(
            department=care,
            question="Notre réponse vous a-t-elle aidé ?",
            comment_prompt="Un mot pour l'équipe du service client ?",
            thanks="Merci ! Votre avis est lu par toute l'équipe.",
        )


def _customers(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(email, given name) of customers already known to the company."""
    rows = list(
        Identifier.objects.filter(
            kind=IdentifierKind.EMAIL,
            person__merged_into__isnull=True,
            person__erased_at__isnull=True,
            person__user__isnull=True,
        )
        .values_list("value", "person__given_name")
        .order_by("pk")[: count * 4]
    )
    rng.shuffle(rows)
    return rows[:count]


def _receive(email: str, name: str, subject: str, body: str, channel: str, n: int) -> Case:
    from socius.people.services.types import IdentifierIn, Profile

    identifiers: tuple[IdentifierIn, ...] = (IdentifierIn(IdentifierKind.EMAIL, email),)
    if channel == Channel.MESSENGER:
        identifiers += (IdentifierIn(IdentifierKind.EXTERNAL, f"psid-demo-{n}"),)
    return message_receive(
        Inbound(
            channel=channel,
            identifiers=identifiers,
            profile=Profile(given_name=name),
            subject=subject,
            body=body,
            address=email,
            external_id=f"demo-{n}",
        )
    ).case


def demo_care_create(
    *, users: list[User], seed: int, portal_email: str = "", now: dt.datetime | None = None
) -> CareReport:
    """Set care up and write requests at every stage; returns what was written."""
    rng = random.Random(seed)
    now = now or timezone.now()
    departments = {d.slug: d for d in Department.objects.all()}
    agents = [u for u in users if u.role == Role.AGENT]
    helpers = [
        u
        for u in users
        if u.role == Role.EMPLOYEE and u.department and u.department.slug == "ventes"
    ]
    if not agents:
        return CareReport(0, 0, 0)
    _setup(departments)
    customers = _customers(rng, 30)
    if portal_email:
        customers.insert(0, (portal_email, ""))
    cases, resolved, ratings = [], 0, 0
    for n, (email, name) in enumerate(customers):
        subject, body, channel = REQUESTS[n % len(REQUESTS)]
        case = _receive(email, name, subject, body, channel, n)
        cases.append(case)
        stage = n % 5
        agent = case.assignee or agents[n % len(agents)]
        if stage == 1 and helpers:
            handle = helpers[0].email.split("@")[0]
            case_note_add(
                actor=agent,
                case=case,
                body=f"@{handle} ce client a déjà acheté en groupe ? Je prépare la réponse.",
            )
        if stage in (2, 3, 4) or n == 0:
            case_reply(
                actor=agent,
                case=case,
                status=Status.WAITING,
                body="Bonjour,\n\nMerci pour votre message, nous nous en occupons.",
            )
        if stage in (3, 4) or n == 0:
            case_status_set(actor=agent, case=case, status=Status.RESOLVED)
            resolved += 1
            if stage == 4 or n == 0:
                rating_submit(
                    token=survey_token(case),
                    score=rng.choice((3, 4, 5, 5, 5)),
                    comment=rng.choice(("", "Très réactifs, merci !", "Parfait.")),
                )
                ratings += 1
    _spread_in_time(cases, rng, now)
    return CareReport(cases=len(cases), resolved=resolved, ratings=ratings)


def _spread_in_time(cases: list[Case], rng: random.Random, now: dt.datetime) -> None:
    """Requests written at load time all look a second old: spread them over the last
    days so that the inbox reads like a real one (and one is about to breach)."""
    for case in cases:
        opened = now - dt.timedelta(hours=rng.randint(1, 96))
        Case.objects.filter(pk=case.pk).update(created_at=opened, last_message_at=opened)
