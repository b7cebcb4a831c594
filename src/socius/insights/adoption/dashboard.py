"""What the adoption page and its PDF report show: figures, their tables and pictures.

Built once here so that the page, the report and the CSV downloads can never disagree.
Every figure comes from the daily rollups over the period asked for (a fixed number of
queries, whatever the length of the history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socius.accounts.models import Department, User
from socius.insights.adoption.figures import WeekFigures, weekly_figures_by_group
from socius.insights.adoption.selectors import (
    Cohort,
    Matrix,
    Period,
    activation_funnel,
    interaction_matrix,
    reportable_departments,
    retention_cohorts,
    scope_department_ids,
    sees_every_department,
)
from socius.insights.charts import Series, funnel, heatmap, line_chart, matrix

# The figures of the weekly table and its CSV, in order: (field, label).
WEEK_COLUMNS: list[tuple[str, Promise]] = [
    ("registered", gettext_lazy("Registered")),
    ("activation_rate", gettext_lazy("Activated (%)")),
    ("daily_active", gettext_lazy("Daily active (average)")),
    ("weekly_active", gettext_lazy("Weekly active")),
    ("monthly_active", gettext_lazy("Active in 28 days")),
    ("engaged", gettext_lazy("Engaged")),
    ("consumers", gettext_lazy("Readers")),
    ("participants", gettext_lazy("Participants")),
    ("contributors", gettext_lazy("Contributors")),
    ("cross_department_share", gettext_lazy("Cross-department (%)")),
    ("healthy_spaces_share", gettext_lazy("Healthy spaces (%)")),
    ("response_rate", gettext_lazy("Posts answered in 24 h (%)")),
    ("median_response_hours", gettext_lazy("Median first answer (h)")),
    ("cases_within_target", gettext_lazy("Customer cases in time (%)")),
    ("dai", gettext_lazy("Digital Acculturation Index")),
]


def week_columns() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, label in WEEK_COLUMNS]


class Picture:
    """A chart of the dashboard: its name, title, SVG and the table behind it."""

    def __init__(
        self, name: str, title: str, draw: Callable[[str], SafeString], table: str = ""
    ) -> None:
        self.name, self.title = name, title
        self.table = table or name  # the CSV behind it: the lines all come from "weeks"
        self.svg = draw(title)


@dataclass
class Dashboard:
    user: User
    department: Department | None
    period: Period
    departments: list[Department]
    weeks: list[WeekFigures]
    latest: WeekFigures | None
    every_department: bool
    heat: dict[str, list[WeekFigures]] = field(default_factory=dict)
    matrix: Matrix | None = None
    cohorts: list[Cohort] = field(default_factory=list)

    @property
    def scope_name(self) -> str:
        return self.department.name if self.department else _("The whole company")

    def week_labels(self) -> list[str]:
        return [date_format(week.week, "d/m") for week in self.weeks]

    def charts(self) -> list[Picture]:
        """The pictures, each under its title (the same words as the SVG's own title)."""
        labels = self.week_labels()
        weeks = self.weeks
        pictures = [
            Picture(
                "dai",
                _("Digital Acculturation Index, week by week"),
                lambda title: line_chart(
                    labels,
                    [Series(_("Digital Acculturation Index"), [w.dai for w in weeks])],
                    title=title,
                    y_max=100,
                ),
                table="weeks",
            ),
            Picture(
                "activity",
                _("Active employees"),
                lambda title: line_chart(
                    labels,
                    [
                        Series(_("Daily active (average)"), [w.daily_active for w in weeks]),
                        Series(_("Weekly active"), [_f(w.weekly_active) for w in weeks]),
                        Series(_("Active in 28 days"), [_f(w.monthly_active) for w in weeks]),
                        Series(_("Engaged"), [_f(w.engaged) for w in weeks]),
                    ],
                    title=title,
                ),
                table="weeks",
            ),
            Picture(
                "responses",
                _("Answers and transversality"),
                lambda title: line_chart(
                    labels,
                    [
                        Series(_("Posts answered in 24 h (%)"), [w.response_rate for w in weeks]),
                        Series(
                            _("Cross-department (%)"), [w.cross_department_share for w in weeks]
                        ),
                        Series(
                            _("Customer cases in time (%)"), [w.cases_within_target for w in weeks]
                        ),
                    ],
                    title=title,
                    y_max=100,
                    unit="%",
                ),
                table="weeks",
            ),
        ]
        latest = self.latest
        if latest is not None:
            stages = [(label, _f(value)) for label, value in activation_funnel(latest)]
            pictures.append(
                Picture(
                    "funnel",
                    _("From registered to engaged"),
                    lambda title: funnel(stages, title=title),
                )
            )
        if self.every_department and self.heat:
            names = {d.slug: d.name for d in self.departments}
            rows = [names[slug] for slug in self.heat]
            values = [[w.dai for w in group] for group in self.heat.values()]
            pictures.append(
                Picture(
                    "heatmap",
                    _("Digital Acculturation Index by department and week"),
                    lambda title: heatmap(rows, labels, values, title=title, max_value=100),
                )
            )
        grid = self.matrix
        if grid is not None and grid.labels:
            counts = [[_f(v) for v in row] for row in grid.counts]
            pictures.append(
                Picture(
                    "matrix",
                    _("Who answers whom: interactions between departments"),
                    lambda title: matrix(grid.labels, counts, title=title),
                )
            )
        return pictures

    def tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        """Every table behind a picture: (header, rows), as the CSV downloads give them."""
        columns = week_columns()
        tables: dict[str, tuple[list[str], list[list[Any]]]] = {
            "weeks": (
                [_("Week"), *[label for _name, label in columns]],
                [[str(w.week), *[getattr(w, name) for name, _l in columns]] for w in self.weeks],
            ),
            "cohorts": (
                [
                    _("First week"),
                    _("People"),
                    _("Active after 4 weeks (%)"),
                    _("Active after 12 weeks (%)"),
                ],
                [[str(c.week), c.size, c.after_4_weeks, c.after_12_weeks] for c in self.cohorts],
            ),
        }
        if self.latest is not None:
            tables["funnel"] = (
                [_("Stage"), _("People")],
                [[label, value] for label, value in activation_funnel(self.latest)],
            )
        if self.heat:
            names = {d.slug: d.name for d in self.departments}
            tables["heatmap"] = (
                [_("Department"), *[str(w.week) for w in self.weeks]],
                [[names[slug], *[w.dai for w in weeks]] for slug, weeks in self.heat.items()],
            )
        if self.matrix is not None:
            tables["matrix"] = (
                [_("From \\ to"), *self.matrix.labels],
                [
                    [label, *row]
                    for label, row in zip(self.matrix.labels, self.matrix.counts, strict=True)
                ],
            )
        return tables


def _f(value: int | float | None) -> float | None:
    return None if value is None else float(value)


# The key of the page's own figures among the departments' (a slug never has a space).
SCOPE = " scope"


def dashboard_build(*, user: User, department: Department | None, period: Period) -> Dashboard:
    """The dashboard of ``department`` (None: the company) for someone allowed to see it."""
    reportable = reportable_departments()
    every = sees_every_department(user)
    departments = reportable if every else [d for d in reportable if d.pk == user.department_id]
    groups: dict[str, frozenset[int | None]] = {SCOPE: scope_department_ids(department, reportable)}
    if every:
        groups.update({d.slug: frozenset({d.pk}) for d in departments})
    by_group = weekly_figures_by_group(groups=groups, start=period.start, end=period.end)
    weeks = by_group.pop(SCOPE)
    known = [w for w in weeks if w.registered is not None]
    return Dashboard(
        user=user,
        department=department,
        period=period,
        departments=departments,
        weeks=weeks,
        latest=known[-1] if known else None,
        every_department=every,
        heat=by_group if every else {},
        matrix=interaction_matrix(period, departments) if every else None,
        cohorts=retention_cohorts(department_ids=groups[SCOPE], period=period),
    )
