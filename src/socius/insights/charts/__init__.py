"""Server-side SVG charts, the same picture inline in a page and in a WeasyPrint PDF.

Pure Python: presentation attributes only, no script, no external reference. Every chart is
a ``SafeString`` whose ``<svg>`` carries ``role="img"``, an ``aria-label``, a ``<title>`` and
``data-chart="<kind>"``; a value of ``None`` is a figure that is not shown (a group of fewer
than 5 people) and is drawn so, and empty input gives a small "no data yet" picture.
"""

from __future__ import annotations

from socius.insights.charts._svg import Series
from socius.insights.charts.funnel import funnel
from socius.insights.charts.grid import heatmap, matrix
from socius.insights.charts.lines import line_chart
from socius.insights.charts.quadrant import quadrant
from socius.insights.charts.radar import radar

__all__ = ["Series", "funnel", "heatmap", "line_chart", "matrix", "quadrant", "radar"]
