"""The radar (spider) chart: a few factors scored on the same scale, one polygon per series."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString

from socius.insights.charts._svg import (
    GRID,
    MUTED,
    Series,
    colour,
    dash,
    empty_chart,
    esc,
    figure,
    legend,
    not_shown_label,
    num,
    shorten,
    svg,
    text,
)

KIND = "radar"
RADIUS = 120.0
RINGS = (0.25, 0.5, 0.75, 1.0)


def _point(cx: float, cy: float, angle: float, radius: float) -> tuple[float, float]:
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def radar(
    axes: Sequence[str], series: Sequence[Series], *, title: str, max_value: float = 100
) -> SafeString:
    """One polygon per series over ``axes`` (the first axis points up, then clockwise).

    A value of 0 sits at the centre and ``max_value`` on the outer ring. A ``None`` value is
    not shown: the polygon joins the neighbouring known vertices and a hollow dashed circle
    of the series' colour marks that axis on the outer ring (``data-missing="true"``).
    """
    if not axes or not series:
        return empty_chart(KIND, title)
    scale = max_value if max_value > 0 else 100.0
    # Wide enough for a label of 24 characters on either side of the web.
    width, cx, cy = 680.0, 340.0, 190.0
    angles = [-math.pi / 2 + 2 * math.pi * i / len(axes) for i in range(len(axes))]
    body: list[str] = []
    for ring in RINGS:
        corners = [_point(cx, cy, angle, RADIUS * ring) for angle in angles]
        points = " ".join(f"{num(x)},{num(y)}" for x, y in corners)
        body.append(f'<polygon points="{points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        body.append(text(cx + 3, cy - RADIUS * ring - 2, figure(scale * ring), size=9, fill=MUTED))
    for axis, angle in zip(axes, angles, strict=True):
        x, y = _point(cx, cy, angle, RADIUS)
        body.append(
            f'<line x1="{num(cx)}" y1="{num(cy)}" x2="{num(x)}" y2="{num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        lx, ly = _point(cx, cy, angle, RADIUS + 16)
        cosine = math.cos(angle)
        anchor = "middle" if abs(cosine) < 0.3 else ("start" if cosine > 0 else "end")
        body.append(
            text(lx, ly + 4, shorten(axis, 24), anchor=anchor, bold=True, extra=' data-axis="true"')
        )
    show_values = len(series) <= 2
    for index, one in enumerate(series):
        body.extend(_series(index, one, angles, axes, (cx, cy), scale, show_values))
    height = cy + RADIUS + 40
    if len(series) > 1:
        pieces, used = legend([one.name for one in series], x=20, y=height, width=width - 40)
        body.extend(pieces)
        height += used
    return svg(KIND, title, width, height + 4, body)


def _series(
    index: int,
    one: Series,
    angles: Sequence[float],
    axes: Sequence[str],
    centre: tuple[float, float],
    scale: float,
    show_values: bool,
) -> list[str]:
    cx, cy = centre
    stroke = colour(index)
    pattern = dash(index)
    dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
    known: list[tuple[float, float]] = []
    marks: list[str] = []
    for position, angle in enumerate(angles):
        value = one.values[position] if position < len(one.values) else None
        tooltip = f"{esc(one.name)} · {esc(axes[position])}"
        if value is None:
            x, y = _point(cx, cy, angle, RADIUS)
            marks.append(
                f'<circle cx="{num(x)}" cy="{num(y)}" r="6" fill="none" stroke="{stroke}" '
                f'stroke-width="1.5" stroke-dasharray="2 2" data-series="{index}" '
                f'data-axis="{position}" data-missing="true">'
                f"<title>{tooltip}: {esc(not_shown_label())}</title></circle>"
            )
            continue
        share = min(max(value / scale, 0.0), 1.0)
        x, y = _point(cx, cy, angle, RADIUS * share)
        known.append((x, y))
        marks.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5" fill="{stroke}" '
            f'data-series="{index}" data-axis="{position}" data-value="{num(value)}">'
            f"<title>{tooltip}: {esc(figure(value))}</title></circle>"
        )
        if show_values:
            offset = 10 if index == 0 else -6
            marks.append(text(x + 6, y + offset, figure(value), size=10, fill=stroke, bold=True))
    shape: list[str] = []
    if len(known) >= 2:
        points = " ".join(f"{num(x)},{num(y)}" for x, y in known)
        shape.append(
            f'<polygon points="{points}" fill="{stroke}" fill-opacity="0.15" stroke="{stroke}" '
            f'stroke-width="2"{dashed} data-series="{index}"/>'
        )
    return [*shape, *marks]
