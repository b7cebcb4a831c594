"""Satisfaction surveys: a signed link after resolution, one rating per case.

The link carries the case id signed with the site's secret (salt ``care.survey``): it is
the customer's only authority, so no sign-in is needed and nothing else is stored. It is
refused after ``CARE_SURVEY_MAX_AGE_DAYS``.

The survey email is built from the case and the department's ``SurveyWording`` only (and
the address the customer wrote from): a note cannot reach it, there is no path to one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from socius.care.models import Case, Rating, SurveyWording
from socius.care.services.common import case_activity
from socius.care.services.customer_email import customer_email_address, customer_language
from socius.core.errors import DomainError, InvalidInput
from socius.core.verbs import register_verbs

register_verbs({"care.csat_rated": _("Satisfaction rated")})

SALT = "care.survey"
SCORES = range(1, 6)
MAX_COMMENT = 2000
MAX_MERGE_HOPS = 20


class SurveyLinkInvalid(DomainError):
    code = "survey_link_invalid"
    status_code = 400
    default_message = _("This survey link is not valid. Please use the link from your email.")


class SurveyLinkExpired(DomainError):
    code = "survey_link_expired"
    status_code = 410
    default_message = _("This survey has closed: its link is too old.")


@dataclass(frozen=True)
class Survey:
    """What the survey page asks, in the words of the case's department when it has some."""

    case: Case
    question: str
    comment_prompt: str
    thanks: str
    # Answered already: a new answer replaces the earlier one, which is not shown again
    # (the link may have been passed on).
    answered: bool = False


def survey_token(case: Case) -> str:
    return signing.dumps(case.pk, salt=SALT)


def survey_url(case: Case) -> str:
    return settings.SITE_URL + reverse("care:survey", args=[survey_token(case)])


def _wording(case: Case, *, answered: bool = False) -> Survey:
    wording = (
        SurveyWording.objects.filter(department_id=case.department_id).first()
        if case.department_id
        else None
    )
    return Survey(
        case=case,
        question=(wording.question if wording else "")
        or str(_("How satisfied are you with the answer to your request?")),
        comment_prompt=(wording.comment_prompt if wording else "")
        or str(_("Anything to add? (optional)")),
        thanks=(wording.thanks if wording else "") or str(_("Thank you for your answer.")),
        answered=answered,
    )


def _case_from_token(token: str) -> Case:
    max_age = settings.CARE_SURVEY_MAX_AGE_DAYS * 24 * 3600
    try:
        case_id = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise SurveyLinkExpired() from None
    except signing.BadSignature:
        raise SurveyLinkInvalid() from None
    case = Case.objects.select_related("department").filter(pk=case_id).first()
    hops = 0
    # A case merged away lives on in the one it was merged into: that is the one rated.
    while case is not None and case.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        case, hops = Case.objects.select_related("department").get(pk=case.merged_into_id), hops + 1
    if case is None:
        raise SurveyLinkInvalid()
    return case


def survey_for_token(*, token: str) -> Survey:
    """The survey a link opens; ``SurveyLinkInvalid`` or ``SurveyLinkExpired`` otherwise."""
    case = _case_from_token(token)
    return _wording(case, answered=Rating.objects.filter(case=case).exists())


def survey_email_send(*, case_id: int) -> bool:
    """Email the survey link of this case; False when there is no address to send it to."""
    case = Case.objects.select_related("person").filter(pk=case_id).first()
    if case is None:
        return False
    recipient = customer_email_address(case)
    if recipient is None:
        return False
    with translation.override(customer_language(case.person)):
        survey = _wording(case)
        context = {
            "reference": case.reference,
            "subject": case.subject,
            "question": survey.question,
            "url": survey_url(case),
            "days": settings.CARE_SURVEY_MAX_AGE_DAYS,
            "company_name": settings.COMPANY_NAME,
        }
        subject = render_to_string("care/emails/survey_subject.txt", context)
        body = render_to_string("care/emails/survey.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[recipient],
    )
    return True


def survey_send(*, case: Case) -> None:
    """Called when a case is resolved, inside that transaction: the survey email leaves
    once the resolution is committed (the portal shows the link in any case)."""
    case_id = case.pk
    # robust: a mail server failing after the commit must not fail the resolution.
    transaction.on_commit(lambda: survey_email_send(case_id=case_id), robust=True)


def _clean(score: int, comment: str) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise InvalidInput(details={"field": "score", "min": SCORES.start, "max": SCORES[-1]})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(details={"field": "comment", "max_length": MAX_COMMENT})
    return score, comment


@transaction.atomic
def rating_submit(*, token: str, score: int, comment: str = "") -> Rating:
    """The customer's rating of the case the link names; a second answer replaces the
    first. Each change lands on the person's timeline under the case's department."""
    case = _case_from_token(token)
    score, comment = _clean(score, comment)
    # One rating per case: the case row serialises two submissions of the same link.
    case = Case.objects.select_for_update().get(pk=case.pk)
    rating = Rating.objects.filter(case=case).first()
    previous = rating.score if rating else None
    if rating is None:
        rating = Rating.objects.create(case=case, score=score, comment=comment)
    elif (rating.score, rating.comment) == (score, comment):
        return rating
    else:
        rating.score, rating.comment = score, comment
        rating.save(update_fields=["score", "comment", "updated_at"])
    # The comment stays on the rating: the timeline (which the customer and every
    # colleague may read) shows the score only.
    case_activity(
        case,
        "care.csat_rated",
        summary=f"{score}/5",
        customer_sees=True,
        payload={"score": score, "previous": previous},
    )
    return rating
