"""Images and documents attached to posts and comments by their authors.

An upload is accepted only if its extension is on the allowlist AND its bytes are what the
extension claims (magic bytes and, for images, a sound structure with no markup inside):
a browser that guessed HTML from a "PNG" would run a colleague's script on our domain.
Files are stored under a random name; the uploader's name is metadata, never a path.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Attachment, Comment, Post, Space
from socius.collab.services.common import append_activity, ensure_writable
from socius.collab.services.posts import post_create
from socius.core.errors import DomainError, Forbidden, InvalidInput
from socius.core.verbs import register_verbs

register_verbs({"collab.attachment_added": _("File attached")})

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PER_POST = 10
MAX_NAME = 255


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    status_code = 413
    default_message = _("This file is too large.")


class AttachmentTypeNotAllowed(InvalidInput):
    code = "attachment_type_not_allowed"
    default_message = _(
        "Only images (PNG, JPEG, GIF, WebP) and documents (PDF, text, CSV, Office, "
        "OpenDocument) may be attached."
    )


class AttachmentContentMismatch(InvalidInput):
    code = "attachment_content_mismatch"
    default_message = _("The content of this file does not match its type.")


class TooManyAttachments(InvalidInput):
    code = "too_many_attachments"
    default_message = _("Too many files are attached here already.")


class NotTheAuthor(Forbidden):
    code = "not_the_author"
    default_message = _("Only the author attaches files to what they wrote.")


def max_bytes() -> int:
    return int(getattr(settings, "COLLAB_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_per_post() -> int:
    return int(getattr(settings, "COLLAB_ATTACHMENTS_PER_POST", DEFAULT_MAX_PER_POST))


# Markup a browser could render or run: never inside an image, nor at the top of a text.
# Long enough tokens that compressed image data does not hit them by chance.
_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|object|embed|!doctype|\?php|\?xml|svg[\s>/])",
    re.IGNORECASE,
)


def _png(data: bytes) -> bool:
    """The signature, then well-formed chunks from IHDR to IEND, and nothing after."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    position, first = 8, True
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if not kind.isalpha() or (first and kind != b"IHDR"):
            return False
        position, first = position + 12 + length, False
        if kind == b"IEND":
            return position == len(data)
    return False


def _jpeg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[-64:]


def _gif(data: bytes) -> bool:
    return data[:6] in (b"GIF87a", b"GIF89a") and data.endswith(b"\x3b")


def _webp(data: bytes) -> bool:
    declared = int.from_bytes(data[4:8], "little") + 8
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP" and declared in (len(data), len(data) - 1)


def _pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _text(data: bytes) -> bool:
    """Text, in UTF-8 or a legacy 8-bit encoding, with no binary bytes and no markup on top."""
    return not _CONTROL.search(data) and not _MARKUP.search(data[:4096])


def _zip_names(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        archive = _zip_names(data)  # names only: nothing is unpacked, no bomb goes off
        if archive is None:
            return False
        names = archive.namelist()
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(mimetype: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        archive = _zip_names(data)
        if archive is None:
            return False
        try:
            info = archive.getinfo("mimetype")
        except KeyError:
            return False
        return info.file_size < 100 and archive.read(info) == mimetype.encode()

    return check


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: Callable[[bytes], bool]
    is_image: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
FILE_TYPES: dict[str, FileType] = {
    "png": FileType("image/png", _png, is_image=True),
    "jpg": FileType("image/jpeg", _jpeg, is_image=True),
    "jpeg": FileType("image/jpeg", _jpeg, is_image=True),
    "gif": FileType("image/gif", _gif, is_image=True),
    "webp": FileType("image/webp", _webp, is_image=True),
    "pdf": FileType("application/pdf", _pdf),
    "txt": FileType("text/plain", _text),
    "csv": FileType("text/csv", _text),
    "docx": FileType(_OOXML + "wordprocessingml.document", _ooxml("word/")),
    "xlsx": FileType(_OOXML + "spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": FileType(_OOXML + "presentationml.presentation", _ooxml("ppt/")),
    "odt": FileType(_ODF + "text", _odf(_ODF + "text")),
    "ods": FileType(_ODF + "spreadsheet", _odf(_ODF + "spreadsheet")),
    "odp": FileType(_ODF + "presentation", _odf(_ODF + "presentation")),
}


def clean_original_name(name: str) -> str:
    """The uploader's file name without folders, control or invisible characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Category C covers CR, LF, NUL and the bidi overrides that disguise an extension.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}" if dot else name[:MAX_NAME]
    return name


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    file_type: FileType
    data: bytes
    sha256: str


def attachment_check(*, upload: UploadedFile) -> CheckedFile:
    """Refuse what is too large, not allowlisted, or not what its extension says."""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise AttachmentTooLarge(details={"field": "files", "max_bytes": limit})
    name = clean_original_name(upload.name or "")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    file_type = FILE_TYPES.get(extension)
    if file_type is None:
        raise AttachmentTypeNotAllowed(
            details={"field": "files", "name": name, "allowed": sorted(FILE_TYPES)}
        )
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise AttachmentTooLarge(details={"field": "files", "max_bytes": limit})
    if not data:
        raise AttachmentContentMismatch(details={"field": "files", "name": name, "reason": "empty"})
    if not file_type.matches(data) or (file_type.is_image and _MARKUP.search(data)):
        raise AttachmentContentMismatch(
            details={"field": "files", "name": name, "expected": file_type.content_type}
        )
    return CheckedFile(name, file_type, data, hashlib.sha256(data).hexdigest())


def _store(*, actor: User, post: Post, comment: Comment | None, checked: CheckedFile) -> Attachment:
    attachment = Attachment(
        post=post,
        comment=comment,
        uploaded_by=actor,
        original_name=checked.original_name,
        content_type=checked.file_type.content_type,
        size=len(checked.data),
        sha256=checked.sha256,
        is_image=checked.file_type.is_image,
    )
    attachment.file.save("upload", ContentFile(checked.data), save=False)  # a random name
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    append_activity(actor, "collab.attachment_added", attachment, post.space)
    return attachment


def _ensure_room(*, post: Post, comment: Comment | None, adding: int) -> None:
    # Lock the post so that two uploads at once cannot both take the last place.
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk").first()
    present = Attachment.objects.filter(post=post, comment=comment).count()
    if present + adding > max_per_post():
        raise TooManyAttachments(details={"field": "files", "max_files": max_per_post()})


@transaction.atomic
def attachments_add(
    *, actor: User, post: Post, uploads: Iterable[UploadedFile], comment: Comment | None = None
) -> list[Attachment]:
    """The author of a post (or of one of its comments) attaches files to it; all or none."""
    ensure_writable(post.space)
    if comment is not None and comment.post_id != post.pk:
        raise InvalidInput(details={"field": "comment", "reason": "another_post"})
    author_id = comment.author_id if comment is not None else post.author_id
    if author_id != actor.pk:
        raise NotTheAuthor(details={"post": post.pk})
    checked = [attachment_check(upload=upload) for upload in uploads]
    if not checked:
        raise InvalidInput(details={"field": "files", "reason": "required"})
    _ensure_room(post=post, comment=comment, adding=len(checked))
    return _store_all(actor=actor, post=post, comment=comment, checked=checked)


@transaction.atomic
def post_create_with_attachments(
    *,
    actor: User,
    space: Space,
    body: str,
    uploads: Iterable[UploadedFile],
    kind: str = Post.Kind.POST,
) -> Post:
    """Publish a post and its files together: a refused file publishes nothing."""
    checked = [attachment_check(upload=upload) for upload in uploads]
    if len(checked) > max_per_post():
        raise TooManyAttachments(details={"field": "files", "max_files": max_per_post()})
    post = post_create(actor=actor, space=space, body=body, kind=kind)
    _store_all(actor=actor, post=post, comment=None, checked=checked)
    return post


def _store_all(
    *, actor: User, post: Post, comment: Comment | None, checked: list[CheckedFile]
) -> list[Attachment]:
    """Store every file or none: the files already written go when a later one fails (the
    rows go with the transaction's rollback, the files would stay on disk)."""
    stored: list[Attachment] = []
    try:
        for one in checked:
            stored.append(_store(actor=actor, post=post, comment=comment, checked=one))
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored
