"""Grids of coloured cells: the heat map (departments × weeks) and the interaction matrix."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from socius.insights.charts._svg import (
    INK,
    MUTED,
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

# A single-hue sequential scale (light to dark blue): the order reads without colour vision.
LIGHT = (0xF1, 0xF6, 0xFB)
DARK = (0x08, 0x30, 0x6B)
CELL_W, CELL_H = 52.0, 28.0


def shade(share: float) -> str:
    """The fill for a value at ``share`` (0 to 1) of the scale: darker is more."""
    share = min(max(share, 0.0), 1.0)
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(LIGHT, DARK, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def heatmap(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    max_value: float | None = None,
    unit: str = "",
) -> SafeString:
    """One cell per (row, column), darker for larger values, each with its value written in.
    A ``None`` cell is not shown (fewer than 5 people): grey, hatched, without a figure."""
    return _grid(
        "heatmap", row_labels, column_labels, values, title=title, max_value=max_value, unit=unit
    )


def matrix(
    labels: Sequence[str], values: Sequence[Sequence[float | None]], *, title: str
) -> SafeString:
    """Department × department: row ``i``, column ``j`` is what ``i`` did towards ``j``.
    ``None`` cells are drawn as in the heat map."""
    return _grid("matrix", labels, labels, values, title=title, max_value=None, unit="")


def _grid(
    kind: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    max_value: float | None,
    unit: str,
) -> SafeString:
    if not row_labels or not column_labels or not values:
        return empty_chart(kind, title)
    known = [v for row in values for v in row if v is not None]
    scale = max_value if max_value is not None and max_value > 0 else max(known, default=0.0)
    scale = scale if scale > 0 else 1.0
    rows = [shorten(label) for label in row_labels]
    left = 12 + max(text_width(label) for label in rows)
    # Column labels are turned 45° once they would not fit side by side.
    turned = any(text_width(shorten(label, 20), 11) > CELL_W - 4 for label in column_labels)
    header = 12 + (
        max(text_width(shorten(c, 20), 11) for c in column_labels) * 0.72 if turned else 16
    )
    body: list[str] = []
    for column, label in enumerate(column_labels):
        x = left + CELL_W * column + CELL_W / 2
        if turned:
            body.append(
                text(
                    x,
                    header - 6,
                    shorten(label, 20),
                    size=11,
                    anchor="start",
                    extra=f' transform="rotate(-45 {num(x)} {num(header - 6)})"',
                )
            )
        else:
            body.append(text(x, header - 6, shorten(label, 20), size=11, anchor="middle"))
    for row, label in enumerate(rows):
        y = header + CELL_H * row
        body.append(text(left - 8, y + CELL_H / 2 + 4, label, anchor="end"))
        cells = values[row] if row < len(values) else []
        for column in range(len(column_labels)):
            value = cells[column] if column < len(cells) else None
            body.append(_cell(left + CELL_W * column, y, value, scale, unit, row, column))
    width = left + CELL_W * len(column_labels) + 12
    height = header + CELL_H * len(rows) + 12
    pieces, used = _scale_legend(left, height, scale, unit)
    body.extend(pieces)
    return svg(kind, title, max(width, x_legend_end(left)), height + used, body)


def _cell(
    x: float, y: float, value: float | None, scale: float, unit: str, row: int, column: int
) -> str:
    where = f'data-row="{row}" data-column="{column}"'
    if value is None:
        return (
            f'<g {where} data-not-shown="true"><title>{esc(not_shown_label())}</title>'
            f"{hatch(x + 1, y + 1, CELL_W - 2, CELL_H - 2)}</g>"
        )
    share = value / scale
    ink = "#ffffff" if share > 0.55 else INK
    label = text(
        x + CELL_W / 2, y + CELL_H / 2 + 4, figure(value, unit), size=11, anchor="middle", fill=ink
    )
    return (
        f'<g {where} data-value="{num(value)}"><title>{esc(figure(value, unit))}</title>'
        f'<rect x="{num(x + 1)}" y="{num(y + 1)}" width="{num(CELL_W - 2)}" '
        f'height="{num(CELL_H - 2)}" fill="{shade(share)}"/>'
        f"{label}"
        "</g>"
    )


def x_legend_end(left: float) -> float:
    # The hatched key is the only explanation of a grey cell: always leave room for it.
    return left + 236 + text_width(not_shown_label(), 10)


def _scale_legend(x: float, y: float, scale: float, unit: str) -> tuple[list[str], float]:
    parts = ['<g data-legend="true">', text(x, y + 10, figure(0, unit), size=10, fill=MUTED)]
    for step in range(5):
        parts.append(
            f'<rect x="{num(x + 30 + 22 * step)}" y="{num(y)}" width="22" height="12" '
            f'fill="{shade(step / 4)}"/>'
        )
    parts.append(text(x + 146, y + 10, figure(scale, unit), size=10, fill=MUTED))
    parts.append(hatch(x + 196, y, 22, 12))
    parts.append(text(x + 224, y + 10, not_shown_label(), size=10, fill=MUTED))
    parts.append("</g>")
    return parts, 24.0
