"""Scoring every candidate pair of persons with Splink, on DuckDB or on Spark.

The steps are Splink's own: candidate pairs from blocking rules (OR-ed, each pair once),
the prior probability that two random persons match (deterministic rules), u-probabilities
from random pairs, m-probabilities by expectation maximisation on three training blocks,
then prediction. On a base under ``DUPLICATES_EM_MIN_PERSONS`` nothing is estimated: the
priors of ``comparisons.py`` are used as they are.

Splink, DuckDB and pandas are imported here only, when a run starts: a web process never
pays for them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from socius.people.detection.comparisons import COMPARISONS, shown, splink_comparisons
from socius.people.detection.records import COLUMNS, PersonRecord

logger = logging.getLogger(__name__)

# Candidate pairs: a true pair survives when it agrees on any one of these. Chosen so that
# at least 99.8 % of the true pairs of both FEBRL sets reach scoring (bench/duplicates_febrl.py
# prints that recall); prefixes (three letters, four for streets) survive typos late in a word.
BLOCKING_RULES = (
    ("given_name", "family_name"),
    ("birth_date",),
    ("postcode", "street_number"),
    ("gn3", "fn3"),
    ("city", "street_number"),
    ("street", "street_number"),
    ("postcode", "street"),
    ("pc3", "street_number"),
    ("st4", "street_number"),
    ("city", "st4"),
    ("fn3", "st4"),
    ("postcode", "birth_year"),
    ("postcode", "fn3"),
    ("postcode", "gn3"),
    ("phone",),
    ("email_local",),
)
SWAPPED_NAMES_RULE = "l.gn3 = r.fn3 AND l.fn3 = r.gn3"

# Training: each block leaves the other comparisons free to be estimated.
EM_BLOCKS = (("given_name", "family_name"), ("birth_date",), ("postcode", "street_number"))
# The prior: pairs these rules call duplicates, assumed to be 70 % of all of them.
DETERMINISTIC_RULES = (
    ("given_name", "family_name", "birth_date"),
    ("family_name", "birth_date", "postcode"),
)
DETERMINISTIC_RECALL = 0.7
U_SAMPLE_PAIRS = 2_000_000


@dataclass(frozen=True)
class FieldEvidence:
    field: str
    gamma: int  # Splink's level index: 0 anything else, up to the strongest agreement
    weight: float  # log2 Bayes factor, term-frequency adjustment included
    left: str | None
    right: str | None


@dataclass(frozen=True)
class ScoredPair:
    left: int
    right: int
    probability: float
    match_weight: float
    fields: tuple[FieldEvidence, ...] = ()

    def evidence(self, *, run_id: int | None) -> dict[str, Any]:
        return {
            "method": "splink",
            "run": run_id,
            "match_weight": round(self.match_weight, 3),
            "fields": [
                {
                    "field": item.field,
                    "gamma": item.gamma,
                    "weight": round(item.weight, 3),
                    "left": item.left,
                    "right": item.right,
                }
                for item in self.fields
            ],
        }


@dataclass
class Scoring:
    pairs: list[ScoredPair]
    model: dict[str, Any] = field(default_factory=dict)


def frame(records: list[PersonRecord]) -> Any:
    """The persons as a pandas DataFrame, with the prefixes the blocking rules use."""
    import pandas as pd

    df = pd.DataFrame([record.as_row() for record in records], columns=list(COLUMNS))
    df["unique_id"] = df["unique_id"].astype("int64")
    df["gn3"] = df["given_name"].str[:3]
    df["fn3"] = df["family_name"].str[:3]
    df["pc3"] = df["postcode"].str[:3]
    df["st4"] = df["street"].str.replace(" ", "", regex=False).str[:4]
    df["birth_year"] = df["birth_date"].str[:4]
    return df.astype(object).where(df.notna(), None)


def _rules(rules: tuple[tuple[str, ...], ...]) -> list[Any]:
    from splink import block_on

    return [block_on(*columns) for columns in rules]


def settings_for(*, fixed_priors: bool, records: int) -> Any:
    from splink import SettingsCreator

    rules: list[Any] = [*_rules(BLOCKING_RULES), SWAPPED_NAMES_RULE]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=splink_comparisons(fixed_priors=fixed_priors),
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        # Without estimation, about one pair in ten records is a duplicate.
        probability_two_random_records_match=min(0.5, 0.1 / max(records, 1)),
        em_convergence=0.0001,
        max_iterations=25,
    )


@contextmanager
def database_api(backend: str) -> Iterator[Any]:
    if backend == "spark":
        from socius.people.detection.spark import spark_api

        with spark_api() as api:
            yield api
        return
    from splink import DuckDBAPI

    yield DuckDBAPI()  # in memory; the run's data never touches the disk


def score_persons(
    records: list[PersonRecord],
    *,
    threshold: float,
    backend: str = "duckdb",
    train: bool = True,
    on_stage: Callable[[], None] | None = None,
) -> Scoring:
    """Every candidate pair scoring at least ``threshold``, with per-field evidence."""
    if len(records) < 2:
        return Scoring(pairs=[], model=model_summary(None, trained=False))
    with database_api(backend) as api:
        return _score(api, records, threshold=threshold, train=train, on_stage=on_stage)


def _score(
    api: Any,
    records: list[PersonRecord],
    *,
    threshold: float,
    train: bool,
    on_stage: Callable[[], None] | None,
) -> Scoring:
    from splink import Linker

    table = api.register(frame(records), table_name="persons")
    settings = settings_for(fixed_priors=not train, records=len(records))
    linker = Linker(table, settings, log_level=logging.WARNING)
    if train:
        training = linker.training
        training.estimate_probability_two_random_records_match(
            _rules(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
        )
        training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=37)
        for block in EM_BLOCKS:
            training.estimate_parameters_using_expectation_maximisation(_rules((block,))[0])
    if on_stage:
        on_stage()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    rows = predictions.as_pandas_dataframe()
    return Scoring(pairs=_pairs(rows), model=model_summary(linker, trained=train))


def model_summary(linker: Any, *, trained: bool) -> dict[str, Any]:
    """The model as the check at ingestion needs it: the prior and, per field, the match
    weight of each level indexed like Splink's gamma (0 = anything else)."""
    if linker is None:
        from socius.people.detection.comparisons import prior_model

        return prior_model()
    saved = linker.misc.save_model_to_json()
    fields: dict[str, list[dict[str, Any]]] = {}
    for comparison in saved["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        weights = []
        for position, lvl in enumerate(reversed(levels)):  # "else" first, as gamma 0
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            weights.append(
                {
                    "gamma": position,
                    "label": lvl.get("label_for_charts", ""),
                    "weight": _log2_ratio(m, u),
                }
            )
        fields[comparison["output_column_name"]] = weights
    return {
        "trained": trained,
        "lambda": saved.get("probability_two_random_records_match"),
        "fields": fields,
    }


def _log2_ratio(m: float | None, u: float | None) -> float:
    if not m or not u:
        return 0.0  # a level never seen in training says nothing either way
    return math.log2(m / u)


def _pairs(rows: Any) -> list[ScoredPair]:
    pairs = []
    for row in rows.to_dict("records"):
        evidence = []
        for comparison in COMPARISONS:
            name = comparison.field
            gamma = int(row.get(f"gamma_{name}", -1))
            if gamma < 0:
                continue  # nothing to compare on one side: no evidence either way
            evidence.append(
                FieldEvidence(
                    field=name,
                    gamma=gamma,
                    weight=_weight(row, name),
                    left=shown(comparison, row, "_l"),
                    right=shown(comparison, row, "_r"),
                )
            )
        pairs.append(
            ScoredPair(
                left=int(row["unique_id_l"]),
                right=int(row["unique_id_r"]),
                probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                fields=tuple(evidence),
            )
        )
    return pairs


def _weight(row: dict[str, Any], name: str) -> float:
    """The field's match weight (log2 Bayes factor), its term-frequency adjustment included."""
    total = 0.0
    for column in (f"mw_{name}", f"mw_tf_adj_{name}"):
        value = row.get(column)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            total += float(value)
    return total
