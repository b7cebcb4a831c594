"""Erasure of a person's data (GDPR art. 17), logged so that it survives a backup restore."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from socius.core.errors import DomainError, InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.services import activity_scrub_about as scrub_about
from socius.core.services import activity_scrub_person as scrub_timeline
from socius.people.errors import ErasureRefused, PersonErased
from socius.people.exporters import person_erasers
from socius.people.models import (
    ConsentEntry,
    DuplicateSuggestion,
    Erasure,
    Identifier,
    Merge,
    Person,
    PersonComment,
    PersonPost,
    PrivacyRequest,
    Relation,
    ResolutionDecision,
)
from socius.people.selectors.privacy import merged_record_ids

if TYPE_CHECKING:
    from socius.accounts.models import User

logger = logging.getLogger(__name__)

ERASED_TEXT = "[erased]"
ERASED_JSON: dict[str, Any] = {"erased": True}
MAX_REASON = 300

# The models an erasure handles itself, and how; contexts' erasers declare theirs.
ERASED_MODELS = {
    "people.Person": "profile blanked, erased_at set; the row stays so foreign keys hold",
    "people.Identifier": "deleted",
    "people.Relation": "deleted, both directions; entries about them scrubbed on both timelines",
    "core.Activity": "summary and payload scrubbed; verb, time, channel, department kept",
    "people.PersonPost": "body replaced, and the bodies of its comments",
    "people.ConsentEntry": "kept as proof of consent and withdrawal; evidence blanked",
    "people.Interaction": "kept: source and external id are the other system's ids",
    "people.ResolutionDecision": "evidence scrubbed",
    "people.DuplicateSuggestion": "evidence scrubbed",
    "people.Merge": "profile values and reason scrubbed; moved row ids kept",
    "people.PrivacyRequest": "message blanked; pending erasure requests closed",
    "people.Erasure": "kept: the proof that the erasure happened",
    "accounts.User": "refused: an employee's account is closed by an administrator",
}


def _lock(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


def _check_erasable(person: Person, ids: list[int]) -> None:
    if person.erased_at is not None:
        raise PersonErased(details={"person_id": person.pk})
    if person.merged_into_id is not None:
        # The same human lives on in the survivor: erase that record, which covers this one.
        raise ErasureRefused(
            details={"reason": "merged", "person_id": person.pk,
                     "survivor_id": person.merged_into_id}
        )  # fmt: skip
    if Person.objects.filter(pk__in=ids, user__isnull=False).exists():
        raise ErasureRefused(details={"reason": "employee", "person_id": person.pk})


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(details={"field": "reason"})
    return reason[:MAX_REASON]


def _scrub_foreign_evidence(ids: list[int]) -> int:
    """Decisions about *other* persons list this person as a candidate, with identifiers."""
    pairs = DuplicateSuggestion.objects.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    partners = {pk for pair in pairs.values_list("person_a_id", "person_b_id") for pk in pair}
    partners -= set(ids)
    erased_keys = {str(pk) for pk in ids}
    erased_values = {
        f"{kind}:{value}"
        for kind, value in Identifier.objects.filter(person_id__in=ids).values_list("kind", "value")
    }
    # Merges leave no suggestion behind: their partners count too, and so does any decision
    # that lists one of these ids among its candidates.
    for survivor_id, absorbed_id in Merge.objects.filter(
        Q(survivor_id__in=ids) | Q(absorbed_id__in=ids)
    ).values_list("survivor_id", "absorbed_id"):
        partners |= {survivor_id, absorbed_id}
    listed = Q()
    for key in erased_keys:
        listed |= Q(evidence__candidates__has_key=key)
    partners -= set(ids)
    changed = 0
    decisions = ResolutionDecision.objects.filter(Q(person_id__in=partners) | listed).exclude(
        person_id__in=ids
    )
    for decision in decisions.order_by("pk"):
        evidence = dict(decision.evidence or {})
        candidates = evidence.get("candidates") or {}
        if not erased_keys & set(candidates):
            continue
        evidence["candidates"] = {k: v for k, v in candidates.items() if k not in erased_keys}
        own = {
            f"{kind}:{value}"
            for kind, value in Identifier.objects.filter(person_id=decision.person_id).values_list(
                "kind", "value"
            )
        }
        evidence["identifiers"] = [
            key for key in evidence.get("identifiers", []) if key not in erased_values or key in own
        ]
        ResolutionDecision.objects.filter(pk=decision.pk).update(evidence=evidence)
        changed += 1
    pairs.update(evidence=ERASED_JSON)
    return changed


def _scrub_people_rows(ids: list[int], actor_id: int | None, now: dt.datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    counts["foreign_decisions"] = _scrub_foreign_evidence(ids)
    counts["identifiers"] = Identifier.objects.filter(person_id__in=ids).delete()[0]
    relations = Relation.objects.filter(Q(person_id__in=ids) | Q(other_id__in=ids))
    # The other person's timeline names this one in the entry about their relation.
    counts["relation_entries"] = scrub_about(
        object_type=Relation._meta.label_lower,
        object_ids=list(relations.values_list("pk", flat=True)),
    )
    counts["relations"] = relations.delete()[0]
    posts = PersonPost.objects.filter(person_id__in=ids)
    counts["comments"] = PersonComment.objects.filter(post__in=posts).update(body=ERASED_TEXT)
    counts["posts"] = posts.update(body=ERASED_TEXT)
    counts["consents"] = ConsentEntry.objects.filter(person_id__in=ids).update(evidence="")
    counts["decisions"] = ResolutionDecision.objects.filter(person_id__in=ids).update(
        evidence=ERASED_JSON
    )
    counts["merges"] = Merge.objects.filter(Q(survivor_id__in=ids) | Q(absorbed_id__in=ids)).update(
        survivor_before={}, reason=ERASED_TEXT
    )
    requests = PrivacyRequest.objects.filter(person_id__in=ids)
    requests.filter(kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.PENDING).update(
        status=PrivacyRequest.Status.DONE, handled_at=now, handled_by_id=actor_id
    )
    counts["privacy_requests"] = requests.update(message="")
    for pk in ids:
        counts["activities"] += scrub_timeline(person_id=pk)
    counts["records"] = Person.objects.filter(pk__in=ids).update(
        given_name="",
        family_name="",
        birth_date=None,
        address="",
        postcode="",
        city="",
        locale="",
        search_name="",
        last_own_contact_at=None,
        erased_at=now,
        updated_at=now,
    )
    return counts


@dataclass(frozen=True)
class ErasureLogLine:
    erasure_id: int
    person_id: int
    erased_at: str

    def as_json(self) -> str:
        return json.dumps(
            {"erasure_id": self.erasure_id, "person_id": self.person_id,
             "erased_at": self.erased_at},
            separators=(",", ":"),
        )  # fmt: skip


def erasure_log_path() -> Path:
    return Path(settings.ERASURE_LOG_PATH)


def _append_to_log(line: ErasureLogLine) -> None:
    path = erasure_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One write on an O_APPEND descriptor: concurrent processes never interleave lines.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (line.as_json() + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        # The erasure is committed and recorded in the database; only a restore of an
        # older backup would miss it. Operators must hear about it loudly.
        logger.exception("Erasure %s could not be appended to %s", line.erasure_id, path)


def _erase(person: Person, *, actor_id: int | None, reason: str, log: bool) -> Erasure:
    reason = _clean_reason(reason)
    person = _lock(person)
    ids = merged_record_ids(person=person)
    _check_erasable(person, ids)
    counts: Counter[str] = Counter()
    # Other contexts first, while identifiers they may key on (emails) are still there.
    records = list(Person.objects.filter(pk__in=ids).order_by("pk"))
    for eraser in person_erasers():
        for record in records:
            counts[f"context:{eraser.name}"] += eraser.erase(record)
    erasure = Erasure.objects.create(person_id=person.pk, actor_id=actor_id, reason=reason)
    counts.update(_scrub_people_rows(ids, actor_id, erasure.erased_at))
    activity_append(
        ActivityDraft(
            verb="person.erased",
            actor_id=actor_id,
            person_id=person.pk,
            about=ActivityObject.of(erasure),
            summary=gettext_noop("The person's data was erased."),
            payload={"erasure": erasure.pk, "records": ids, "counts": dict(sorted(counts.items()))},
        )
    )
    if log:
        line = ErasureLogLine(erasure.pk, person.pk, erasure.erased_at.isoformat())
        transaction.on_commit(lambda: _append_to_log(line))
    return erasure


@transaction.atomic
def person_erase(*, person: Person, actor: User | None, reason: str) -> Erasure:
    """Erase the person's data everywhere, in one transaction; the person row stays.

    What goes: identifiers (deleted), profile fields and the search name (blanked), the
    summaries and payloads of their timeline (scrubbed), the bodies of the internal
    discussion about them, the evidence of their consents, decisions and suggestions,
    their relations, the profile values recorded by merges, the messages of their
    requests, and whatever each context's registered eraser removes.

    What stays, and why:
    - the person row, with ``erased_at``: foreign keys of kept rows hold, and the id
      says "someone was here" without saying who;
    - the consent ledger's entries (purpose, state, source, time): the proof of consent
      and of its withdrawal is a legal obligation (GDPR art. 7(1)); only the evidence,
      which may quote the person, is blanked;
    - interactions' (source, external id): they are the other systems' ids, needed so
      that a replayed message is recognised and not ingested again as a new person;
    - timeline entries' verb, time, channel and department, for the company's figures;
    - the ``Erasure`` row, its reason and actor: the proof that the right was honoured.

    The records merged into the person (their tombstones) are the same human and are
    erased with them. Employees (persons with a login) are refused. After commit, the
    erasure is appended to the erasure log (ids and time only) for replay after a restore.
    """
    return _erase(person, actor_id=actor.pk if actor else None, reason=reason, log=True)


@dataclass
class ReplayReport:
    applied: list[int] = field(default_factory=list)
    already_erased: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    invalid_lines: int = 0
    dry_run: bool = False


def _read_log(path: Path, report: ReplayReport) -> list[ErasureLogLine]:
    lines: list[ErasureLogLine] = []
    if not path.exists():
        return lines
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            lines.append(
                ErasureLogLine(int(item["erasure_id"]), int(item["person_id"]), item["erased_at"])
            )
        except (ValueError, KeyError, TypeError):
            report.invalid_lines += 1
    return lines


def _replay_one(line: ErasureLogLine, report: ReplayReport) -> None:
    person = Person.objects.filter(pk=line.person_id).first()
    if person is None:
        report.unknown.append(line.person_id)  # created after the backup: nothing to erase
        return
    if person.erased_at is not None:
        report.already_erased.append(line.person_id)
        return
    if report.dry_run:
        report.applied.append(line.person_id)
        return
    try:
        with transaction.atomic():
            # Not logged again: the line being replayed is already in the log.
            _erase(
                person,
                actor_id=None,
                reason=f"Replay of erasure {line.erasure_id} of {line.erased_at} after a restore",
                log=False,
            )
    except DomainError as error:
        report.refused[line.person_id] = error.code
    else:
        report.applied.append(line.person_id)


def erasures_replay(*, dry_run: bool = False, path: Path | None = None) -> ReplayReport:
    """Erase again every logged person the database does not show as erased (idempotent).

    Run it after restoring a backup: erasures made since the backup are in the log, which
    lives outside the database.
    """
    report = ReplayReport(dry_run=dry_run)
    seen: set[int] = set()
    for line in _read_log(path or erasure_log_path(), report):
        if line.person_id in seen:
            continue
        seen.add(line.person_id)
        _replay_one(line, report)
    return report
