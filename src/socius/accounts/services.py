"""Writes of the accounts context: employees, departments, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from socius.accounts.emails import invitation_send
from socius.accounts.errors import (
    EmailAlreadyUsed,
    InvalidDepartment,
    InvalidRole,
    ScopeNotAllowed,
    UnknownScope,
    WeakPassword,
)
from socius.accounts.models import ApiToken, Department, User
from socius.accounts.roles import SCOPES, Role, role_has
from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.people.models import IdentifierKind
from socius.people.normalize import normalize_email
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve

TOKEN_PREFIX = "soc_"  # noqa: S105 - a public marker, not a secret
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class EmployeeIn:
    email: str
    full_name: str
    department_slug: str = ""
    role: str = Role.EMPLOYEE
    password: str | None = None
    send_invitation: bool = False


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str


def _split_name(full_name: str) -> tuple[str, str]:
    given, _sep, family = full_name.strip().partition(" ")
    return given, family


@transaction.atomic
def department_ensure(*, slug: str, name: str = "", actor: User | None = None) -> Department:
    """Return the department with this slug, creating it (named ``name``) if missing."""
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidDepartment(details={"slug": slug})
    department, created = Department.objects.get_or_create(
        slug=slug, defaults={"name": name.strip() or slug.replace("-", " ").title()}
    )
    if created:
        activity_append(
            ActivityDraft(
                verb="department.created",
                actor_id=actor.pk if actor else None,
                department_id=department.pk,
                about=ActivityObject.of(department),
                summary=department.name,
            )
        )
    return department


@transaction.atomic
def department_create(*, name: str, slug: str = "", actor: User | None = None) -> Department:
    name = name.strip()
    if not name:
        raise InvalidDepartment()
    return department_ensure(slug=slug or slugify(name), name=name, actor=actor)


@transaction.atomic
def department_rename(*, department: Department, name: str, actor: User) -> Department:
    name = name.strip()
    if not name:
        raise InvalidDepartment()
    department.name = name
    department.save(update_fields=["name"])
    activity_append(
        ActivityDraft(
            verb="department.renamed",
            actor_id=actor.pk,
            department_id=department.pk,
            about=ActivityObject.of(department),
            summary=name,
        )
    )
    return department


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WeakPassword(" ".join(error.messages), details={"field": "password"}) from None


@transaction.atomic
def employee_create(*, data: EmployeeIn, actor: User | None = None) -> User:
    """Create an employee's login and resolve the Person they are (one record per human)."""
    if data.role not in Role.values:
        raise InvalidRole(details={"role": data.role, "allowed": list(Role.values)})
    email = normalize_email(data.email)
    if User.objects.filter(email=email).exists():
        raise EmailAlreadyUsed(details={"email": email})
    department = (
        department_ensure(slug=data.department_slug, actor=actor) if data.department_slug else None
    )
    given, family = _split_name(data.full_name)
    resolution = person_resolve(
        identifiers=[IdentifierIn(IdentifierKind.EMAIL, email)],
        profile=Profile(given_name=given, family_name=family),
        context=ResolveContext(source="accounts", actor_id=actor.pk if actor else None),
    )
    user = User(
        email=email,
        full_name=data.full_name.strip(),
        department=department,
        role=data.role,
        person=resolution.person,
        is_staff=data.role == Role.ADMIN,
        is_superuser=data.role == Role.ADMIN,
    )
    if data.password:
        _check_password(data.password, user)
        user.set_password(data.password)
    else:
        user.set_unusable_password()
    user.save()
    activity_append(
        ActivityDraft(
            verb="employee.created",
            actor_id=actor.pk if actor else None,
            person_id=resolution.person.pk,
            department_id=department.pk if department else None,
            about=ActivityObject.of(user),
            summary=user.full_name,
            payload={"role": user.role},
        )
    )
    if data.send_invitation:
        transaction.on_commit(lambda: invitation_send(user))
    return user


@transaction.atomic
def employee_update(
    *, employee: User, actor: User, role: str, department: Department | None, is_active: bool
) -> User:
    if role not in Role.values:
        raise InvalidRole(details={"role": role})
    changes = {}
    for name, value in (("role", role), ("department", department), ("is_active", is_active)):
        if getattr(employee, name) != value:
            changes[name] = str(value.pk if isinstance(value, Department) else value)
            setattr(employee, name, value)
    employee.is_staff = employee.is_superuser = role == Role.ADMIN
    employee.save(update_fields=["role", "department", "is_active", "is_staff", "is_superuser"])
    if not is_active:
        employee.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if changes:
        activity_append(
            ActivityDraft(
                verb="employee.updated",
                actor_id=actor.pk,
                person_id=employee.person_id,
                department_id=employee.department_id,
                about=ActivityObject.of(employee),
                summary=employee.full_name,
                payload=changes,
            )
        )
    return employee


def employee_language_set(*, employee: User, language: str) -> User:
    """Remember the language an employee chose, for what is sent to them (emails).

    A display preference rather than an event of the company: no Activity is appended.
    """
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput(
            details={"field": "language", "allowed": [c for c, _n in settings.LANGUAGES]}
        )
    if employee.language != language:
        employee.language = language
        employee.save(update_fields=["language"])
    return employee


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_scopes(user: User, scopes: list[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    if not cleaned:
        raise UnknownScope(_("Choose at least one scope."), details={"allowed": list(SCOPES)})
    unknown = [scope for scope in cleaned if scope not in SCOPES]
    if unknown:
        raise UnknownScope(details={"unknown": unknown, "allowed": list(SCOPES)})
    refused = [scope for scope in cleaned if not role_has(user.role, SCOPES[scope])]
    if refused:
        raise ScopeNotAllowed(details={"refused": refused, "role": user.role})
    return cleaned


@transaction.atomic
def token_create(*, user: User, name: str, scopes: list[str]) -> CreatedToken:
    """Create a token; its secret is returned once and only its digest is stored."""
    cleaned = _check_scopes(user, scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or _("API token"),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(secret),
        scopes=cleaned,
    )
    activity_append(
        ActivityDraft(
            verb="api_token.created",
            actor_id=user.pk,
            department_id=user.department_id,
            about=ActivityObject.of(token),
            summary=token.name,
            payload={"scopes": cleaned},
        )
    )
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_append(
            ActivityDraft(
                verb="api_token.revoked",
                actor_id=actor.pk,
                department_id=actor.department_id,
                about=ActivityObject.of(token),
                summary=token.name,
            )
        )
    return token


def token_touch(*, token: ApiToken) -> None:
    """Record use at most once a minute, to keep reads from writing on every request."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
