"""Shared pieces of the SVG charts: escaping, numbers, palette and the ``<svg>`` wrapper.

Every chart must look the same inline in a page and inside a WeasyPrint PDF, so colours,
fonts and sizes are presentation attributes (no stylesheet, no class the PDF would not know)
and nothing refers to an external resource.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe–Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
# Lines also differ by dash, so that a printed grey copy still tells series apart.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#222222"
MUTED = "#666666"
GRID = "#d0d0d0"
NOT_SHOWN_FILL = "#eeeeee"
NOT_SHOWN_STROKE = "#9a9a9a"
NARROW_SPACE = "\u202f"


@dataclass(frozen=True)
class Series:
    """One named line of values; ``None`` is a figure that is not shown (a group too small)."""

    name: str
    values: Sequence[float | None]


def esc(text: object) -> str:
    """Text for an XML attribute or element: labels are typed by users."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate, short and locale-independent."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def figure(value: float, unit: str = "") -> str:
    """A value as people read it, in the active language: at most one decimal, then the unit."""
    rounded = round(value, 1)
    text = number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1)
    if not unit:
        return text
    # French typography puts a narrow space before every unit, "%" included.
    return text + NARROW_SPACE + unit


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def dash(index: int) -> str:
    return DASHES[index % len(DASHES)]


def shorten(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def text_width(label: str, size: float = 12) -> float:
    """A rough width: no font metrics on the server, so be generous."""
    return len(label) * size * 0.6


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above ``value`` (a readable axis end)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 12,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
    extra: str = "",
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}" '
        f'fill="{fill}"{weight}{extra}>{esc(content)}</text>'
    )


def hatch(x: float, y: float, width: float, height: float, *, step: float = 6) -> str:
    """A grey hatched box: the mark of a figure that is not shown."""
    parts = [
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" '
        f'fill="{NOT_SHOWN_FILL}" stroke="{NOT_SHOWN_STROKE}" stroke-width="0.5"/>'
    ]
    offset = step
    # Segments of the lines u + v = offset, clipped to the box: "/" stripes without a
    # <pattern>, whose id could clash between two charts of the same page.
    while offset < width + height:
        u1, u2 = max(0.0, offset - height), min(width, offset)
        parts.append(
            f'<line x1="{num(x + u1)}" y1="{num(y + offset - u1)}" x2="{num(x + u2)}" '
            f'y2="{num(y + offset - u2)}" stroke="{NOT_SHOWN_STROKE}" stroke-width="1"/>'
        )
        offset += step
    return "".join(parts)


def not_shown_label() -> str:
    return _("not shown: fewer than 5 people")


def svg(
    kind: str, title: str, width: float, height: float, body: Iterable[str], *, empty: bool = False
) -> SafeString:
    label = esc(title)
    state = ' data-empty="true"' if empty else ""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="{label}" '
        f'data-chart="{esc(kind)}"{state} font-family="{FONT}" font-size="12" '
        f'style="max-width:100%;height:auto"><title>{label}</title>'
    )
    # Every piece of ``body`` was built from escaped text and numbers.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def empty_chart(kind: str, title: str) -> SafeString:
    """What a chart shows before there is anything to draw: a sentence, never an error."""
    width, height = 360.0, 80.0
    body = [
        f'<rect x="0.5" y="0.5" width="{num(width - 1)}" height="{num(height - 1)}" '
        f'fill="#fafafa" stroke="{GRID}" rx="4"/>',
        text(width / 2, 34, shorten(title, 50), anchor="middle", bold=True),
        text(width / 2, 56, _("No data yet."), anchor="middle", fill=MUTED),
    ]
    return svg(kind, title, width, height, body, empty=True)


def legend(
    names: Sequence[str], *, x: float, y: float, width: float, line: bool = True
) -> tuple[list[str], float]:
    """Legend entries flowing left to right; returns the pieces and the height used."""
    parts: list[str] = ['<g data-legend="true">']
    cursor_x, cursor_y, row = x, y, 18.0
    for index, name in enumerate(names):
        label = shorten(name, 32)
        entry = 26 + text_width(label, 11) + 14
        if cursor_x > x and cursor_x + entry > x + width:
            cursor_x, cursor_y = x, cursor_y + row
        stroke = colour(index)
        pattern = dash(index) if line else ""
        dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
        parts.append(
            f'<line x1="{num(cursor_x)}" y1="{num(cursor_y - 4)}" x2="{num(cursor_x + 20)}" '
            f'y2="{num(cursor_y - 4)}" stroke="{stroke}" stroke-width="3"{dashed}/>'
        )
        parts.append(text(cursor_x + 26, cursor_y, label, size=11))
        cursor_x += entry
    parts.append("</g>")
    return parts, cursor_y - y + row
