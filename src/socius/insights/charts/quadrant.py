"""The 2×2 quadrant (e.g. digital intensity × transformation management), one point."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from socius.insights.charts._svg import (
    GRID,
    INK,
    MUTED,
    colour,
    empty_chart,
    esc,
    figure,
    num,
    shorten,
    svg,
    text,
)

KIND = "quadrant"
THRESHOLD = 50.0
SIDE = 300.0
# Light fills, one per quadrant, in the order of ``quadrant_labels``.
FILLS = ("#f2f2f2", "#fdf1dc", "#e3f0f9", "#dff2ea")


def quadrant(
    x: float | None,
    y: float | None,
    *,
    title: str,
    x_label: str,
    y_label: str,
    quadrant_labels: tuple[str, str, str, str],
) -> SafeString:
    """Both axes from 0 to 100, split at 50. ``quadrant_labels`` are, in order: low x and low
    y (bottom left), high x and low y (bottom right), low x and high y (top left), high x and
    high y (top right); e.g. Beginner, Fashionista, Conservative, Digital master.
    Without both coordinates there is nothing to place: the "no data yet" picture."""
    if x is None or y is None:
        return empty_chart(KIND, title)
    left, top = 60.0, 16.0
    half = SIDE / 2
    corners = ((0, 1), (1, 1), (0, 0), (1, 0))  # (column, row) of each label, rows from top
    body: list[str] = []
    for index, ((column, row), label) in enumerate(zip(corners, quadrant_labels, strict=True)):
        qx, qy = left + column * half, top + row * half
        body.append(
            f'<rect x="{num(qx)}" y="{num(qy)}" width="{num(half)}" height="{num(half)}" '
            f'fill="{FILLS[index]}" stroke="{GRID}" data-quadrant="{index}"/>'
        )
        body.append(
            text(qx + half / 2, qy + 20, shorten(label, 24), anchor="middle", fill=MUTED, bold=True)
        )
    px = left + SIDE * min(max(x, 0.0), 100.0) / 100
    py = top + SIDE * (1 - min(max(y, 0.0), 100.0) / 100)
    body.append(
        f'<circle cx="{num(px)}" cy="{num(py)}" r="7" fill="{colour(3)}" stroke="{INK}" '
        f'stroke-width="1.5" data-point="true" data-x="{num(x)}" data-y="{num(y)}">'
        f"<title>{esc(x_label)} {esc(figure(x))} · {esc(y_label)} {esc(figure(y))}</title>"
        "</circle>"
    )
    body.append(text(px + 10, py - 8, f"({figure(x)}, {figure(y)})", size=11, bold=True))
    bottom = top + SIDE
    for value in (0, THRESHOLD, 100):
        body.append(
            text(
                left + SIDE * value / 100,
                bottom + 14,
                figure(value),
                size=10,
                anchor="middle",
                fill=MUTED,
            )
        )
        body.append(
            text(
                left - 6,
                bottom - SIDE * value / 100 + 4,
                figure(value),
                size=10,
                anchor="end",
                fill=MUTED,
            )
        )
    body.append(text(left + half, bottom + 32, shorten(x_label, 50), anchor="middle", bold=True))
    ax, ay = 18.0, top + half
    body.append(
        text(
            ax,
            ay,
            shorten(y_label, 50),
            anchor="middle",
            bold=True,
            extra=f' transform="rotate(-90 {num(ax)} {num(ay)})"',
        )
    )
    note = _("Threshold: %(value)s on each axis") % {"value": figure(THRESHOLD)}
    body.append(text(left, bottom + 50, note, size=10, fill=MUTED))
    return svg(KIND, title, left + SIDE + 20, bottom + 58, body)
