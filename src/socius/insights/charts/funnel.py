"""The funnel: how many people reach each stage (registered, activated, engaged...)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from socius.insights.charts._svg import (
    MUTED,
    colour,
    empty_chart,
    esc,
    figure,
    hatch,
    not_shown_label,
    num,
    shorten,
    svg,
    text,
    text_width,
)

KIND = "funnel"
BAR_H, GAP, BAR_W = 30.0, 8.0, 360.0


def funnel(stages: Sequence[tuple[str, float | None]], *, title: str) -> SafeString:
    """One centred bar per stage, its width proportional to the largest stage, with the value
    and its share of the first stage written beside it. A ``None`` stage is not shown: a grey
    hatched bar at full width, without a figure."""
    known = [value for _label, value in stages if value is not None]
    if not stages or not known:
        return empty_chart(KIND, title)
    largest = max(known) or 1.0
    first = next((value for _label, value in stages if value is not None), None)
    left = 12 + max(text_width(shorten(label)) for label, _value in stages)
    body: list[str] = []
    for index, (label, value) in enumerate(stages):
        y = 8 + index * (BAR_H + GAP)
        body.append(text(left - 8, y + BAR_H / 2 + 4, shorten(label), anchor="end"))
        if value is None:
            body.append(
                f'<g data-stage="{index}" data-not-shown="true">'
                f"<title>{esc(not_shown_label())}</title>{hatch(left, y, BAR_W, BAR_H)}</g>"
            )
            body.append(
                text(left + BAR_W + 8, y + BAR_H / 2 + 4, not_shown_label(), size=10, fill=MUTED)
            )
            continue
        bar = max(BAR_W * max(value, 0.0) / largest, 1.0)
        x = left + (BAR_W - bar) / 2
        body.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(bar)}" height="{num(BAR_H)}" '
            f'fill="{colour(0)}" fill-opacity="{num(1 - 0.12 * min(index, 5))}" '
            f'data-stage="{index}" data-value="{num(value)}"><title>{esc(label)}</title></rect>'
        )
        share = f" ({figure(100 * value / first, '%')})" if first else ""
        body.append(text(left + BAR_W + 8, y + BAR_H / 2 + 4, f"{figure(value)}{share}", bold=True))
    width = left + BAR_W + 8 + 200
    height = 8 + len(stages) * (BAR_H + GAP) + 4
    return svg(KIND, title, width, height, body)
