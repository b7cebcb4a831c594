"""PDF rendering: a real PDF, inline SVG charts drawn, and no URL ever fetched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from socius.core import pdf
from socius.core.pdf import render_pdf
from socius.insights.charts import Series, line_chart, radar

# A 1×1 transparent PNG: what a fetched image would have embedded in the PDF.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs WeasyPrint asked for (each one refused by the real fetcher)."""
    asked: list[str] = []
    refuse = pdf.refuse_every_url

    def spy(url: str) -> Any:
        asked.append(url)
        return refuse(url)

    monkeypatch.setattr(pdf, "refuse_every_url", spy)
    return asked


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on localhost that records every request it receives."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_it_renders_a_pdf() -> None:
    document = render_pdf("<html><body><h1>Rapport</h1><p>Bonjour</p></body></html>")
    assert document.startswith(b"%PDF-")
    assert document.rstrip().endswith(b"%%EOF")


def test_an_inline_chart_is_drawn_into_the_pdf(fetched: list[str]) -> None:
    plain = render_pdf("<html><body><p>Rapport</p></body></html>")
    charts = radar(
        ["A", "B", "C", "D"], [Series("<Ventes & co>", [80, None, 40, 10])], title="Radar"
    ) + line_chart(["S1", "S2", "S3"], [Series("Ventes", [10, None, 30])], title="Lignes")
    with_charts = render_pdf(f"<html><body><p>Rapport</p>{charts}</body></html>")
    assert with_charts.startswith(b"%PDF-")
    # Vector drawing makes the page content larger; nothing had to be fetched for it.
    assert len(with_charts) > len(plain) + 1000
    assert fetched == []


def test_a_local_file_is_never_read(fetched: list[str], tmp_path: Path) -> None:
    image = tmp_path / "secret.png"
    image.write_bytes(PNG)
    html = (
        f'<html><head><link rel="stylesheet" href="file://{tmp_path}/style.css"></head><body>'
        f'<img src="file:///etc/passwd"><img src="file://{image}"><p>Rapport</p></body></html>'
    )
    document = render_pdf(html)
    assert document.startswith(b"%PDF-")
    assert b"/Image" not in document
    assert set(fetched) >= {"file:///etc/passwd", f"file://{image}"}


def test_a_remote_address_is_never_requested(
    fetched: list[str], local_server: tuple[str, list[str]]
) -> None:
    base, requests = local_server
    html = (
        f'<html><body style="background: url({base}/background.png)">'
        f'<img src="{base}/image.png"><p>Rapport</p></body></html>'
    )
    document = render_pdf(html)
    assert document.startswith(b"%PDF-")
    assert requests == []
    assert f"{base}/image.png" in fetched
    assert b"/Image" not in document


def test_the_local_server_would_have_answered(local_server: tuple[str, list[str]]) -> None:
    # Proves the test above could fail: WeasyPrint's own fetcher does reach this server.
    from weasyprint import HTML  # type: ignore[import-untyped]

    base, requests = local_server
    HTML(string=f'<img src="{base}/image.png">').write_pdf()
    assert requests == ["/image.png"]
