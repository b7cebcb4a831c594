"""The gate scanner for staff: pick a gate, then scan with the phone's camera or type the
code. The page's script calls the JSON endpoints below with the session and the CSRF
header; when the network fails it judges codes itself (signature with the public key, the
revoked list, its own scan log) and uploads the queued scans later through ``sync``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from socius.accounts.roles import Capability
from socius.commerce.api.checkin import SYNC_BATCH_MAX, OfflineScanIn, scan_out, synced_out
from socius.commerce.checkin.services import (
    GateNotFound,
    NonceReused,
    checkin,
    gate_get,
    revoked_since,
)
from socius.commerce.models import Gate
from socius.commerce.tickets.keys import current_kid, public_keys
from socius.core.http import AuthenticatedHttpRequest


def _require(request: AuthenticatedHttpRequest) -> None:
    if not request.user.can(Capability.CHECK_IN_TICKETS):
        raise PermissionDenied


def _json(request: AuthenticatedHttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _refused(status: int, code: str) -> JsonResponse:
    return JsonResponse({"code": code}, status=status)


def _fresh(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def gate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    gates = Gate.objects.select_related("offer").order_by("offer__event_date", "name")
    return render(request, "commerce/gate/list.html", {"gates": gates})


@login_required
@require_GET
def gate_scanner(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require(request)
    gate = gate_get(slug)
    return _fresh(render(request, "commerce/gate/scanner.html", {"gate": gate}))


@login_required
@require_POST
def gate_scan(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require(request)
    data = _json(request)
    code = data.get("code") if isinstance(data, dict) else None
    nonce = data.get("nonce") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code or len(code) > 400:
        return _refused(422, "invalid_input")
    if nonce is not None and (not isinstance(nonce, str) or len(nonce) > 64):
        return _refused(422, "invalid_input")
    try:
        outcome = checkin(code=code, gate_slug=slug, nonce=nonce, user=request.user)
    except GateNotFound:
        return _refused(404, GateNotFound.code)
    except NonceReused:
        return _refused(409, NonceReused.code)
    return JsonResponse(scan_out(outcome, nonce))


@login_required
@require_POST
def gate_sync(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require(request)
    gate = gate_get(slug)
    data = _json(request)
    raw = data.get("scans") if isinstance(data, dict) else None
    if not isinstance(raw, list) or len(raw) > SYNC_BATCH_MAX:
        return _refused(422, "invalid_input")
    try:
        scans = [OfflineScanIn.model_validate({**item, "gate": gate.slug}) for item in raw]
    except (ValidationError, TypeError):
        return _refused(422, "invalid_input")
    ordered = sorted(scans, key=lambda scan: scan.scanned_at)
    results = [synced_out(scan, request.user) for scan in ordered]
    return JsonResponse({"results": results})


@login_required
@require_GET
def gate_offline_data(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """What the page needs to judge codes alone: the keys and the revoked tickets."""
    _require(request)
    gate = gate_get(slug)
    data = {
        "gate": gate.slug,
        "offer": gate.offer_id,
        "current": current_kid(),
        "keys": public_keys(),
        "revoked": revoked_since(offer_id=gate.offer_id),
    }
    return _fresh(JsonResponse(data))
