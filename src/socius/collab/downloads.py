"""How an attachment of the social network leaves the server (``core.downloads``)."""

from __future__ import annotations

from django.http import FileResponse

from socius.collab.models import Attachment
from socius.core.downloads import protected_file_response


def attachment_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    return protected_file_response(
        attachment.file,
        content_type=attachment.content_type,
        name=attachment.original_name,
        inline=inline and attachment.is_image,
    )
