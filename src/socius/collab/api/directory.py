"""The employee directory through the API: colleagues, their profiles, and my own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.text import Truncator
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from socius.accounts.api_auth import api_user
from socius.accounts.models import User
from socius.collab.api.auth import READ, WRITE
from socius.collab.search import parse_query
from socius.collab.search.directory import (
    colleague_get,
    colleague_recent_posts,
    colleague_spaces,
    colleagues_matching,
    colleagues_page,
    department_get,
    departments_with_counts,
    skills_of,
)
from socius.collab.search.snippets import plain_text
from socius.collab.services.profiles import ProfileIn, profile_update
from socius.core.markdown import render_markdown

router = Router(tags=["collab"])


class DepartmentOut(Schema):
    slug: str
    name: str
    colleagues: int


class PersonOut(Schema):
    id: int
    name: str
    department: str | None
    role: str
    title: str
    skills: list[str]
    ask_me_about: str


class PeopleOut(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class PersonSpaceOut(Schema):
    id: int
    name: str
    visibility: str


class PersonPostOut(Schema):
    id: int
    space_id: int
    space: str
    excerpt: str
    created_at: dt.datetime


class PersonDetailOut(PersonOut):
    about: str
    about_html: str = Field(description="The Markdown rendered and sanitized.")
    spaces: list[PersonSpaceOut]
    recent_posts: list[PersonPostOut]


class ProfileSchemaIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=120)
    skills: str = Field("", max_length=500, description="Comma-separated.")
    ask_me_about: str = Field("", max_length=500)
    about: str = Field("", max_length=10_000, description="Markdown.")


def _person(user: User) -> dict[str, Any]:
    profile = getattr(user, "profile", None)
    return {
        "id": user.pk,
        "name": user.full_name,
        "department": user.department.name if user.department else None,
        "role": user.role,
        "title": profile.title if profile else "",
        "skills": skills_of(user),
        "ask_me_about": profile.ask_me_about if profile else "",
    }


def _person_detail(viewer: User, user: User) -> dict[str, Any]:
    about = user.profile.about if hasattr(user, "profile") else ""
    return {
        **_person(user),
        "about": about,
        "about_html": str(render_markdown(about)),
        "spaces": [
            {"id": s.pk, "name": s.name, "visibility": s.visibility}
            for s in colleague_spaces(viewer=viewer, colleague=user)
        ],
        "recent_posts": [
            {
                "id": p.pk,
                "space_id": p.space_id,
                "space": p.space.name,
                "excerpt": Truncator(plain_text(p.body)).chars(140),
                "created_at": p.created_at,
            }
            for p in colleague_recent_posts(viewer=viewer, colleague=user)
        ],
    }


@router.get("/departments", response=list[DepartmentOut], auth=READ)
def departments_list(request: Any) -> list[dict[str, Any]]:
    return [
        {"slug": d.department.slug, "name": d.department.name, "colleagues": d.colleagues}
        for d in departments_with_counts()
    ]


@router.get("/people", response=PeopleOut, auth=READ)
def people_list(
    request: Any, department: str = "", q: str = "", cursor: str | None = None
) -> dict[str, Any]:
    """By name; with ``q``, ranked by name, title, skills and "ask me about"."""
    api_user(request)
    chosen = department_get(slug=department) if department else None
    if q:  # the best matches, ranked: one page
        found = colleagues_matching(query=parse_query(q), department=chosen)
        return {"items": [_person(user) for user in found], "next_cursor": None}
    page = colleagues_page(department=chosen, cursor=cursor)
    return {"items": [_person(user) for user in page.items], "next_cursor": page.next_cursor}


@router.get("/people/me", response=PersonDetailOut, auth=READ)
def people_me(request: Any) -> dict[str, Any]:
    actor = api_user(request)
    return _person_detail(actor, colleague_get(colleague_id=actor.pk))


@router.put("/people/me", response=PersonDetailOut, auth=WRITE)
def people_me_update(request: Any, data: ProfileSchemaIn) -> dict[str, Any]:
    actor = api_user(request)
    profile_update(actor=actor, data=ProfileIn(**data.model_dump()))
    return _person_detail(actor, colleague_get(colleague_id=actor.pk))


@router.get("/people/{user_id}", response=PersonDetailOut, auth=READ)
def people_detail(request: Any, user_id: int) -> dict[str, Any]:
    return _person_detail(api_user(request), colleague_get(colleague_id=user_id))
