"""Files sent inside JSON bodies: base64, then the same strict checks as a portal upload."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext_lazy as _

from socius.care.api.schemas import FileIn
from socius.care.services.attachments import files_check
from socius.collab.services.attachments import AttachmentTooLarge, CheckedFile, max_bytes
from socius.core.errors import InvalidInput


class InvalidBase64(InvalidInput):
    code = "invalid_base64"
    default_message = _("This file's content is not valid base64.")


def files_decode(files: list[FileIn]) -> list[CheckedFile]:
    """Decode and check every file; the first one refused refuses the whole request."""
    decoded = []
    for index, item in enumerate(files):
        field = f"attachments.{index}.content_base64"
        text = "".join(item.content_base64.split())  # line-wrapped base64 is still base64
        # Refused before decoding: the encoded text is a third longer than the file.
        if len(text) > (max_bytes() + 2) // 3 * 4:
            raise AttachmentTooLarge(details={"field": field, "max_bytes": max_bytes()})
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidBase64(details={"field": field}) from None
        decoded.append((item.name, data))
    return files_check(decoded, strict=True)
