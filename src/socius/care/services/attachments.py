"""Files exchanged with the customer, checked as the social network checks its own: on the
allowlist, and truly what their extension says (``collab.services.attachments``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from socius.care.models import Message, MessageAttachment
from socius.collab.services.attachments import CheckedFile, attachment_check, max_per_post
from socius.core.errors import DomainError, InvalidInput

logger = logging.getLogger(__name__)


def uploaded(files: Iterable[UploadedFile]) -> list[tuple[str, bytes]]:
    """Files of a form as ``(name, bytes)`` pairs, for ``files_check``."""
    return [(f.name or "", b"".join(f.chunks())) for f in files]


def files_check(files: Iterable[tuple[str, bytes]], *, strict: bool = True) -> list[CheckedFile]:
    """Check ``(name, bytes)`` pairs. Strict (a form, the API): a refused file refuses the
    message, with the reason. Lenient (an email): a refused file is left out and logged,
    the message is kept — a customer's mail is never lost for its attachment."""
    checked = []
    for name, data in files:
        try:
            checked.append(attachment_check(upload=SimpleUploadedFile(name, data)))
        except DomainError as error:
            if strict:
                raise
            logger.warning("Attachment %r left out of an inbound message: %s", name, error.code)
    if len(checked) > max_per_post():
        if strict:
            raise InvalidInput(details={"field": "files", "max_files": max_per_post()})
        checked = checked[: max_per_post()]
    return checked


def attachments_store(*, message: Message, checked: list[CheckedFile]) -> list[MessageAttachment]:
    """Store each file under a random name; files written before a failure are removed
    (the rows go with the transaction's rollback, files on disk would stay)."""
    stored: list[MessageAttachment] = []
    try:
        for item in checked:
            attachment = MessageAttachment(
                message=message,
                name=item.original_name,
                content_type=item.file_type.content_type,
                size=len(item.data),
            )
            attachment.file.save("upload", ContentFile(item.data), save=False)
            stored.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored
