"""How a user's file leaves the server: never as something the browser would run.

Served from our own domain, so every response forbids sniffing and sandboxes the document:
even a file that slipped through as HTML could not script the application.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.http import content_disposition_header

# Raster images a page may show in an <img>; everything else is only ever downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def protected_file_response(
    file: FieldFile, *, content_type: str, name: str, inline: bool = False
) -> FileResponse:
    shown_inline = inline and content_type in INLINE_TYPES
    response = FileResponse(file.open("rb"), content_type=content_type)
    disposition = content_disposition_header(not shown_inline, name or "file")
    response.headers["Content-Disposition"] = disposition or "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # Access may be withdrawn: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
