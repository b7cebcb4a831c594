"""Files of a case's messages, downloaded by colleagues."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from ninja import Router

from socius.accounts.api_auth import api_user
from socius.care.api.auth import READ
from socius.care.selectors import attachment_get_for_employee
from socius.core.downloads import protected_file_response
from socius.core.errors import NotFound
from socius.core.ids import parse_id

router = Router(tags=["care"])


@router.get("/attachments/{attachment_id}", auth=READ, url_name="care_attachments_download")
def attachments_download(request: Any, attachment_id: str) -> FileResponse:
    """The file itself, always as a download, never rendered by the browser."""
    parsed = parse_id(attachment_id)
    if parsed is None:
        raise NotFound()
    attachment = attachment_get_for_employee(user=api_user(request), attachment_id=parsed)
    return protected_file_response(
        attachment.file, content_type=attachment.content_type, name=attachment.name
    )
