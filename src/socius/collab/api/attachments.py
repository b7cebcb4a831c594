"""Attachments through the API: uploaded by authors, downloaded by readers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ, WRITE
from socius.collab.downloads import attachment_response
from socius.collab.models import Attachment, Comment
from socius.collab.selectors import post_get_for_user
from socius.collab.selectors_attachments import attachment_get_for_user, attachments_of
from socius.collab.services.attachments import attachments_add
from socius.core.errors import NotFound

router = Router(tags=["collab"])


class AttachmentOut(Schema):
    id: int
    post_id: int
    comment_id: int | None
    name: str = Field(description="The uploader's file name, as metadata only.")
    content_type: str
    size: int
    sha256: str
    is_image: bool
    created_at: dt.datetime
    url: str = Field(description="Download it here, with the same token.")


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "post_id": attachment.post_id,
        "comment_id": attachment.comment_id,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "is_image": attachment.is_image,
        "created_at": attachment.created_at,
        "url": reverse("api:collab_attachments_download", args=[attachment.pk]),
    }


@router.post("/posts/{post_id}/attachments", response={201: list[AttachmentOut]}, auth=WRITE)
def posts_attachments_add(
    request: Any,
    post_id: int,
    file: File[list[UploadedFile]],
    comment: Form[int | None] = None,
) -> Status[list[dict[str, Any]]]:
    """Multipart: one or more ``file`` parts; ``comment`` names one of your comments."""
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=post_id)
    target = None
    if comment is not None:
        target = Comment.objects.filter(pk=comment, post=post).first()
        if target is None:
            raise NotFound()
    added = attachments_add(actor=actor, post=post, uploads=file, comment=target)
    return Status(201, [_attachment(a) for a in added])


@router.get("/posts/{post_id}/attachments", response=list[AttachmentOut], auth=READ)
def posts_attachments(request: Any, post_id: int) -> list[dict[str, Any]]:
    post = post_get_for_user(user=api_user(request), post_id=post_id)
    return [_attachment(a) for a in attachments_of(post=post)]


@router.get("/attachments/{attachment_id}", auth=READ, url_name="collab_attachments_download")
def attachments_download(request: Any, attachment_id: int) -> FileResponse:
    """The file itself, always as a download, never rendered by the browser."""
    attachment = attachment_get_for_user(user=api_user(request), attachment_id=attachment_id)
    return attachment_response(attachment)
