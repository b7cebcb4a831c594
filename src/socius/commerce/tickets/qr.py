"""QR images of ticket codes (segno): an SVG for pages and PDFs, a PNG for emails."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe

# Medium error correction survives a scratched phone screen or a crumpled print-out and
# keeps a 160-character code at QR version 7, easy for any camera.
_ERROR = "m"


def _qr(code: str) -> segno.QRCode:
    return segno.make(code, error=_ERROR, micro=False, boost_error=False)


def qr_svg(code: str, *, css_class: str = "ticket-qr") -> SafeString:
    """An inline ``<svg>`` that scales to its box (a viewBox, no fixed size). Safe to mark:
    segno writes only paths from the code's modules, and the code is our own base64url."""
    svg = _qr(code).svg_inline(
        scale=4, border=4, omitsize=True, svgclass=css_class, lineclass=None, light="#fff"
    )
    return mark_safe(svg)  # noqa: S308 - generated markup, no user text inside


def qr_png(code: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    _qr(code).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
