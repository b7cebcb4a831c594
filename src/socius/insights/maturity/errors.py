"""Refusals of the maturity assessment, with stable codes that clients branch on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict, InvalidInput


class CampaignNotDraft(Conflict):
    code = "maturity_campaign_not_draft"
    default_message = _("Only a draft campaign can be opened.")


class CampaignNotOpen(Conflict):
    code = "maturity_campaign_not_open"
    default_message = _("This campaign is not open for answers.")


class AudienceTooSmall(InvalidInput):
    code = "maturity_audience_too_small"
    default_message = _(
        "Invite at least 5 people: results are never shown for fewer, to keep answers anonymous."
    )


class AlreadyAnswered(Conflict):
    code = "maturity_already_answered"
    default_message = _("You have already answered this questionnaire. Thank you!")


class AnswersIncomplete(InvalidInput):
    code = "maturity_answers_incomplete"
    default_message = _("Answer every statement, choosing “Don't know” where you cannot tell.")
