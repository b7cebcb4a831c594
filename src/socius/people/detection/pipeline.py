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
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from socius.people.detection.comparisons import Comparison, comparisons, shown, splink_comparisons
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
    # "JP Lefevre" and "Jean-Pierre Lefèvre": initials share nothing else with the name.
    ("family_name", "gn1"),
)
SWAPPED_NAMES_RULE = "l.gn3 = r.fn3 AND l.fn3 = r.gn3"

# Training: each block leaves the other comparisons free to be estimated.
EM_BLOCKS = (("given_name", "family_name"), ("birth_date",), ("postcode", "street_number"))
# The prior: pairs these rules call duplicates, assumed to be 70 % of all of them. With
# the first two only, a base whose duplicates carry typos in several fields (FEBRL) had
# its prior underestimated by a third; the last two (a birth date missing, a family name
# mistyped) bring it within 10 % of the truth on both FEBRL sets.
DETERMINISTIC_RULES = (
    ("given_name", "family_name", "birth_date"),
    ("family_name", "birth_date", "postcode"),
    ("given_name", "family_name", "postcode"),
    ("given_name", "birth_date", "postcode"),
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


_STREET_TYPE = (
    r"^(?:(?:rue|avenue|boulevard|chemin|place|impasse|allee|route|quai|cours|square|"
    r"residence|lotissement|faubourg|passage|sentier|voie|hameau|lieu dit)\s+)?"
    r"(?:(?:de la|de l|des|du|de|d|la|le|les|l)\s+)?"
)


def frame(records: list[PersonRecord]) -> Any:
    """The persons as a pandas DataFrame, with the prefixes the blocking rules use."""
    import pandas as pd

    df = pd.DataFrame([record.as_row() for record in records], columns=list(COLUMNS))
    df["unique_id"] = df["unique_id"].astype("int64")
    df["gn1"] = df["given_name"].str[:1]
    df["gn3"] = df["given_name"].str[:3]
    df["fn3"] = df["family_name"].str[:3]
    df["pc3"] = df["postcode"].str[:3]
    # The street's own name, its type and particles left out: "rue de la Paix" -> "paix".
    # With them, every "rue d..." of a city would be one block.
    df["st4"] = (
        df["street"]
        .str.replace(_STREET_TYPE, "", regex=True)
        .str.replace(" ", "", regex=False)
        .str[:4]
    )
    df["birth_year"] = df["birth_date"].str[:4]
    return df.astype(object).where(df.notna(), None)


def _rules(rules: tuple[tuple[str, ...], ...]) -> list[Any]:
    from splink import block_on

    return [block_on(*columns) for columns in rules]


def settings_for(*, fixed_priors: bool, records: int, address: str) -> Any:
    from splink import SettingsCreator

    rules: list[Any] = [*_rules(BLOCKING_RULES), SWAPPED_NAMES_RULE]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=splink_comparisons(fixed_priors=fixed_priors, address_model=address),
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
    import duckdb
    from splink import DuckDBAPI

    # In memory; what DuckDB spills to disk under memory pressure goes to a folder of its
    # own, deleted with the run.
    with tempfile.TemporaryDirectory(prefix="socius-duckdb-") as folder:
        connection = duckdb.connect(":memory:")
        connection.execute("SET temp_directory = ?", [folder])
        try:
            yield DuckDBAPI(connection)
        finally:
            connection.close()


# Share of persons living with someone plainly else above which the base is one of
# households and neighbours (see ``address_model``). Measured: FEBRL 0.4 % to 0.9 %, the
# demo company 7.4 %.
SHARED_ADDRESS_LIMIT = 0.03


def address_model(chosen: str | None, *, trained: bool, records: list[PersonRecord]) -> str:
    """How a run compares addresses: "one" comparison or four "fields" (ADR 0006).

    "auto" looks at the base itself. Four fields separate best where address fields vary
    independently, but they add up one fact four times where several people live at one
    address: there, and whenever the model cannot be estimated, the address is one.
    """
    from django.conf import settings

    chosen = chosen or settings.DUPLICATES_ADDRESS
    if chosen != "auto":
        return chosen
    if not trained:
        return "one"
    return "one" if cohabitation_share(records) > SHARED_ADDRESS_LIMIT else "fields"


def cohabitation_share(records: list[PersonRecord]) -> float:
    """The share of persons with a full address (number, street, postcode) at which lives
    someone plainly else: another given name and a birth date more than two edits away.
    Duplicates share an address too, but not with a different given name and birth date."""
    import jellyfish

    homes: dict[tuple[str, str, str], list[PersonRecord]] = {}
    for record in records:
        if record.street_number and record.street and record.postcode and record.given_name:
            key = (record.street_number, record.street, record.postcode)
            homes.setdefault(key, []).append(record)
    addressed = sum(len(residents) for residents in homes.values())
    if not addressed:
        return 0.0

    def someone_else(a: PersonRecord, b: PersonRecord) -> bool:
        return (
            bool(a.birth_date and b.birth_date)
            and jellyfish.jaro_winkler_similarity(a.given_name or "", b.given_name or "") < 0.7
            and jellyfish.levenshtein_distance(a.birth_date or "", b.birth_date or "") > 2
        )

    cohabiting = 0
    for residents in homes.values():
        sample = residents[:50]  # a big building needs no more to be counted
        cohabiting += sum(1 for a in sample if any(someone_else(a, b) for b in sample))
    return cohabiting / addressed


def score_persons(
    records: list[PersonRecord],
    *,
    threshold: float,
    backend: str = "duckdb",
    train: bool = True,
    on_stage: Callable[[], None] | None = None,
    address: str | None = None,
) -> Scoring:
    """Every candidate pair scoring at least ``threshold``, with per-field evidence.

    ``address`` chooses how the address is compared ("one" or "fields"; by default
    ``SOCIUS_DUPLICATES_ADDRESS``, whose "auto" means four fields when the model is
    estimated and one with fixed priors).
    """
    address = address_model(address, trained=train, records=records)
    if len(records) < 2:
        return Scoring(pairs=[], model=model_summary(None, trained=False, address=address))
    with database_api(backend) as api:
        return _score(
            api, records, threshold=threshold, train=train, on_stage=on_stage, address=address
        )


def _score(
    api: Any,
    records: list[PersonRecord],
    *,
    threshold: float,
    train: bool,
    on_stage: Callable[[], None] | None,
    address: str,
) -> Scoring:
    from splink import Linker

    table = api.register(frame(records), table_name="persons")
    settings = settings_for(fixed_priors=not train, records=len(records), address=address)
    linker = Linker(table, settings, log_level=logging.WARNING)
    if train:
        training = linker.training
        training.estimate_probability_two_random_records_match(
            _rules(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
        )
        training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=37)
        for block in EM_BLOCKS:
            try:
                training.estimate_parameters_using_expectation_maximisation(_rules((block,))[0])
            except ValueError:
                # EM can drive a level's m to an underflow on a base where the block
                # leaves almost no variation: that block teaches nothing, the others
                # (and the priors) still hold.
                logger.warning("EM on the block %s did not converge; skipped", block)
        linker = Linker(table, without_matches_in_u(linker), log_level=logging.WARNING)
    if on_stage:
        on_stage()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    rows = predictions.as_pandas_dataframe()
    return Scoring(
        pairs=_pairs(rows, comparisons(address)),
        model=model_summary(linker, trained=train, address=address),
    )


def without_matches_in_u(linker: Any) -> dict[str, Any]:
    """The trained model with its u-probabilities freed of the true matches they count.

    Splink estimates u (how often two strangers agree at a level) from random pairs, which
    include true duplicates in the proportion lambda; each level's observed share is
    lambda * m + (1 - lambda) * u. Where duplicates are common and strangers almost never
    agree (a full address, a birth date) the duplicates dominate that share and cap the
    level's weight near log2(1 / lambda), whatever the evidence. Solving for u removes that
    cap; a level no stranger reached keeps the weight of one pair in the sample.
    """
    model: dict[str, Any] = linker.misc.save_model_to_json()
    share = float(model["probability_two_random_records_match"])
    floor = 1.0 / U_SAMPLE_PAIRS
    for comparison in model["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
            and level.get("u_probability") is not None
            and level.get("m_probability") is not None
        ]
        for level in levels:
            observed, m = float(level["u_probability"]), float(level["m_probability"])
            level["u_probability"] = max(floor, (observed - share * m) / (1 - share))
        total = sum(level["u_probability"] for level in levels)
        for level in levels:
            level["u_probability"] /= total
    return model


def model_summary(linker: Any, *, trained: bool, address: str) -> dict[str, Any]:
    """The model as the check at ingestion needs it: the prior and, per field, the match
    weight of each level indexed like Splink's gamma (0 = anything else)."""
    if linker is None:
        from socius.people.detection.comparisons import prior_model

        return prior_model(address)
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
        "address": address,
        "fields": fields,
    }


def _log2_ratio(m: float | None, u: float | None) -> float:
    if not m or not u:
        return 0.0  # a level never seen in training says nothing either way
    return math.log2(m / u)


def _pairs(rows: Any, compared: tuple[Comparison, ...]) -> list[ScoredPair]:
    pairs = []
    for row in rows.to_dict("records"):
        evidence = []
        for comparison in compared:
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
