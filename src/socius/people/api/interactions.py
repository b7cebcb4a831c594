"""Ingestion of interactions from other systems: POST /interactions and /interactions/batch."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import TokenAuth, api_user
from socius.people.models import Interaction
from socius.people.schemas_ingest import (
    InteractionBatchIn,
    InteractionBatchOut,
    InteractionIn,
    InteractionOut,
    interaction_parse,
)
from socius.people.services.interactions import (
    BatchItemResult,
    interaction_ingest,
    interaction_ingest_batch,
)

router = Router()


def _out(interaction: Interaction) -> dict[str, Any]:
    return {
        "person_id": interaction.person_id,
        "activity_id": interaction.activity_id,
        "resolution": interaction.resolution,
    }


@router.post(
    "/interactions",
    response={200: InteractionOut, 201: InteractionOut},
    auth=TokenAuth("people:write"),
    summary="Ingest one interaction (idempotent on source and external_id)",
)
def interaction_create(request: Any, data: InteractionIn) -> Status[dict[str, Any]]:
    result = interaction_ingest(data=data.to_data(), actor_id=api_user(request).pk)
    return Status(201 if result.created else 200, _out(result.interaction))


def _item_out(outcome: BatchItemResult, index: int) -> dict[str, Any]:
    if outcome.error is not None:
        return {"index": index, "status": 422, "error": outcome.error.as_dict()}
    assert outcome.result is not None
    status = 201 if outcome.result.created else 200
    return {"index": index, "status": status, **_out(outcome.result.interaction)}


def _shape_error(index: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    # The same error as a malformed body sent to POST /interactions.
    error = {"code": "invalid_input", "message": "The request is not valid.", "details": {}}
    return {"index": index, "status": 422, "error": {**error, "details": {"errors": errors}}}


@router.post(
    "/interactions/batch",
    response=InteractionBatchOut,
    auth=TokenAuth("people:write"),
    summary="Ingest up to 1000 interactions, each committed or refused alone",
)
def interaction_batch(request: Any, data: InteractionBatchIn) -> dict[str, Any]:
    parsed = [interaction_parse(item) for item in data.items]
    valid = [(index, item) for index, item in enumerate(parsed) if isinstance(item, InteractionIn)]
    outcomes = interaction_ingest_batch(
        items=[item.to_data() for _index, item in valid], actor_id=api_user(request).pk
    )
    results = {
        index: _shape_error(index, errors)
        for index, errors in enumerate(parsed)
        if isinstance(errors, list)
    }
    for (index, _item), outcome in zip(valid, outcomes, strict=True):
        results[index] = _item_out(outcome, index)
    return {"results": [results[index] for index in sorted(results)]}
