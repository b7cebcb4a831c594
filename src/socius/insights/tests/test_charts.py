"""The SVG charts: well-formed, escaped, honest about hidden figures, and drawn where the
values say (the checks below would fail if a scale or an axis were turned around)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from django.utils.safestring import SafeString

from socius.insights.charts import (
    Series,
    funnel,
    heatmap,
    line_chart,
    matrix,
    quadrant,
    radar,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>&\"'"
QUADRANTS = ("Beginner", "Fashionista", "Conservative", "Digital master")


def parse(svg: str) -> ET.Element:
    # Our own output, parsed to prove it is well-formed XML: no untrusted input here.
    root = ET.fromstring(svg)  # noqa: S314
    assert root.tag == f"{NS}svg"
    return root


def find_all(root: ET.Element, tag: str, **attributes: str) -> list[ET.Element]:
    return [
        element
        for element in root.iter(f"{NS}{tag}")
        if all(element.get(key.replace("_", "-")) == value for key, value in attributes.items())
    ]


def one(root: ET.Element, tag: str, **attributes: str) -> ET.Element:
    found = find_all(root, tag, **attributes)
    assert len(found) == 1, found
    return found[0]


def darkness(fill: str) -> float:
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return 255 * 3 - (red + green + blue)


EVERY_CHART: dict[str, Callable[[str], SafeString]] = {
    "radar": lambda label: radar(
        [label, "B", "C", "D"],
        [Series(label, [80, None, 40, 0]), Series("x", [1, 2, 3, 4])],
        title=label,
    ),
    "line": lambda label: line_chart(
        [label, "S2", "S3"],
        [Series(label, [10, None, 30]), Series("x", [1, 2, 3])],
        title=label,
        unit="%",
    ),
    "heatmap": lambda label: heatmap(
        [label, "B"], [label, "S2"], [[1, None], [3, 4]], title=label, unit="%"
    ),
    "matrix": lambda label: matrix([label, "B"], [[1, None], [3, 4]], title=label),
    "funnel": lambda label: funnel([(label, 10), ("B", None), ("C", 2)], title=label),
    "quadrant": lambda label: quadrant(
        80,
        20,
        title=label,
        x_label=label,
        y_label=label,
        quadrant_labels=(label, "b", "c", "d"),
    ),
}

EMPTY: dict[str, Callable[[], SafeString]] = {
    "radar": lambda: radar([], [], title="t"),
    "line": lambda: line_chart([], [], title="t"),
    "line-all-hidden": lambda: line_chart(["a"], [Series("s", [None])], title="t"),
    "heatmap": lambda: heatmap([], [], [], title="t"),
    "matrix": lambda: matrix([], [], title="t"),
    "funnel": lambda: funnel([], title="t"),
    "funnel-all-hidden": lambda: funnel([("a", None)], title="t"),
    "quadrant": lambda: quadrant(
        None, 20, title="t", x_label="x", y_label="y", quadrant_labels=QUADRANTS
    ),
}


@pytest.mark.parametrize("kind", sorted(EVERY_CHART))
class TestEveryChart:
    def test_it_is_a_self_contained_accessible_svg(self, kind: str) -> None:
        svg = EVERY_CHART[kind]("Ventes")
        assert isinstance(svg, SafeString)
        root = parse(svg)
        assert root.get("data-chart") == kind
        assert root.get("role") == "img"
        assert root.get("aria-label") == "Ventes"
        assert root.find(f"{NS}title") is not None
        assert root.find(f"{NS}title").text == "Ventes"  # type: ignore[union-attr]
        width, height = float(root.get("width", "0")), float(root.get("height", "0"))
        assert width > 0
        assert height > 0
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        assert root.get("font-family")
        # Nothing a PDF renderer or a browser would fetch, nothing that would run.
        for element in root.iter():
            assert not any("href" in key for key in element.attrib), element.tag
            assert element.tag not in (f"{NS}script", f"{NS}image", f"{NS}style")

    def test_a_label_typed_by_a_user_is_text_never_markup(self, kind: str) -> None:
        svg = EVERY_CHART[kind](HOSTILE)
        root = parse(svg)
        assert "<script>" not in svg
        assert not find_all(root, "script")
        assert root.get("aria-label") == HOSTILE
        assert HOSTILE in "".join(root.itertext())


@pytest.mark.parametrize("case", sorted(EMPTY))
def test_no_data_gives_a_small_picture_saying_so(case: str) -> None:
    root = parse(EMPTY[case]())
    assert root.get("data-empty") == "true"
    assert root.get("role") == "img"
    assert len(find_all(root, "text")) == 2


class TestRadar:
    def centre_and_radius(self, root: ET.Element) -> tuple[float, float, float]:
        outer = find_all(root, "polygon")[3]  # the rings come first, 25 % to 100 %
        points = [tuple(map(float, p.split(","))) for p in outer.get("points", "").split()]
        top = points[0]
        cx = top[0]
        cy = (points[0][1] + points[2][1]) / 2
        return cx, cy, cy - top[1]

    def test_100_is_on_the_outer_ring_and_0_at_the_centre(self) -> None:
        root = parse(radar(["A", "B", "C", "D"], [Series("s", [100, 0, 50, 25])], title="t"))
        cx, cy, radius = self.centre_and_radius(root)
        vertices = {
            c.get("data-axis"): (float(c.get("cx", "")), float(c.get("cy", "")))
            for c in find_all(root, "circle", data_series="0")
        }
        assert vertices["0"] == pytest.approx((cx, cy - radius))  # first axis points up
        assert vertices["1"] == pytest.approx((cx, cy))
        assert math.dist(vertices["2"], (cx, cy)) == pytest.approx(radius / 2)
        assert vertices["3"] == pytest.approx((cx - radius / 4, cy))  # clockwise: D is left

    def test_a_hidden_value_is_marked_not_drawn_as_zero(self) -> None:
        root = parse(radar(["A", "B", "C"], [Series("s", [60, None, 60])], title="t"))
        missing = one(root, "circle", data_missing="true")
        assert missing.get("data-axis") == "1"
        assert missing.get("stroke-dasharray")
        polygon = one(root, "polygon", data_series="0")
        assert len(polygon.get("points", "").split()) == 2
        assert len(find_all(root, "circle", data_series="0")) == 3

    def test_several_series_have_a_legend(self) -> None:
        single = parse(radar(["A", "B", "C"], [Series("s", [1, 2, 3])], title="t"))
        double = parse(
            radar(["A", "B", "C"], [Series("s", [1, 2, 3]), Series("u", [3, 2, 1])], title="t")
        )
        assert not find_all(single, "g", data_legend="true")
        legend = one(double, "g", data_legend="true")
        assert [t.text for t in legend.iter(f"{NS}text")] == ["s", "u"]


class TestLineChart:
    def test_a_smaller_value_is_drawn_lower(self) -> None:
        root = parse(line_chart(["a", "b", "c"], [Series("s", [90, 10, 50])], title="t", y_max=100))
        points = {c.get("data-index"): c for c in find_all(root, "circle", data_series="0")}
        y = {index: float(point.get("cy", "")) for index, point in points.items()}
        x = {index: float(point.get("cx", "")) for index, point in points.items()}
        assert y["1"] > y["2"] > y["0"]  # SVG y grows downward
        assert x["0"] < x["1"] < x["2"]
        assert (y["1"] - y["0"]) == pytest.approx(2 * (y["1"] - y["2"]))

    def test_a_hidden_value_leaves_a_gap(self) -> None:
        root = parse(line_chart(["a", "b", "c", "d"], [Series("s", [1, 2, None, 4])], title="t"))
        path = one(root, "path", data_series="0").get("d", "")
        assert path.count("M") == 2  # the pen is lifted over the hidden week
        indexes = [c.get("data-index") for c in find_all(root, "circle", data_series="0")]
        assert indexes == ["0", "1", "3"]

    def test_the_axis_ends_on_a_round_number_above_the_largest_value(self) -> None:
        root = parse(line_chart(["a", "b"], [Series("s", [3, 37])], title="t", unit="%"))
        labels = [t.text or "" for t in find_all(root, "text", fill="#666666")]
        assert "50\u202f%" in labels
        assert "0\u202f%" in labels


class TestGrids:
    def test_a_bigger_value_is_a_darker_cell_with_its_value_written(self) -> None:
        root = parse(heatmap(["r"], ["a", "b", "c"], [[10, 90, 50]], title="t", unit="%"))
        cells = {g.get("data-value"): g for g in find_all(root, "g", data_row="0")}
        fills = {
            value: darkness(cell.find(f"{NS}rect").get("fill", ""))  # type: ignore[union-attr]
            for value, cell in cells.items()
        }
        assert fills["90"] > fills["50"] > fills["10"]
        assert cells["50"].find(f"{NS}text").text == "50\u202f%"  # type: ignore[union-attr]

    def test_a_hidden_cell_is_hatched_without_a_figure(self) -> None:
        root = parse(heatmap(["r"], ["a", "b"], [[None, 0]], title="t"))
        hidden = one(root, "g", data_not_shown="true")
        assert hidden.get("data-column") == "0"
        assert hidden.get("data-value") is None
        assert len(hidden.findall(f"{NS}line")) >= 2
        assert hidden.find(f"{NS}text") is None
        zero = one(root, "g", data_value="0")
        assert zero.find(f"{NS}text").text == "0"  # type: ignore[union-attr]

    def test_the_matrix_is_square_and_reads_row_to_column(self) -> None:
        root = parse(matrix(["A", "B"], [[None, 7], [2, None]], title="t"))
        cell = one(root, "g", data_value="7")
        assert (cell.get("data-row"), cell.get("data-column")) == ("0", "1")
        assert len(find_all(root, "g", data_not_shown="true")) == 2
        assert root.get("data-chart") == "matrix"


class TestFunnel:
    def test_bar_widths_follow_the_values(self) -> None:
        root = parse(funnel([("a", 100), ("b", 50), ("c", None)], title="t"))
        bars = {
            r.get("data-stage"): float(r.get("width", ""))
            for r in find_all(root, "rect")
            if r.get("data-value")
        }
        assert bars["1"] == pytest.approx(bars["0"] / 2)
        assert one(root, "g", data_not_shown="true").get("data-stage") == "2"


class TestQuadrant:
    def draw(self, x: float, y: float) -> int:
        root = parse(quadrant(x, y, title="t", x_label="W", y_label="H", quadrant_labels=QUADRANTS))
        point = one(root, "circle", data_point="true")
        px, py = float(point.get("cx", "")), float(point.get("cy", ""))
        for area in find_all(root, "rect"):
            if area.get("data-quadrant") is None:
                continue
            left, top = float(area.get("x", "")), float(area.get("y", ""))
            size = float(area.get("width", ""))
            if left <= px <= left + size and top <= py <= top + size:
                return int(area.get("data-quadrant", ""))
        raise AssertionError("the point is outside every quadrant")

    def test_the_point_lands_in_the_quadrant_of_its_coordinates(self) -> None:
        assert QUADRANTS[self.draw(80, 20)] == "Fashionista"
        assert QUADRANTS[self.draw(20, 80)] == "Conservative"
        assert QUADRANTS[self.draw(10, 10)] == "Beginner"
        assert QUADRANTS[self.draw(90, 70)] == "Digital master"
