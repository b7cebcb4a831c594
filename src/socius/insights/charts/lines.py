"""Trend lines: one value per period (week, month...) and per series."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
    nice_ceiling,
    not_shown_label,
    num,
    shorten,
    svg,
    text,
)

KIND = "line"
TICKS = 5


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_max: float | None = None,
    unit: str = "",
) -> SafeString:
    """Lines over ``x_labels``, the y axis from 0 to ``y_max`` (or a round number above the
    largest value). A ``None`` value is not shown: the line stops on either side of it,
    leaving a visible gap, and no point is drawn there."""
    values = [v for one in series for v in one.values if v is not None]
    if not x_labels or not series or not values:
        return empty_chart(KIND, title)
    top = y_max if y_max is not None and y_max > 0 else nice_ceiling(max(values))
    width, left, right, top_margin = 640.0, 56.0, 44.0, 16.0
    plot_h = 220.0
    plot_w = width - left - right
    bottom = top_margin + plot_h
    count = len(x_labels)

    def x_at(position: int) -> float:
        return left + (plot_w * position / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return bottom - plot_h * min(max(value / top, 0.0), 1.0)

    body: list[str] = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = y_at(value)
        body.append(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(left + plot_w)}" y2="{num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(text(left - 6, y + 4, figure(value, unit), size=10, anchor="end", fill=MUTED))
    # No more than about ten labels under the axis, whatever the number of periods.
    every = max(1, math.ceil(count / 10))
    for position, label in enumerate(x_labels):
        # Counted from the end, so that the latest period always has its label.
        if (count - 1 - position) % every:
            continue
        body.append(text(x_at(position), bottom + 16, shorten(label, 12), size=10, anchor="middle"))
    for index, one in enumerate(series):
        body.extend(_series(index, one, x_at, y_at, unit))
    height = bottom + 30
    if len(series) > 1:
        pieces, used = legend([one.name for one in series], x=left, y=height + 6, width=plot_w)
        body.extend(pieces)
        height += used + 6
    if any(v is None for one in series for v in one.values):
        gap = _("A gap in a line: %(reason)s") % {"reason": not_shown_label()}
        body.append(text(left, height + 8, gap, size=10, fill=MUTED))
        height += 16
    return svg(KIND, title, width, height + 4, body)


def _series(
    index: int,
    one: Series,
    x_at: Callable[[int], float],
    y_at: Callable[[float], float],
    unit: str,
) -> list[str]:
    stroke = colour(index)
    pattern = dash(index)
    dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
    path: list[str] = []
    points: list[str] = []
    pen_down = False
    last: tuple[float, float, float] | None = None
    for position, value in enumerate(one.values):
        if value is None:
            pen_down = False
            continue
        x, y = x_at(position), y_at(value)
        path.append(f"{'L' if pen_down else 'M'}{num(x)} {num(y)}")
        pen_down = True
        last = (x, y, value)
        points.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="3" fill="{stroke}" data-series="{index}" '
            f'data-index="{position}" data-value="{num(value)}">'
            f"<title>{esc(one.name)}: {esc(figure(value, unit))}</title></circle>"
        )
    parts = []
    if path:
        parts.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{stroke}" stroke-width="2.5"'
            f'{dashed} data-series="{index}"/>'
        )
    parts.extend(points)
    if last is not None:
        x, y, value = last
        parts.append(text(x + 5, y - 6, figure(value, unit), size=10, fill=stroke, bold=True))
    return parts
