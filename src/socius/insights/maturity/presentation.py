"""How results are shown: charts, table rows and CSV tables, shared by the page and export.

Scores stay unrounded in the domain; this is the one place that rounds them for people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socius.core.csvfile import csv_text
from socius.insights.charts import Series, quadrant, radar
from socius.insights.maturity.questionnaire import FACTOR_LABELS, FACTORS
from socius.insights.maturity.recommendations import EFFORT_LABELS, Recommendation
from socius.insights.maturity.scoring import Assessment, Quadrant
from socius.insights.maturity.selectors import CampaignResults

LEVEL_LABELS: dict[int, Promise] = {
    1: gettext_lazy("Basic"),
    2: gettext_lazy("Emerging"),
    3: gettext_lazy("Developing"),
    4: gettext_lazy("Advanced"),
}

QUADRANT_LABELS: dict[str, Promise] = {
    Quadrant.BEGINNER: gettext_lazy("Beginner"),
    Quadrant.FASHIONISTA: gettext_lazy("Fashionista"),
    Quadrant.CONSERVATIVE: gettext_lazy("Conservative"),
    Quadrant.DIGITAL_MASTER: gettext_lazy("Digital master"),
}

# The radar's axis names sit outside the plot: full factor names would be cut off.
SHORT_FACTOR_LABELS: dict[str, Promise] = {
    "CO": gettext_lazy("Culture"),
    "ST": gettext_lazy("Strategy"),
    "CP": gettext_lazy("Competition"),
    "CX": gettext_lazy("Customers"),
}

LINK_LABELS: dict[str, Promise] = {
    "collab:space-list": gettext_lazy("Spaces"),
    "insights:charter": gettext_lazy("Social-media charter"),
    "commerce:offer-list": gettext_lazy("Group-buy offers"),
    "care:figures": gettext_lazy("Customer care figures"),
    "insights:maturity": gettext_lazy("Maturity assessment"),
}


def shown(value: float | None, digits: int = 0) -> str:
    """A score for people: rounded, or an empty cell when there is none."""
    if value is None:
        return ""
    return f"{value:.{digits}f}" if digits else str(round(value))


def signed(value: float | None) -> str:
    return "" if value is None else f"{round(value):+d}"


def level_label(level: int | None) -> str:
    return str(LEVEL_LABELS[level]) if level is not None else ""


def quadrant_label(value: str | None) -> str:
    return str(QUADRANT_LABELS[value]) if value else ""


def radar_chart(assessment: Assessment, previous_label: str | None) -> SafeString:
    factors = [assessment.factors[f] for f in FACTORS]
    series = [
        Series(_("Declared"), [f.declared for f in factors]),
        Series(_("Measured"), [f.measured for f in factors]),
    ]
    if previous_label and any(f.previous is not None for f in factors):
        series.append(Series(previous_label, [f.previous for f in factors]))
    return radar([str(FACTOR_LABELS[f]) for f in FACTORS], series, title=_("The four factors"))


def quadrant_chart(assessment: Assessment) -> SafeString:
    return quadrant(
        assessment.what,
        assessment.how,
        title=_("Digital intensity and transformation management"),
        x_label=_("Digital intensity (what)"),
        y_label=_("Transformation management (how)"),
        quadrant_labels=(
            str(QUADRANT_LABELS[Quadrant.BEGINNER]),
            str(QUADRANT_LABELS[Quadrant.FASHIONISTA]),
            str(QUADRANT_LABELS[Quadrant.CONSERVATIVE]),
            str(QUADRANT_LABELS[Quadrant.DIGITAL_MASTER]),
        ),
    )


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class RecommendationRow:
    id: str
    text: str
    effort: str
    priority: str
    factors: str
    links: list[Link]


def recommendation_rows(recommendations: Sequence[Recommendation]) -> list[RecommendationRow]:
    return [
        RecommendationRow(
            id=r.rule.id,
            text=str(r.rule.text),
            effort=str(EFFORT_LABELS[r.rule.effort]),
            priority=shown(r.priority),
            factors=", ".join(str(FACTOR_LABELS[f]) for f in r.factors),
            links=[Link(reverse(name), str(LINK_LABELS.get(name, name))) for name in r.rule.links],
        )
        for r in recommendations
    ]


Table = tuple[list[str], list[list[str]]]


def factor_table(assessment: Assessment) -> Table:
    header = [
        _("Factor"),
        _("Declared"),
        _("Measured"),
        _("Measurement coverage"),
        _("Final"),
        _("Gap over 20 points"),
        _("Spread (IQR)"),
        _("Level"),
        _("Previous campaign"),
        _("Change"),
        _("Management minus staff"),
    ]
    rows = []
    for factor in FACTORS:
        f = assessment.factors[factor]
        rows.append(
            [
                str(FACTOR_LABELS[factor]),
                shown(f.declared),
                shown(f.measured),
                f"{round(f.coverage * 100)} %" if f.measured is not None else "",
                shown(f.final),
                _("yes") if f.flagged else "",
                shown(f.spread),
                level_label(f.level),
                shown(f.previous),
                signed(f.delta),
                signed(f.management_gap),
            ]
        )
    return header, rows


def summary_table(results: CampaignResults) -> Table:
    a = results.assessment
    assert a is not None
    rows = [
        [_("Responses"), str(results.responses)],
        [_("Overall, declared"), shown(a.overall_declared)],
        [_("Overall, final"), shown(a.overall_final)],
        [_("Level"), level_label(a.overall_level)],
        [_("Change since the previous campaign"), signed(a.overall_delta)],
        [_("Digital intensity (what)"), shown(a.what)],
        [_("Transformation management (how)"), shown(a.how)],
        [_("Quadrant"), quadrant_label(a.quadrant)],
        [_("Urgency"), shown(a.urgency)],
    ]
    if a.green is not None:
        rows.append([str(FACTOR_LABELS["G"]), shown(a.green)])
    return [_("Indicator"), _("Value")], rows


def recommendations_table(results: CampaignResults) -> Table:
    header = [_("Rank"), _("Recommendation"), _("Factors"), _("Effort"), _("Priority")]
    rows = [
        [str(rank), row.text, row.factors, row.effort, row.priority]
        for rank, row in enumerate(recommendation_rows(results.recommendations), start=1)
    ]
    return header, rows


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _csv_value(cell: str) -> str | int | float:
    """A figure goes out as a number (a negative change is not a formula); any text is
    made inert by ``csv_text``."""
    if _NUMBER.fullmatch(cell):
        return float(cell) if "." in cell else int(cell)
    return cell


def results_csv(results: CampaignResults) -> str:
    """Every table of the page in one file, each under its own title line; nothing at all
    before the campaign is closed or below 5 responses. Written by ``csv_text``: a BOM for
    spreadsheets, and no cell that a spreadsheet would run as a formula."""
    if not results.closed:
        return csv_text([_("Results appear once the campaign is closed.")], [])
    if results.assessment is None:
        return csv_text([_("Fewer than 5 responses: no result is shown.")], [])
    tables: list[tuple[str, Table]] = [
        (_("Summary"), summary_table(results)),
        (_("Factors"), factor_table(results.assessment)),
        (_("Recommendations"), recommendations_table(results)),
    ]
    lines: list[list[str | int | float]] = []
    for index, (title, (header, rows)) in enumerate(tables):
        if index:
            lines.append([])
        lines.append([title])
        lines.append(list(header))
        lines.extend([_csv_value(cell) for cell in row] for row in rows)
    return csv_text(lines[0], lines[1:])


def results_context(results: CampaignResults) -> dict[str, Any]:
    assessment = results.assessment
    if assessment is None:
        return {"results": results}
    previous = results.previous.label if results.previous is not None else None
    header, rows = factor_table(assessment)
    return {
        "results": results,
        "assessment": assessment,
        "radar": radar_chart(assessment, previous),
        "quadrant": quadrant_chart(assessment),
        "quadrant_label": quadrant_label(assessment.quadrant),
        "factor_header": header,
        "factor_rows": list(zip(FACTORS, rows, strict=True)),
        "flagged": assessment.flagged,
        "summary": summary_table(results)[1],
        "recommendations": recommendation_rows(results.recommendations),
    }
