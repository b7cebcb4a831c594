from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from socius.core.markdown import ALLOWED_TAGS, render_markdown

UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src"}
LINK_REL = "noopener noreferrer nofollow"


class _Elements(HTMLParser):
    """Every start tag of a fragment, with its attributes as the browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def _as_browser_reads(url: str) -> str:
    # The URL parser drops tabs and newlines anywhere and leading spaces and control characters.
    without_whitespace = "".join(c for c in url if c not in "\t\n\r")
    return without_whitespace.lstrip("".join(chr(i) for i in range(0x21))).lower()


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attributes in elements_of(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attributes.items():
            assert not name.startswith("on"), (name, html)
            if name in URL_ATTRIBUTES:
                assert not _as_browser_reads(value).startswith(UNSAFE_SCHEMES), (value, html)
        if tag == "a":
            assert attributes.get("rel") == LINK_REL, html


XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    '![x](https://example.org/a.png" onerror="alert(1))',
    "<div>\n<script>alert(1)</script>\n</div>",
    "<div onclick=alert(1)>\n\n*click*\n\n</div>",
    "<details open ontoggle=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<style>body { background: url(javascript:alert(1)) }</style>",
    "<!-- <script>alert(1)</script> -->",
    "[x](&#106;avascript:alert(1))",
    "[x](jav&#97;script:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    '[x](https://example.org "title" onmouseover="alert(1)")',
    '[x](https://example.org"onmouseover="alert(1))',
    "- a\n  - b\n    - <script>alert(1)</script>\n    - [y](javascript:alert(1))",
    "> - [y](vbscript:msgbox(1))\n>   1. <img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "```html\n<script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_it_renders_hostile_markdown_without_anything_executable(source: str) -> None:
    assert_safe(str(render_markdown(source)))


def test_it_escapes_raw_html_as_text() -> None:
    html = render_markdown('<img src=x onerror=alert(1)>\n\n<a href="javascript:alert(1)">x</a>')

    assert html == (
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"
        '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>\n'
    )


def test_it_keeps_a_dangerous_link_as_plain_text() -> None:
    assert render_markdown("[x](JAVASCRIPT:alert(1))") == "<p>[x](JAVASCRIPT:alert(1))</p>\n"


def test_it_drops_a_data_url_from_an_image() -> None:
    assert render_markdown("![pixel](data:image/png;base64,AAAA)") == '<p><img alt="pixel"></p>\n'


def test_it_returns_safe_html_for_the_templates() -> None:
    assert isinstance(render_markdown("*hi*"), SafeString)


def test_it_renders_empty_text_as_nothing() -> None:
    assert render_markdown("") == ""


def test_it_renders_emphasis_and_code() -> None:
    assert render_markdown("*hi* **there** ~~old~~ `x < y`") == (
        "<p><em>hi</em> <strong>there</strong> <s>old</s> <code>x &lt; y</code></p>\n"
    )


def test_it_marks_external_links_noopener_noreferrer_nofollow() -> None:
    assert render_markdown("[Socius](https://socius.example/a?b=1&c=2)") == (
        '<p><a href="https://socius.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">'
        "Socius</a></p>\n"
    )


def test_it_renders_nested_and_numbered_lists() -> None:
    assert render_markdown("3. one\n4. two\n   - inner") == (
        '<ol start="3">\n<li>one</li>\n<li>two\n<ul>\n<li>inner</li>\n</ul>\n</li>\n</ol>\n'
    )


def test_it_renders_tables() -> None:
    assert render_markdown("| a | b |\n|---|---|\n| 1 | 2 |") == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_it_renders_fenced_code_escaped() -> None:
    assert render_markdown("```\n<b>bold?</b>\n```") == (
        "<pre><code>&lt;b&gt;bold?&lt;/b&gt;\n</code></pre>\n"
    )


def test_it_keeps_images_from_https() -> None:
    assert render_markdown('![logo](https://socius.example/logo.png "Logo")') == (
        '<p><img src="https://socius.example/logo.png" alt="logo" title="Logo"></p>\n'
    )


MARKDOWN_PIECES = st.sampled_from(
    [
        "[", "]", "(", ")", "<", ">", "!", "*", "_", "`", "\n", "\n\n", " ", "-", "|", ":",
        "&#", ";", "\"", "'", "=", "#", "javascript:", "JaVaScRiPt:", "data:", "vbscript:",
        "alert(1)", "<script>", "</script>", "<img src=x onerror=", "<svg onload=",
        "<a href=", "onclick=", "https://example.org", "&#106;", "&#x09;", "%0A", "\t",
        "- ", "1. ", "> ", "```", "<iframe>", "<style>", "x",
    ]
)  # fmt: skip
MARKDOWN_SOURCES = st.one_of(
    st.lists(MARKDOWN_PIECES, max_size=40).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=200, deadline=None)
@given(source=MARKDOWN_SOURCES)
def test_it_never_renders_anything_executable_from_random_markdown(source: str) -> None:
    assert_safe(str(render_markdown(source)))


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        '<p><img src="x" onerror="alert(1)"></p>',
        '<a href=" JaVa&#x09;Script:alert(1)" rel="noopener noreferrer nofollow">x</a>',
        '<img src="data:image/svg+xml,x">',
        '<a href="https://example.org">no rel</a>',
        "<iframe></iframe>",
    ],
)
def test_it_would_notice_unsafe_output(html: str) -> None:
    # The invariants above are only worth something if they reject what they must.
    with pytest.raises(AssertionError):
        assert_safe(html)
