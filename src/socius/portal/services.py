"""Customer sign-in to the portal with a one-time emailed link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from socius.core.errors import RateLimited
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Identifier, IdentifierKind, Person
from socius.people.normalize import normalize_email
from socius.people.services import IdentifierIn, ResolveContext, live_person, person_resolve
from socius.portal.errors import IdentityShared, IdentityUnverified, LinkInvalid
from socius.portal.models import PortalLoginLink

LINKS_PER_EMAIL_PER_HOUR = 5
LINKS_PER_ADDRESS_PER_HOUR = 20


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_rate(email: str, address: str | None) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = PortalLoginLink.objects.filter(created_at__gte=since)
    too_many = recent.filter(email=email).count() >= LINKS_PER_EMAIL_PER_HOUR or (
        address is not None
        and recent.filter(requested_from=address).count() >= LINKS_PER_ADDRESS_PER_HOUR
    )
    if too_many:
        raise RateLimited(retry_after=3600)


def _send_link(email: str, secret: str) -> None:
    url = settings.SITE_URL + reverse("portal:sign-in-link", kwargs={"secret": secret})
    minutes = settings.PORTAL_LINK_MAX_AGE_SECONDS // 60
    context = {"url": url, "minutes": minutes, "company_name": settings.COMPANY_NAME}
    send_mail(
        subject=render_to_string("portal/emails/sign_in_subject.txt", context).strip(),
        message=render_to_string("portal/emails/sign_in.txt", context),
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def portal_link_request(*, email: str, address: str | None) -> None:
    """Email a sign-in link. Any address may ask: the person is resolved only on use."""
    email = normalize_email(email)
    _check_rate(email, address)
    secret = secrets.token_urlsafe(32)
    PortalLoginLink.objects.create(
        email=email,
        digest=_digest(secret),
        requested_from=address,
        expires_at=timezone.now() + timedelta(seconds=settings.PORTAL_LINK_MAX_AGE_SECONDS),
    )
    transaction.on_commit(lambda: _send_link(email, secret))


def portal_link_check(*, secret: str) -> PortalLoginLink:
    link = PortalLoginLink.objects.filter(
        digest=_digest(secret), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if link is None:
        raise LinkInvalid()
    return link


@transaction.atomic
def portal_link_consume(*, secret: str) -> Person:
    """Use a link once; the email it proves is resolved to the customer's Person."""
    link = portal_link_check(secret=secret)
    # The conditional update makes a second, concurrent use of the same link fail.
    used = PortalLoginLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:
        raise LinkInvalid()
    person = _person_proven_by(link.email)
    activity_append(
        ActivityDraft(
            verb="portal.signed_in",
            person_id=person.pk,
            channel="web",
            visibility=Visibility.CUSTOMER,
        )
    )
    return person


def _person_proven_by(email: str) -> Person:
    """The one person a mailbox proves, or a refusal.

    A sign-in link proves control of a mailbox, nothing more: the address must belong to
    one person alone (not a household's shared address) and be verified as theirs (it
    created their record), otherwise anyone who got their address attached to someone's
    record by an order or a form would read that person's data.
    """
    rows = list(
        Identifier.objects.filter(kind=IdentifierKind.EMAIL, value=email).select_related("person")
    )
    if not rows:  # a new customer: the address creates their record, which is theirs
        return person_resolve(
            identifiers=[IdentifierIn(IdentifierKind.EMAIL, email)],
            context=ResolveContext(source="portal", channel="web"),
        ).person
    holders = {live_person(row.person).pk for row in rows}
    if len(holders) != 1 or any(row.is_shared for row in rows):
        raise IdentityShared()
    row = rows[0]
    person = live_person(row.person)
    if row.verified_at is None or person.erased_at is not None:
        raise IdentityUnverified()
    return person
