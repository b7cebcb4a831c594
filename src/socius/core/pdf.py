"""PDF documents rendered from HTML by WeasyPrint, which never fetches anything.

Everything a document shows (charts as inline SVG, QR codes, styles) is inside the HTML.
A template, or a user's text in it, must never make the server load a URL while rendering:
a local file (``file:///etc/passwd``), an internal address, a slow remote host.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NoReturn


class ExternalResourceRefused(ValueError):
    """Raised to WeasyPrint, which logs it and draws the document without the resource."""


def refuse_every_url(url: str) -> NoReturn:
    raise ExternalResourceRefused(f"PDF documents load no external resource ({url[:40]}).")


@cache
def _refusing_fetcher_class() -> type[Any]:
    # WeasyPrint 66+ wants a URLFetcher instance: a bare function that raises makes it crash
    # on a missing attribute instead of leaving the resource out.
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]  # no stubs

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]  # untyped base
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            refuse_every_url(url)

    return RefusingFetcher


def url_fetcher() -> Any:
    """A WeasyPrint fetcher that refuses every URL (and allows no protocol, should a later
    WeasyPrint bypass ``fetch``); failures leave the resource out, never stop the render."""
    return _refusing_fetcher_class()(allowed_protocols=(), fail_on_errors=False)


def render_document(html: str) -> Any:
    """The laid-out pages (a WeasyPrint ``Document``), for callers that count or merge pages."""
    # Imported here: WeasyPrint loads Pango and fonts, which most processes never need.
    from weasyprint import HTML  # type: ignore[import-untyped]  # no stubs published

    return HTML(string=html, url_fetcher=url_fetcher(), base_url="about:blank").render()


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``; any URL in it is refused and simply left out."""
    pdf: bytes = render_document(html).write_pdf()
    return pdf
