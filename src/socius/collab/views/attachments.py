"""Attachments in the browser: served through their readers' check, attached by authors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from socius.collab.downloads import attachment_response
from socius.collab.selectors import post_get_for_user
from socius.collab.selectors_attachments import attachment_get_for_user
from socius.collab.services.attachments import attachments_add
from socius.core.errors import DomainError
from socius.core.http import AuthenticatedHttpRequest


@login_required
@require_GET
def attachment_download(request: AuthenticatedHttpRequest, attachment_id: int) -> FileResponse:
    attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def attachment_upload(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    try:
        added = attachments_add(
            actor=request.user, post=post, uploads=request.FILES.getlist("files")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        count = len(added)
        messages.success(
            request,
            ngettext("%(count)d file attached.", "%(count)d files attached.", count)
            % {"count": count},
        )
    return redirect("collab:post-detail", post.pk)


urlpatterns: list[URLPattern] = [
    path("attachments/<int:attachment_id>/", attachment_download, name="attachment-download"),
    path("posts/<int:post_id>/attachments/", attachment_upload, name="attachment-upload"),
]
