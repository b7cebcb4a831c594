"""Writes of the people context (re-exported so callers import ``socius.people.services``)."""

from socius.people.services.consent import consent_allows, consent_record, consent_states
from socius.people.services.interactions import (
    BatchItemResult,
    IngestResult,
    InteractionIn,
    interaction_ingest,
    interaction_ingest_batch,
)
from socius.people.services.merge import merge_undo, person_merge
from socius.people.services.resolve import live_person, person_resolve
from socius.people.services.suggestions import suggestion_record
from socius.people.services.types import (
    PROFILE_FIELDS,
    IdentifierIn,
    Profile,
    Resolution,
    ResolveContext,
)

__all__ = [
    "PROFILE_FIELDS",
    "BatchItemResult",
    "IdentifierIn",
    "IngestResult",
    "InteractionIn",
    "Profile",
    "Resolution",
    "ResolveContext",
    "consent_allows",
    "consent_record",
    "consent_states",
    "interaction_ingest",
    "interaction_ingest_batch",
    "live_person",
    "merge_undo",
    "person_merge",
    "person_resolve",
    "suggestion_record",
]
