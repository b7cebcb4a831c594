"""What the matcher compares, written once for Splink and for the check at ingestion.

Each comparison is a field and an ordered list of levels, from the strongest agreement
to "anything else". ``splink_comparisons`` turns them into Splink comparison objects (SQL
that DuckDB and Spark run); ``level_of`` evaluates the same levels in Python for a single
pair, so the check at ingestion can reuse the match weights of the last batch run.

Each level carries an m-probability prior (how often true duplicates land there). EM
replaces them on a base large enough to estimate them; a small base keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jellyfish


@dataclass(frozen=True)
class Level:
    # exact, reversed, crossed, initials, jaro_winkler, damerau, levenshtein,
    # day_month_swapped, or one of the address kinds
    kind: str
    m_prior: float
    u_prior: float
    threshold: float = 0.0  # for "reversed" and "crossed": 0 exact, else Jaro-Winkler
    other: str = ""  # the other column, for "reversed" and "crossed"
    tf: bool = False  # term-frequency adjusted (exact levels of common values)
    neutral: bool = False  # recognised, but weighs nothing (Splink: a null level)

    def label(self, field: str) -> str:
        if self.kind == "exact":
            return "exact"
        if self.kind == "reversed":
            close = f", similar (Jaro-Winkler ≥ {self.threshold:g})" if self.threshold else ""
            return f"swapped with {self.other}{close}"
        if self.kind == "crossed":
            return f"like the other's {self.other} (Jaro-Winkler ≥ {self.threshold:g})"
        if self.kind == "day_month_swapped":
            return "day and month swapped"
        if self.kind == "initials":
            return "initials of the other"
        if self.kind in ADDRESS_LABELS:
            return ADDRESS_LABELS[self.kind]
        if self.kind == "jaro_winkler":
            return f"similar (Jaro-Winkler ≥ {self.threshold:g})"
        return f"{int(self.threshold)} typo(s) apart"


@dataclass(frozen=True)
class Comparison:
    field: str
    levels: tuple[Level, ...]
    else_m_prior: float
    columns: tuple[str, ...] = ()  # several columns (the address); default: the field

    @property
    def compared(self) -> tuple[str, ...]:
        return self.columns or (self.field,)

    @property
    def else_u_prior(self) -> float:
        return 1.0 - sum(level.u_prior for level in self.weighed)

    @property
    def weighed(self) -> tuple[Level, ...]:
        """The levels that carry a weight, strongest first."""
        return tuple(level for level in self.levels if not level.neutral)


ADDRESS_LABELS = {
    "same_address": "same number, street and postcode or city",
    "same_street_near_number": "same street, number one typo apart",
    "same_street": "same street",
    "same_number_street_elsewhere": "same number and street, another postcode and city",
    "same_postcode": "same postcode",
    "same_city": "same city",
}


SWAP_SIMILARITY = 0.88


def _names(field: str, other: str) -> Comparison:
    # A swap of given and family names is seen by both comparisons; it weighs in the
    # given name's only, or one swap would count twice.
    swap_neutral = field == "family_name"
    return Comparison(
        field,
        (
            Level("exact", 0.78, 0.004, tf=True),
            Level("reversed", 0.01, 0.0001, other=other, neutral=swap_neutral),
            # Swapped and mistyped ("Sebretgs James", "James Sebregts"): without this
            # level both names read as different.
            Level("reversed", 0.005, 0.0001, SWAP_SIMILARITY, other=other, neutral=swap_neutral),
            *([Level("initials", 0.02, 0.001)] if field == "given_name" else []),
            Level("jaro_winkler", 0.10, 0.002, 0.92),
            Level("jaro_winkler", 0.05, 0.005, 0.85),
            Level("jaro_winkler", 0.03, 0.05, 0.70),
            # One name in the other's other field ("Thorpe Sayra", "Jonah Thorpe"): a swap
            # whose other half was mistyped or replaced. Last, so that names merely alike
            # read as such first; weighed in the given name's comparison only, the family
            # names still compared as they are (given and family names overlap much in
            # France: Martin, Thomas, Laurent...), and learnt from the base like any level.
            *(
                [Level("crossed", 0.01, 0.0005, SWAP_SIMILARITY, other=other)]
                if field == "given_name"
                else []
            ),
        ),
        else_m_prior=0.02,
    )


# The priors: m from what true duplicates look like in customer bases (a typo in one
# field of ten, rare swaps); u from how often two strangers agree by chance (a birth date
# about 1 in 20,000, a street number 1 in 100). EM replaces both on a base large enough.
NAMES_AND_BIRTH: tuple[Comparison, ...] = (
    _names("given_name", "family_name"),
    _names("family_name", "given_name"),
    Comparison(
        "birth_date",
        (
            Level("exact", 0.86, 0.00005),
            Level("day_month_swapped", 0.003, 0.00001),
            Level("damerau", 0.06, 0.0005, 1),
            Level("levenshtein", 0.03, 0.003, 2),
        ),
        else_m_prior=0.01,
    ),
)

# The address as one comparison (the default): number, street, postcode and city agree
# together in a household or between neighbours, and counting them apart would count one
# fact four times: a mother and her son would look like one human.
ADDRESS_AS_ONE: tuple[Comparison, ...] = (
    Comparison(
        "address",
        (
            Level("same_address", 0.80, 0.0003),
            Level("same_street_near_number", 0.07, 0.0005),
            Level("same_street", 0.03, 0.003),
            # A typo in the postcode or the city, or a namesake street elsewhere (a "rue de
            # la Gare" in most towns): how much that weighs is learnt from the base.
            Level("same_number_street_elsewhere", 0.02, 0.0005),
            Level("same_postcode", 0.04, 0.01),
            Level("same_city", 0.03, 0.02),
        ),
        else_m_prior=0.03,
        columns=("street_number", "street", "postcode", "city"),
    ),
)

# The address as four comparisons: right when the fields vary independently (FEBRL's
# synthetic records, bases without households), where it separates better; wrong for a
# base of families, where it suggests household members as duplicates.
ADDRESS_AS_FIELDS: tuple[Comparison, ...] = (
    Comparison(
        "street_number",
        (Level("exact", 0.88, 0.01), Level("damerau", 0.05, 0.05, 1)),
        else_m_prior=0.07,
    ),
    Comparison(
        "street",
        (
            Level("exact", 0.80, 0.0005, tf=True),
            Level("jaro_winkler", 0.10, 0.002, 0.90),
            Level("jaro_winkler", 0.05, 0.02, 0.75),
        ),
        else_m_prior=0.05,
    ),
    Comparison(
        "postcode",
        (Level("exact", 0.88, 0.002, tf=True), Level("damerau", 0.06, 0.02, 1)),
        else_m_prior=0.06,
    ),
    Comparison(
        "city",
        (Level("exact", 0.86, 0.005, tf=True), Level("jaro_winkler", 0.08, 0.005, 0.88)),
        else_m_prior=0.06,
    ),
)

CONTACTS: tuple[Comparison, ...] = (
    Comparison(
        "phone",
        (Level("exact", 0.55, 0.000001), Level("levenshtein", 0.10, 0.00001, 2)),
        else_m_prior=0.35,
    ),
    # Exact only: local parts are mostly made of the names ("gregoire.guerin05"), so a
    # merely similar one says again what the names said; the same one is a choice.
    Comparison("email_local", (Level("exact", 0.50, 0.00001),), else_m_prior=0.50),
)

ADDRESS_MODELS = {"one": ADDRESS_AS_ONE, "fields": ADDRESS_AS_FIELDS}


def comparisons(address_model: str | None = None) -> tuple[Comparison, ...]:
    """The comparisons of a run; ``SOCIUS_DUPLICATES_ADDRESS`` chooses the address's."""
    from django.conf import settings

    chosen = address_model or settings.DUPLICATES_ADDRESS
    if chosen == "auto":  # without a run's model: the fixed priors' way
        chosen = "one"
    return (*NAMES_AND_BIRTH, *ADDRESS_MODELS[chosen], *CONTACTS)


def comparison_named(field: str) -> Comparison | None:
    every = (*NAMES_AND_BIRTH, *ADDRESS_AS_ONE, *ADDRESS_AS_FIELDS, *CONTACTS)
    return next((c for c in every if c.field == field), None)


# Python evaluation -------------------------------------------------------------------


def shown(comparison: Comparison, values: dict[str, Any], suffix: str = "") -> str | None:
    """What a reviewer sees of one side of a comparison ("12 rue des lilas 44000")."""
    parts = [values.get(f"{column}{suffix}") for column in comparison.compared]
    text = " ".join(str(part) for part in parts if part is not None and part == part)
    return text or None


def _swapped(left: str, right: str) -> bool:
    return (
        len(left) == len(right) == 10
        and left[:4] == right[:4]
        and (left[5:7] == right[8:10] and left[8:10] == right[5:7])
    )


_TESTS: dict[str, Callable[[str, str, Level], bool]] = {
    "exact": lambda a, b, level: a == b,
    "jaro_winkler": lambda a, b, level: jellyfish.jaro_winkler_similarity(a, b) >= level.threshold,
    "damerau": lambda a, b, level: jellyfish.damerau_levenshtein_distance(a, b) <= level.threshold,
    "levenshtein": lambda a, b, level: jellyfish.levenshtein_distance(a, b) <= level.threshold,
    "day_month_swapped": lambda a, b, level: _swapped(a, b),
}


def level_of(comparison: Comparison, left: dict[str, Any], right: dict[str, Any]) -> int:
    """The level index as Splink numbers it: -1 when a value is missing (or the level is
    neutral), then the weighed levels from "anything else" (0) up to the strongest."""
    if all(not left.get(c) or not right.get(c) for c in comparison.compared):
        return -1
    a, b = str(left.get(comparison.field) or ""), str(right.get(comparison.field) or "")
    value = len(comparison.weighed)
    for level in comparison.levels:
        if _agrees(level, comparison.field, a, b, left, right):
            return -1 if level.neutral else value
        if not level.neutral:
            value -= 1
    return 0


def _agrees(
    level: Level, field: str, a: str, b: str, left: dict[str, Any], right: dict[str, Any]
) -> bool:
    if level.kind in ("reversed", "crossed"):
        return _crossed(level, a, b, left.get(level.other), right.get(level.other))
    if level.kind == "initials":
        return a == right.get("given_initials") or left.get("given_initials") == b
    if level.kind in ADDRESS_LABELS:
        return _address_agrees(level.kind, left, right)
    return _TESTS[level.kind](a, b, level)


def _crossed(level: Level, a: str, b: str, other_a: Any, other_b: Any) -> bool:
    """Each side's name against the other side's other name: both ways for "reversed",
    either way for "crossed"; equal, or similar when the level has a threshold."""

    def alike(x: Any, y: Any) -> bool:
        if not x or not y:
            return False
        if not level.threshold:
            return bool(x == y)
        return jellyfish.jaro_winkler_similarity(str(x), str(y)) >= level.threshold

    if level.kind == "reversed":
        return alike(a, other_b) and alike(other_a, b)
    return alike(a, other_b) or alike(other_a, b)


def _same(left: dict[str, Any], right: dict[str, Any], column: str) -> bool:
    return bool(left.get(column)) and left.get(column) == right.get(column)


def _address_agrees(kind: str, left: dict[str, Any], right: dict[str, Any]) -> bool:
    place = _same(left, right, "postcode") or _same(left, right, "city")
    street_a, street_b = left.get("street") or "", right.get("street") or ""
    near_street = bool(street_a and street_b) and (
        jellyfish.jaro_winkler_similarity(street_a, street_b) >= 0.9
    )
    number_a, number_b = left.get("street_number") or "", right.get("street_number") or ""
    if kind == "same_address":
        return place and _same(left, right, "street") and _same(left, right, "street_number")
    if kind == "same_street_near_number":
        return (
            place
            and near_street
            and bool(number_a and number_b)
            and jellyfish.damerau_levenshtein_distance(number_a, number_b) <= 1
        )
    if kind == "same_street":
        return place and near_street
    if kind == "same_number_street_elsewhere":
        return near_street and _same(left, right, "street_number")
    if kind == "same_postcode":
        return _same(left, right, "postcode")
    city_a, city_b = left.get("city") or "", right.get("city") or ""
    return bool(city_a and city_b) and jellyfish.jaro_winkler_similarity(city_a, city_b) >= 0.88


# Splink ------------------------------------------------------------------------------


def splink_comparisons(*, fixed_priors: bool, address_model: str | None = None) -> list[Any]:
    """The comparisons as Splink objects; ``fixed_priors`` sets each level's m and u.

    Term-frequency adjustments need a base large enough for frequencies to mean
    something: with fixed priors (a small base) they are left out.
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    built_comparisons = []
    for comparison in comparisons(address_model):
        column = comparison.field
        null = cll.And(*[cll.NullLevel(c) for c in comparison.compared])
        levels: list[Any] = [null.configure(is_null_level=True)]
        for level in comparison.levels:
            built = _splink_level(column, level, fixed_priors=fixed_priors)
            if level.neutral:
                built = built.configure(is_null_level=True)
            elif fixed_priors:
                built = built.configure(m_probability=level.m_prior, u_probability=level.u_prior)
            levels.append(built)
        other: Any = cll.ElseLevel()
        if fixed_priors:
            other = other.configure(
                m_probability=comparison.else_m_prior, u_probability=comparison.else_u_prior
            )
        elif address_model == "one" and comparison in NAMES_AND_BIRTH:
            # Where neighbours and households abound, EM drifts towards "lives at the same
            # address" and learns that a different name or birth date hardly matters: how
            # rarely one human's records disagree outright on them is not left to it.
            other = other.configure(m_probability=comparison.else_m_prior, fix_m_probability=True)
        levels.append(other)
        built_comparisons.append(
            cl.CustomComparison(output_column_name=column, comparison_levels=levels)
        )
    return built_comparisons


def _splink_level(column: str, level: Level, *, fixed_priors: bool) -> Any:
    import splink.comparison_level_library as cll

    if level.kind == "exact":
        tf = level.tf and not fixed_priors
        return cll.ExactMatchLevel(column, term_frequency_adjustments=tf)
    if level.kind == "reversed" and not level.threshold:
        return cll.ColumnsReversedLevel(column, level.other, symmetrical=True)
    if level.kind in ("reversed", "crossed"):
        return _crossed_level(column, level)
    if level.kind == "initials":  # "jp" and "jean pierre", "j" and "jean": too rare to learn
        return cll.CustomLevel(
            f"({column}_l = given_initials_r OR given_initials_l = {column}_r)",
            label_for_charts=level.label(column),
        ).configure(m_probability=level.m_prior, fix_m_probability=True)
    if level.kind in ADDRESS_LABELS:
        return _splink_address_level(level)
    if level.kind == "jaro_winkler":
        return cll.JaroWinklerLevel(column, level.threshold)
    if level.kind == "damerau":
        return cll.DamerauLevenshteinLevel(column, int(level.threshold))
    if level.kind == "levenshtein":
        return cll.LevenshteinLevel(column, int(level.threshold))
    # Day and month swapped, same year: rare, so EM cannot learn its m.
    return cll.CustomLevel(
        f"substr({column}_l,1,4) = substr({column}_r,1,4) AND "
        f"substr({column}_l,6,2) = substr({column}_r,9,2) AND "
        f"substr({column}_l,9,2) = substr({column}_r,6,2)",
        label_for_charts=level.label(column),
    ).configure(m_probability=level.m_prior, fix_m_probability=True)


def _crossed_level(column: str, level: Level) -> Any:
    """Each name close to the other side's other name (both ways for "reversed", either
    way for "crossed"), written in whichever SQL dialect runs."""
    from splink.internals.column_expression import ColumnExpression
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

    class CrossedLevel(ComparisonLevelCreator):  # type: ignore[misc]
        def create_sql(self, sql_dialect: Any) -> str:
            this, other = ColumnExpression(column), ColumnExpression(level.other)
            this.sql_dialect = other.sql_dialect = sql_dialect
            jw = sql_dialect.jaro_winkler_function_name
            joint = " AND " if level.kind == "reversed" else " OR "
            return joint.join(
                f"{jw}({x}, {y}) >= {level.threshold}"
                for x, y in ((this.name_l, other.name_r), (other.name_l, this.name_r))
            )

        def create_label_for_charts(self) -> str:
            return level.label(column)

    return CrossedLevel()


def _splink_address_level(level: Level) -> Any:
    import splink.comparison_level_library as cll

    place = cll.Or(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("city"))
    near_street = cll.JaroWinklerLevel("street", 0.9)
    built: Any
    if level.kind == "same_address":
        built = cll.And(cll.ExactMatchLevel("street_number"), cll.ExactMatchLevel("street"), place)
    elif level.kind == "same_street_near_number":
        built = cll.And(cll.DamerauLevenshteinLevel("street_number", 1), near_street, place)
    elif level.kind == "same_street":
        built = cll.And(near_street, place)
    elif level.kind == "same_number_street_elsewhere":
        built = cll.And(cll.ExactMatchLevel("street_number"), near_street)
    elif level.kind == "same_postcode":
        built = cll.ExactMatchLevel("postcode")
    else:
        built = cll.JaroWinklerLevel("city", 0.88)
    return built.configure(label_for_charts=ADDRESS_LABELS[level.kind])


def prior_model(address_model: str | None = None) -> dict[str, Any]:
    """The model before any run: the priors' match weights, shaped like a trained one."""
    import math

    from django.conf import settings

    chosen = address_model or settings.DUPLICATES_ADDRESS
    if chosen == "auto":
        chosen = "one"
    fields = {}
    for comparison in comparisons(chosen):
        weights = [
            {
                "gamma": 0,
                "label": "else",
                "weight": math.log2(comparison.else_m_prior / comparison.else_u_prior),
            }
        ]
        for position, level in enumerate(reversed(comparison.weighed), start=1):
            weights.append(
                {
                    "gamma": position,
                    "label": level.label(comparison.field),
                    "weight": math.log2(level.m_prior / level.u_prior),
                }
            )
        fields[comparison.field] = weights
    return {"trained": False, "lambda": None, "address": chosen, "fields": fields}
