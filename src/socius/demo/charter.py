"""The demo company's social-media charter: published by HR ten weeks ago, acknowledged
week after week, sooner in the departments that use Socius most (operations lag)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.demo.adoption import HABITS, ORDINARY
from socius.insights.models import Acknowledgment, CharterVersion
from socius.insights.services import charter_acknowledge, charter_publish, charter_version_create

PUBLISHED_WEEKS_AGO = 10

CHARTER = """\
## Pourquoi cette charte

Nous parlons du Parc des Lumières sur les réseaux sociaux, en notre nom ou en celui du parc.
Cette charte dit ce que chacun peut faire, et comment le faire bien.

## Ce que nous faisons

- **Nous nous présentons** : quand nous parlons du parc, nous disons que nous y travaillons.
- **Nous respectons nos visiteurs** : jamais de photo d'un visiteur ni d'un enfant sans son
  accord ; jamais d'information sur un client (commande, réclamation, coordonnées).
- **Nous restons courtois**, même face à une critique ; une réclamation va au service client,
  qui répond dans la journée.
- **Nous gardons pour nous ce qui est interne** : chiffres, projets, incidents, échanges des
  espaces privés de Socius.

## Ce que le parc fait pour vous

- Des formations courtes sur les réseaux sociaux, deux fois par an.
- Des « ambassadeurs » dans chaque service, à qui poser vos questions.

## Ce que mesure Socius

Socius compte, par service et jamais par personne, qui lit, écrit et répond, pour suivre
l'adoption de nos outils. Aucun chiffre ne décrit moins de 5 personnes.
"""


@dataclass(frozen=True)
class DemoCharter:
    version: int
    acknowledged: int


def demo_charter_create(*, users: list[User], seed: int, now: dt.datetime) -> DemoCharter:
    hr = next((u for u in users if u.can(Capability.MANAGE_CHARTER) and not u.is_admin), None)
    if hr is None:
        return DemoCharter(version=0, acknowledged=0)
    draft = charter_version_create(
        actor=hr, title="Charte des réseaux sociaux", body=CHARTER, material=True
    )
    version = charter_publish(actor=hr, version=draft)
    published_at = now - dt.timedelta(weeks=PUBLISHED_WEEKS_AGO)
    # Back in time: the services write "now"; the demo tells the last ten weeks.
    CharterVersion.objects.filter(pk=version.pk).update(published_at=published_at)
    rng = random.Random(f"charter-{seed}")
    slugs = dict(
        User.objects.filter(pk__in=[u.pk for u in users]).values_list("pk", "department__slug")
    )
    acknowledged = 0
    for user in users:
        habits = HABITS.get(slugs.get(user.pk) or "", ORDINARY)
        # Frequent visitors read it within days; rare ones late, or not yet.
        if rng.random() > 0.35 + habits.after * 0.6:
            continue
        delay = dt.timedelta(days=rng.expovariate(habits.after * 0.6 + 0.05) * 3)
        at = min(published_at + delay, now - dt.timedelta(hours=1))
        record = charter_acknowledge(user=user, version=version, body_sha256=version.body_sha256)
        Acknowledgment.objects.filter(pk=record.pk).update(acknowledged_at=at)
        acknowledged += 1
    return DemoCharter(version=version.number, acknowledged=acknowledged)
