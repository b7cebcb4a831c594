from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from socius.conftest import Cast, signed_in_client

pytestmark = pytest.mark.django_db

REQUIRED_POLICY_PARTS = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
]

ANONYMOUS_URLS = {
    "home redirect": ("/", 302, "text/html; charset=utf-8"),
    "sign-in page": ("/accounts/sign-in", 200, "text/html; charset=utf-8"),
    "API 401": ("/api/v1/accounts/me", 401, "application/json"),
    "page 404": ("/no-such-page", 404, "text/html; charset=utf-8"),
    "API 404": ("/api/v1/no-such-endpoint", 404, "application/json"),
    "live 401": ("/live/events?once=1", 401, "application/json"),
}


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = headers["Content-Security-Policy"]
    for part in REQUIRED_POLICY_PARTS:
        assert part in policy.split("; "), (part, policy)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("url", "status", "content_type"), ANONYMOUS_URLS.values(), ids=ANONYMOUS_URLS.keys()
)
def test_it_sends_the_security_headers_on_every_kind_of_response(
    url: str, status: int, content_type: str
) -> None:
    response = Client().get(url)

    assert (response.status_code, response["Content-Type"]) == (status, content_type)
    assert_security_headers(response)


def test_it_sends_the_security_headers_on_a_signed_in_page(cast: Cast) -> None:
    response = signed_in_client(cast.agent).get("/")

    assert response.status_code == 200
    assert_security_headers(response)


def test_it_sends_the_exact_policy() -> None:
    response = Client().get("/accounts/sign-in")

    assert response["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def test_it_redirects_an_anonymous_visitor_from_home_to_sign_in() -> None:
    response = Client().get("/")

    assert response["Location"] == "/accounts/sign-in"


def test_it_answers_an_unknown_api_path_with_json() -> None:
    response = Client().get("/api/v1/no-such-endpoint")

    assert response.json() == {"code": "not_found", "message": "Not found.", "details": {}}


class _InlineCode(HTMLParser):
    """What the policy would block in a page: inline scripts, handlers and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            if not attributes.get("src"):
                self.blocked.append(f"inline <script> {attributes}")
        if tag == "style":
            self.blocked.append("<style> element")
        for name in attributes:
            if name.startswith("on") or name == "style":
                self.blocked.append(f"<{tag} {name}=...>")
        if tag == "a" and (attributes.get("href") or "").lower().startswith("javascript:"):
            self.blocked.append("javascript: link")


def inline_code_of(html: str) -> _InlineCode:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_it_would_notice_inline_code() -> None:
    page = inline_code_of(
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<b onclick="x()" style="color:red">x</b><style>b{}</style>'
    )

    assert page.blocked == [
        "inline <script> {}",
        "<b onclick=...>",
        "<b style=...>",
        "<style> element",
    ]


def test_the_sign_in_page_loads_only_script_files() -> None:
    page = inline_code_of(Client().get("/accounts/sign-in").content.decode())

    assert page.blocked == []
    assert [script["src"] for script in page.scripts] == [
        "/static/vendor/htmx.min.js",
        "/static/vendor/htmx-ext-sse.js",
        "/static/socius/js/socius.js",
    ]


def test_the_signed_in_home_page_loads_only_script_files(cast: Cast) -> None:
    page = inline_code_of(signed_in_client(cast.admin).get("/").content.decode())

    assert page.blocked == []
    assert len(page.scripts) == 3
    assert all(str(script["src"]).startswith("/static/") for script in page.scripts)
