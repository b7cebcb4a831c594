"""A few conversations written through the real services, so that each demo login finds
something addressed to them on first launch: an announcement to confirm, a question that
mentions them, reactions, a reply, a request to join a private space."""

from __future__ import annotations

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.collab.services import (
    announcement_read_confirm,
    answer_accept,
    comment_create,
    post_create,
    reaction_add,
    space_create,
    space_join_request,
    space_member_add,
)


def _handle(user: User) -> str:
    return "@" + user.email.split("@")[0].lower()


def demo_conversations_create(*, users: list[User]) -> int:
    """Write the conversations between the first employee of each role; returns how many
    posts and comments were written."""
    first: dict[str, User] = {}
    for user in users:
        first.setdefault(user.role, user)
    needed = (Role.ADMIN, Role.MANAGER, Role.HR, Role.AGENT, Role.EMPLOYEE)
    if any(role not in first for role in needed):
        return 0
    admin, manager, hr, agent, employee = (first[role] for role in needed)

    park = space_create(
        actor=manager,
        name="Vie du parc",
        visibility="public",
        description="Les nouvelles de tout le parc, pour toutes les équipes.",
        goal="Que chacun sache ce qui se passe ailleurs dans le parc",
    )
    for colleague in (admin, hr, agent, employee):
        space_member_add(actor=manager, space=park, user=colleague)
    announcement = post_create(
        actor=manager,
        space=park,
        kind="announcement",
        body=(
            "**Ouverture des nocturnes le 4 juillet.** Le planning des équipes est en ligne "
            "dans l'espace de chaque service. Merci de confirmer que vous l'avez lu. "
            "#nocturne #planning"
        ),
    )
    announcement_read_confirm(actor=hr, post=announcement)
    for colleague, kind in ((hr, "celebrate"), (agent, "like"), (admin, "support")):
        reaction_add(actor=colleague, post=announcement, kind=kind)

    question = post_create(
        actor=hr,
        space=park,
        kind="question",
        body=(
            f"Qui peut présenter la formation sécurité aux saisonniers jeudi ? "
            f"{_handle(employee)}, tu l'as faite l'an dernier, je crois. #formation"
        ),
    )
    answer = comment_create(
        actor=employee, post=question, body="Oui, avec plaisir : je prends le créneau de 10 h."
    )
    comment_create(
        actor=agent,
        post=question,
        parent=answer,
        body="Pense aux questions des clients sur les pass annuels, elles reviennent souvent.",
    )
    answer_accept(actor=hr, post=question, comment=answer)
    reaction_add(actor=manager, post=question, kind="like", comment=answer)

    tip = post_create(
        actor=agent,
        space=park,
        body=(
            f"Retour du service client : trois familles ont demandé cette semaine si les "
            f"billets de groupe sont remboursables. {_handle(manager)}, peut-on préciser les "
            f"conditions sur le site ? #billetterie"
        ),
    )
    comment_create(actor=manager, post=tip, body="Bonne remarque, je vois ça avec le marketing.")

    project = space_create(
        actor=admin,
        name="Projet nocturnes 2027",
        visibility="private",
        description="La préparation de la prochaine saison de nocturnes.",
    )
    space_join_request(
        actor=employee, space=project, message="J'aimerais aider sur l'accueil des groupes."
    )
    return 7
