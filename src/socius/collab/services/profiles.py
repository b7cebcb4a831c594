"""A colleague's own profile in the directory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Profile
from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs

register_verbs({"collab.profile_updated": _("Profile updated")})

MAX_ABOUT = 10_000


@dataclass(frozen=True)
class ProfileIn:
    title: str = ""
    skills: str = ""
    ask_me_about: str = ""
    about: str = ""


def _limits() -> dict[str, int]:
    return {
        "title": Profile._meta.get_field("title").max_length or 0,
        "skills": Profile._meta.get_field("skills").max_length or 0,
        "ask_me_about": Profile._meta.get_field("ask_me_about").max_length or 0,
        "about": MAX_ABOUT,
    }


def _cleaned(data: ProfileIn) -> dict[str, str]:
    values = {field: getattr(data, field).strip() for field in _limits()}
    for field, limit in _limits().items():
        if len(values[field]) > limit:
            raise InvalidInput(details={"field": field, "max_length": limit})
    # Skills are written as a comma-separated list; keep it tidy for display and search.
    values["skills"] = ", ".join(
        part.strip() for part in values["skills"].split(",") if part.strip()
    )
    return values


@transaction.atomic
def profile_update(*, actor: User, data: ProfileIn) -> Profile:
    """A colleague writes their own profile (created on the first save); ``about`` is Markdown."""
    values = _cleaned(data)
    profile, _created = Profile.objects.update_or_create(user=actor, defaults=values)
    activity_append(
        ActivityDraft(
            verb="collab.profile_updated",
            actor_id=actor.pk,
            department_id=actor.department_id,  # adoption is measured per department
            about=ActivityObject.of(profile),
        )
    )
    return profile
