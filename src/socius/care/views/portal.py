"""The customer's side in the portal: their requests, the answers, new requests, files.

Only ``Message`` rows are read here (``care.selectors.customer_*``): a private note has no
way onto these pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socius.care.forms import PortalReplyForm, PortalRequestForm
from socius.care.models import Case, Channel, Status
from socius.care.selectors import customer_attachment_get, customer_case_get, customer_messages
from socius.care.services.attachments import files_check, uploaded
from socius.care.services.intake import Inbound, Receipt, message_receive
from socius.core.downloads import protected_file_response
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.portal.access import PortalHttpRequest, portal_login_required


def _receive(request: PortalHttpRequest, form: Form, **inbound: Any) -> Receipt | None:
    """The customer's message with its files, or ``None`` with the refusal on the form."""
    try:
        return message_receive(
            Inbound(
                channel=Channel.PORTAL,
                person=request.person,
                body=form.cleaned_data["body"],
                attachments=tuple(files_check(uploaded(request.FILES.getlist("attachments")))),
                **inbound,
            )
        )
    except DomainError as error:
        form_add_domain_error(form, error)
        return None


@require_http_methods(["GET", "POST"])
@portal_login_required
def request_new(request: PortalHttpRequest) -> HttpResponse:
    form = PortalRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        receipt = _receive(request, form, subject=form.cleaned_data["subject"], new_case=True)
        if receipt is not None:
            messages.success(request, _("We have your request. We will answer you here."))
            return redirect("care-portal:request-detail", receipt.case.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "care/portal/request_new.html",
        {"person": request.person, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@portal_login_required
def request_detail(request: PortalHttpRequest, case_id: int) -> HttpResponse:
    case = customer_case_get(person=request.person, case_id=case_id)
    if case.pk != case_id and request.method == "GET":  # a reply lands on the survivor
        return redirect("care-portal:request-detail", case.pk)
    form = PortalReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        receipt = _receive(request, form, case=case)
        if receipt is not None:
            messages.success(request, _("Your reply was sent."))
            # A closed request stays closed: the reply opened a new one, shown next.
            return redirect("care-portal:request-detail", receipt.case.pk)
    context = {
        "person": request.person,
        "case": case,
        "messages_shown": customer_messages(case=case),
        "form": form,
        "survey_token": _survey_token(case) if case.status == Status.RESOLVED else None,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "care/portal/request_detail.html", context, status=status)


def _survey_token(case: Case) -> str:
    from socius.care.services.satisfaction import survey_token

    return survey_token(case)


@require_GET
@portal_login_required
def attachment_download(request: PortalHttpRequest, attachment_id: int) -> FileResponse:
    attachment = customer_attachment_get(person=request.person, attachment_id=attachment_id)
    return protected_file_response(
        attachment.file, content_type=attachment.content_type, name=attachment.name
    )
