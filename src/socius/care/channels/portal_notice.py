"""A customer who wrote from the portal learns by email that an answer is waiting there.

The email names the request and links to it; the answer itself stays in the portal, behind
the customer's sign-in. Sent after the commit; a mail server failing never fails the reply.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from socius.care.models import Case
from socius.care.services.customer_email import customer_email_address, customer_language

logger = logging.getLogger(__name__)


def portal_reply_notice_send(*, case_id: int) -> bool:
    """Email the notice; False when we know no address for the customer."""
    case = Case.objects.select_related("person").filter(pk=case_id).first()
    recipient = customer_email_address(case) if case is not None else None
    if case is None or recipient is None:
        return False
    context = {
        "reference": case.reference,
        "subject": case.subject,
        "url": settings.SITE_URL + reverse("care-portal:request-detail", args=[case.pk]),
        "company_name": settings.COMPANY_NAME,
    }
    with translation.override(customer_language(case.person)):
        subject = render_to_string("care/emails/reply_notice_subject.txt", context)
        body = render_to_string("care/emails/reply_notice.txt", context)
    send_mail(
        subject=" ".join(subject.split()), message=body, from_email=None, recipient_list=[recipient]
    )
    return True
