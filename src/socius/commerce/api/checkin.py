"""Check-in for scanners (scope ``commerce:checkin``): one scan, an offline batch, and what
an offline scanner needs to judge alone (the public keys, the revoked tickets).

A refused ticket is an answer, not an error: every scan answers 200 with its ``result``;
only an unknown gate (404) or a malformed request (422) is an error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from socius.accounts.api_auth import TokenAuth, api_user
from socius.commerce.checkin.services import (
    CheckInOutcome,
    NonceReused,
    checkin,
    gate_get,
    revoked_since,
)
from socius.commerce.tickets.keys import current_kid, public_keys
from socius.core.errors import InvalidInput

CHECKIN = TokenAuth("commerce:checkin")
SYNC_BATCH_MAX = 500

router = Router(tags=["commerce"])


class ScanIn(Schema):
    code: str = Field(max_length=400)
    gate: str = Field(max_length=60)
    nonce: str | None = Field(default=None, max_length=64)
    scanned_at: dt.datetime | None = None


class OfflineScanIn(Schema):
    code: str = Field(max_length=400)
    gate: str = Field(max_length=60)
    nonce: str = Field(min_length=8, max_length=64)
    scanned_at: dt.datetime


class ScanOut(Schema):
    result: str
    ticket: str | None = None
    seat: int | None = None
    display_name: str | None = None
    nonce: str | None = None
    replayed: bool = False


class SyncOut(Schema):
    results: list[ScanOut]


class KeysOut(Schema):
    current: str
    keys: dict[str, str]


class RevokedQuery(Schema):
    offer: int
    since: dt.datetime | None = None


class RevokedOut(Schema):
    offer: int
    revoked: list[str]


def scan_out(outcome: CheckInOutcome, nonce: str | None = None) -> dict[str, Any]:
    """The answer of a scan; the holder's name and seat only for a ticket let in, which
    the agent checks against the person in front of them."""
    answer: dict[str, Any] = {
        "result": outcome.result,
        "nonce": nonce,
        "replayed": outcome.replayed,
    }
    if outcome.ticket is not None:
        answer["ticket"] = str(outcome.ticket.tid)
        if outcome.admitted:
            answer |= {"seat": outcome.seat, "display_name": outcome.holder_name}
    return answer


@router.post("/checkin", response=ScanOut, auth=CHECKIN)
def checkin_scan(request: Any, data: ScanIn) -> dict[str, Any]:
    """Check one scanned code in at a gate."""
    outcome = checkin(
        code=data.code,
        gate_slug=data.gate,
        nonce=data.nonce,
        scanned_at=data.scanned_at,
        user=api_user(request),
    )
    return scan_out(outcome, data.nonce)


@router.post("/checkin/sync", response=SyncOut, auth=CHECKIN)
def checkin_sync(request: Any, scans: list[OfflineScanIn]) -> dict[str, Any]:
    """Upload scans made offline, oldest first; a nonce already uploaded answers its first
    outcome, so a batch sent twice counts once."""
    if len(scans) > SYNC_BATCH_MAX:
        raise InvalidInput(details={"max_scans": SYNC_BATCH_MAX})
    user = api_user(request)
    for gate in {scan.gate for scan in scans}:
        gate_get(gate)  # an unknown gate refuses the batch before anything is recorded
    results = [synced_out(scan, user) for scan in sorted(scans, key=lambda scan: scan.scanned_at)]
    return {"results": results}


def synced_out(scan: OfflineScanIn, user: Any) -> dict[str, Any]:
    try:
        outcome = checkin(
            code=scan.code,
            gate_slug=scan.gate,
            nonce=scan.nonce,
            scanned_at=scan.scanned_at,
            offline=True,
            user=user,
        )
    except NonceReused:
        # One bad entry of a scanner's queue must not hold back the others.
        return {"result": NonceReused.code, "nonce": scan.nonce, "replayed": False}
    return scan_out(outcome, scan.nonce)


@router.get("/checkin/keys", response=KeysOut, auth=CHECKIN)
def checkin_keys(request: Any) -> dict[str, Any]:
    """The public keys that verify ticket codes (raw Ed25519, base64), by key id."""
    return {"current": current_kid(), "keys": public_keys()}


@router.get("/checkin/revoked", response=RevokedOut, auth=CHECKIN)
def checkin_revoked(request: Any, query: Query[RevokedQuery]) -> dict[str, Any]:
    """Revoked ticket ids of an offer (since a moment, for an incremental refresh)."""
    return {"offer": query.offer, "revoked": revoked_since(offer_id=query.offer, since=query.since)}
