"""Scoring and recommendations of the maturity questionnaire: pure rules, no database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from socius.insights.maturity.questionnaire import (
    CURRENT_VERSION,
    FACTORS,
    QUESTIONNAIRES,
    questionnaire_get,
)
from socius.insights.maturity.recommendations import (
    PER_FACTOR,
    TOP,
    all_link_names,
    factor_priority,
    recommend,
    rule_ids,
)
from socius.insights.maturity.scoring import (
    Answers,
    Quadrant,
    Respondent,
    assess,
    blend,
    declared_scores,
    factor_spreads,
    group_gap,
    interquartile_range,
    item_medians,
    item_score,
    level,
    quadrant,
    respondent_factor_scores,
    urgency,
    weighted_overall,
)

ITEMS = questionnaire_get(CURRENT_VERSION).items_for(include_green=False)
ALL_ITEMS = questionnaire_get(CURRENT_VERSION).items_for(include_green=True)


@dataclass(frozen=True)
class Measure:
    score: float | None
    coverage: float


def uniform(value: int | None, **overrides: int | None) -> dict[str, int | None]:
    answers: dict[str, int | None] = {item.key: value for item in ITEMS}
    answers.update({key.replace("_", "-"): v for key, v in overrides.items()})
    return answers


def by_factor(**values: int) -> dict[str, int | None]:
    """Every item of factor F answered values[F] (pressure items: values["P"])."""
    answers: dict[str, int | None] = {}
    for item in ITEMS:
        answers[item.key] = values["P"] if not item.scored else values[item.factor]
    return answers


class TestQuestionnaire:
    def test_it_has_the_24_items_of_the_spec_and_2_optional_green_ones(self) -> None:
        assert len(ITEMS) == 24
        assert len(ALL_ITEMS) == 26
        scored = [item for item in ITEMS if item.scored]
        assert len(scored) == 20
        assert sum(item.axis == "W" for item in scored) == 8
        assert sum(item.axis == "H" for item in scored) == 12
        assert [i.key for i in ITEMS if not i.scored] == ["CP-P1", "CP-P2", "CX-P1", "CX-P2"]

    def test_a_version_is_found_by_its_key(self) -> None:
        assert CURRENT_VERSION in QUESTIONNAIRES
        assert questionnaire_get(CURRENT_VERSION).item("CX4").factor == "CX"


class TestItemsAndFactors:
    @pytest.mark.parametrize(
        ("answer", "score"), [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)]
    )
    def test_an_answer_maps_linearly_to_0_100(self, answer: int, score: float) -> None:
        assert item_score(answer) == score

    def test_dont_know_is_no_score_not_zero(self) -> None:
        assert item_score(None) is None
        answers = uniform(5, CO1=None, CO2=None)
        assert respondent_factor_scores(ITEMS, answers)["CO"] == 100.0

    def test_an_answer_off_the_scale_is_refused(self) -> None:
        with pytest.raises(ValueError, match="1 to 5"):
            item_score(6)

    def test_a_factor_needs_3_answered_items(self) -> None:
        # CP has 4 scored items: 3 answered is enough, 2 is not.
        three = uniform(4, CP1=None)
        two = uniform(4, CP1=None, CP2=None)
        assert respondent_factor_scores(ITEMS, three)["CP"] == 75.0
        assert respondent_factor_scores(ITEMS, two)["CP"] is None

    def test_pressure_items_never_count_towards_maturity(self) -> None:
        answers = uniform(3, CP_P1=5, CP_P2=5)
        assert respondent_factor_scores(ITEMS, answers)["CP"] == 50.0

    def test_the_organisation_takes_the_median_per_item_then_the_mean(self) -> None:
        responses: list[Answers] = [uniform(1), uniform(2), uniform(5)]
        medians = item_medians(ITEMS, responses)
        assert medians["CO1"] == 25.0  # median of 0, 25, 100: the enthusiast does not pull
        assert declared_scores(ITEMS, responses) == dict.fromkeys(FACTORS, 25.0)

    def test_the_median_skips_dont_know(self) -> None:
        responses: list[Answers] = [uniform(None), uniform(3), uniform(5)]
        assert item_medians(ITEMS, responses)["ST1"] == 75.0

    def test_overall_is_the_mean_of_the_valid_factors(self) -> None:
        assert weighted_overall({"CO": 80.0, "ST": 40.0, "CP": None, "CX": 60.0}) == 60.0
        assert weighted_overall({"CO": None}) is None

    def test_overall_weights_are_configurable(self) -> None:
        scores = {"CO": 80.0, "ST": 40.0, "CP": 40.0, "CX": 40.0}
        assert weighted_overall(scores, {"CO": 2.0}) == pytest.approx((2 * 80 + 3 * 40) / 5)


class TestAxesAndLevels:
    @pytest.mark.parametrize(
        ("what", "how", "expected"),
        [
            (49.99, 49.99, Quadrant.BEGINNER),
            (50.0, 49.99, Quadrant.FASHIONISTA),
            (49.99, 50.0, Quadrant.CONSERVATIVE),
            (50.0, 50.0, Quadrant.DIGITAL_MASTER),
            (None, 80.0, None),
        ],
    )
    def test_the_quadrant_splits_at_50(
        self, what: float | None, how: float | None, expected: Quadrant | None
    ) -> None:
        assert quadrant(what, how) == expected

    @pytest.mark.parametrize(
        ("score", "expected"),
        [(0, 1), (24.99, 1), (25, 2), (49.99, 2), (50, 3), (74.99, 3), (75, 4), (100, 4)],
    )
    def test_levels_have_their_edges_in_the_upper_band(self, score: float, expected: int) -> None:
        assert level(score) == expected
        assert level(None) is None

    def test_urgency_is_the_mean_of_the_pressure_items(self) -> None:
        medians = item_medians(ITEMS, [uniform(3, CP_P1=5, CP_P2=5, CX_P1=1, CX_P2=3)])
        assert urgency(ITEMS, medians) == pytest.approx((100 + 100 + 0 + 50) / 4)

    def test_w_and_h_axes_read_their_own_items(self) -> None:
        answers = {item.key: (5 if item.axis == "W" else 1) for item in ITEMS}
        result = assess(ITEMS, [Respondent(answers, management=False)] * 5)
        assert (result.what, result.how) == (100.0, 0.0)
        assert result.quadrant == Quadrant.FASHIONISTA

    def test_the_green_block_stays_out_of_the_axes(self) -> None:
        answers = {**uniform(3), "G1": 5, "G2": 5}
        result = assess(ALL_ITEMS, [Respondent(answers, management=False)] * 5)
        assert result.what == 50.0
        assert result.green == 100.0


class TestSpreadAndGroups:
    def test_the_spread_is_the_interquartile_range(self) -> None:
        assert interquartile_range([0.0, 25.0, 50.0, 75.0, 100.0]) == 50.0
        assert interquartile_range([40.0]) is None

    def test_the_spread_is_computed_across_respondents(self) -> None:
        responses: list[Answers] = [uniform(v) for v in (1, 2, 3, 4, 5)]
        assert factor_spreads(ITEMS, responses)["CO"] == 50.0
        agreeing: list[Answers] = [uniform(4)] * 5
        assert factor_spreads(ITEMS, agreeing)["ST"] == 0.0

    def test_the_management_staff_gap_needs_5_on_each_side(self) -> None:
        top: list[Answers] = [uniform(5)] * 5
        floor: list[Answers] = [uniform(3)] * 5
        assert group_gap(ITEMS, top, floor) == dict.fromkeys(FACTORS, 50.0)
        assert group_gap(ITEMS, top[:4], floor) is None
        assert group_gap(ITEMS, top, floor[:4]) is None


class TestBlending:
    def test_the_measured_score_weighs_0_3_times_its_coverage(self) -> None:
        result = blend(80.0, Measure(score=40.0, coverage=0.5))
        assert result.alpha == pytest.approx(0.15)
        assert result.final == pytest.approx(0.85 * 80 + 0.15 * 40)
        assert result.perception_gap == 40.0

    def test_a_gap_of_more_than_20_points_is_flagged_either_way(self) -> None:
        assert blend(70.0, Measure(score=49.9, coverage=1)).flagged
        assert blend(29.9, Measure(score=50.0, coverage=1)).flagged
        assert not blend(70.0, Measure(score=50.0, coverage=1)).flagged

    def test_without_a_measurement_the_declared_score_stands(self) -> None:
        assert blend(60.0, None).final == 60.0
        result = blend(60.0, Measure(score=None, coverage=0))
        assert (result.final, result.flagged) == (60.0, False)
        assert blend(None, Measure(score=50.0, coverage=1)).final is None

    def test_the_assessment_shows_declared_measured_final_and_deltas(self) -> None:
        respondents = [Respondent(by_factor(CO=5, ST=4, CP=3, CX=2, P=5), False)] * 5
        result = assess(
            ITEMS,
            respondents,
            measured={"CO": Measure(30.0, 1.0), "ST": Measure(70.0, 1.0)},
            previous={"CO": 50.0, "ST": 75.0},
            previous_overall=40.0,
        )
        co, st, cx = result.factors["CO"], result.factors["ST"], result.factors["CX"]
        assert (co.declared, co.measured, co.final) == (100.0, 30.0, pytest.approx(79.0))
        assert co.flagged
        assert not st.flagged
        assert result.flagged == ["CO"]
        assert (co.delta, st.delta, cx.delta) == (50.0, 0.0, None)
        assert result.overall_declared == pytest.approx((100 + 75 + 50 + 25) / 4)
        assert result.overall_delta == pytest.approx(62.5 - 40)
        assert (co.level, cx.level) == (4, 2)  # 25 is the first score of Emerging


class TestRecommendations:
    def test_urgency_raises_the_external_factors_only(self) -> None:
        assert factor_priority("CO", 40.0, 100.0) == 60.0
        assert factor_priority("CP", 40.0, 100.0) == 60.0
        assert factor_priority("CP", 40.0, 0.0) == 30.0
        assert factor_priority("CX", 40.0, None) == 45.0

    def test_it_ranks_by_gap_keeps_2_per_factor_and_5_in_all(self) -> None:
        respondents = [Respondent(by_factor(CO=1, ST=2, CP=3, CX=3, P=1), False)] * 5
        chosen = recommend(assess(ITEMS, respondents))
        assert len(chosen) == TOP
        ids = rule_ids(chosen)
        # CO (gap 100) first, cheapest first among equals; then ST (gap 75).
        assert ids[:2] == ["co-champions", "co-charter"]
        assert ids[2:4] == ["st-roadmap", "st-budget"]
        assert max(ids.count(i) for i in ids) == 1
        groups = [r.group for r in chosen]
        assert all(groups.count(g) <= PER_FACTOR for g in groups)
        priorities = [r.priority for r in chosen]
        assert priorities == sorted(priorities, reverse=True)

    def test_high_urgency_brings_the_competitive_benchmark(self) -> None:
        calm = [Respondent(by_factor(CO=5, ST=5, CP=2, CX=5, P=1), False)] * 5
        pressed = [Respondent(by_factor(CO=5, ST=5, CP=2, CX=5, P=5), False)] * 5
        assert "cp-benchmark" not in rule_ids(recommend(assess(ITEMS, calm)))
        assert "cp-benchmark" in rule_ids(recommend(assess(ITEMS, pressed)))

    def test_a_perception_gap_always_comes_first(self) -> None:
        respondents = [Respondent(by_factor(CO=5, ST=5, CP=4, CX=4, P=3), False)] * 5
        result = assess(ITEMS, respondents, measured={"CX": Measure(20.0, 1.0)})
        chosen = recommend(result)
        # CX has the smallest gap of all, yet its diverging perception is the first step.
        assert rule_ids(chosen).count("perception-gap") == 1
        assert (chosen[0].rule.id, chosen[0].factors) == ("perception-gap", ("CX",))
        assert len(chosen) == TOP

    def test_the_quadrant_rule_follows_the_quadrant(self) -> None:
        respondents = [Respondent(uniform(1), False)] * 5
        assert "q-beginner" in rule_ids(recommend(assess(ITEMS, respondents)))

    @pytest.mark.django_db
    def test_every_link_of_the_library_resolves(self) -> None:
        for name in all_link_names():
            assert reverse(name).startswith("/")
