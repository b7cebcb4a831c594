from __future__ import annotations

from django.urls import path

from socius.care.views import cases, figures, inbox, survey

app_name = "care"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("availability", inbox.availability, name="availability"),
    path("figures", figures.figures, name="figures"),
    path("cases/<int:case_id>", cases.case_detail, name="case-detail"),
    path("cases/<int:case_id>/reply", cases.case_reply_post, name="case-reply"),
    path("cases/<int:case_id>/notes", cases.case_note_post, name="case-note"),
    path("cases/<int:case_id>/typing", cases.case_typing, name="case-typing"),
    path("cases/<int:case_id>/canned/<int:reply_id>", cases.case_canned, name="case-canned"),
    path("cases/<int:case_id>/merge", cases.case_merge_post, name="case-merge"),
    path(
        "cases/<int:case_id>/messages/<int:message_id>/retry",
        cases.message_retry,
        name="message-retry",
    ),
    path("cases/<int:case_id>/<slug:action>", cases.case_action, name="case-action"),
    path("attachments/<int:attachment_id>", cases.attachment_download, name="attachment"),
    # The customer's satisfaction survey: the signed token is the authority, no sign-in.
    path("survey/<str:token>", survey.survey, name="survey"),
]
