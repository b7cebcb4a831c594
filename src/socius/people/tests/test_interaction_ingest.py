from __future__ import annotations

import datetime as dt
import gc
from typing import Any

import pytest

from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people.models import Identifier, Interaction, Person
from socius.people.normalize import InvalidIdentifier
from socius.people.services import (
    IdentifierIn,
    InteractionIn,
    ingest_batch,
    interaction_ingest,
    interaction_ingest_batch,
    person_merge,
)
from socius.people.services.interactions import MAX_BATCH, MAX_PAYLOAD_BYTES

pytestmark = pytest.mark.django_db


def interaction(external_id: str, *identifiers: tuple[str, str], **extra: object) -> InteractionIn:
    return InteractionIn(
        source="shop",
        external_id=external_id,
        identifiers=[IdentifierIn(kind, value) for kind, value in identifiers],
        kind="purchase",
        **extra,  # type: ignore[arg-type]
    )


def test_a_refused_identifier_is_named_by_its_position() -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        interaction_ingest(
            data=interaction("o-1", ("email", "lea@example.org"), ("whatsapp", "not a number"))
        )

    assert raised.value.details == {"field": "identifiers[1].value", "kind": "whatsapp"}
    assert (Person.objects.count(), Identifier.objects.count(), Activity.objects.count()) == (
        0,
        0,
        0,
    )


def test_an_interaction_without_identifiers_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        interaction_ingest(data=interaction("o-1"))

    assert raised.value.details == {"field": "identifiers"}
    assert Interaction.objects.count() == 0


def test_an_oversized_payload_is_refused_before_anything_is_written() -> None:
    payload = {"notes": "x" * MAX_PAYLOAD_BYTES}

    with pytest.raises(InvalidInput) as raised:
        interaction_ingest(data=interaction("o-1", ("email", "lea@example.org"), payload=payload))

    assert raised.value.details == {"fields": {"payload": f"at most {MAX_PAYLOAD_BYTES} bytes"}}
    assert Person.objects.count() == 0


def test_a_replay_after_a_merge_answers_with_the_survivor() -> None:
    first = interaction_ingest(data=interaction("o-1", ("email", "lea@example.org")))
    survivor = interaction_ingest(data=interaction("o-2", ("phone", "0611223344"))).interaction
    person_merge(survivor=survivor.person, absorbed=first.interaction.person, reason="same human")

    again = interaction_ingest(data=interaction("o-1", ("email", "lea@example.org")))

    assert again.created is False
    assert again.interaction.pk == first.interaction.pk
    assert again.interaction.person_id == survivor.person_id
    assert Interaction.objects.count() == 2


def test_a_batch_larger_than_the_limit_writes_nothing() -> None:
    items = [interaction(f"o-{n}", ("email", f"p{n}@example.org")) for n in range(MAX_BATCH + 1)]

    with pytest.raises(InvalidInput) as raised:
        interaction_ingest_batch(items=items)

    assert raised.value.details == {"field": "items", "max": MAX_BATCH}
    assert Interaction.objects.count() == 0


def test_the_same_interaction_twice_in_one_batch_is_written_once() -> None:
    results = interaction_ingest_batch(
        items=[
            interaction("o-1", ("email", "lea@example.org")),
            interaction("o-1", ("email", "lea@example.org")),
        ]
    )

    assert [r.result.created for r in results if r.result] == [True, False]
    assert Interaction.objects.count() == 1
    assert Activity.objects.filter(verb="interaction.purchase").count() == 1


def test_a_batch_runs_with_the_cyclic_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real_run = ingest_batch._Batch.run

    def run(self: ingest_batch._Batch) -> Any:
        seen.append(gc.isenabled())
        return real_run(self)

    monkeypatch.setattr(ingest_batch._Batch, "run", run)
    interaction_ingest_batch(items=[interaction("o-1", ("email", "lea@example.org"))])
    assert seen == [False]
    assert gc.isenabled()
    assert Interaction.objects.count() == 1


def test_a_batch_finds_the_interactions_already_seen_from_each_source() -> None:
    first = [
        InteractionIn(
            source=source,
            external_id="o-1",
            identifiers=[IdentifierIn("email", f"{source}@example.org")],
            kind="purchase",
        )
        for source in ("shop", "crm")
    ]
    before = interaction_ingest_batch(items=first)
    again = [*first, interaction("o-2", ("email", "new@example.org"))]

    results = interaction_ingest_batch(items=again)

    assert [r.result.created for r in results if r.result] == [False, False, True]
    assert [r.result.interaction.pk for r in results[:2] if r.result] == [
        r.result.interaction.pk for r in before if r.result
    ]
    assert Interaction.objects.count() == 3


@pytest.mark.parametrize(
    "payload", [{"ratio": float("nan")}, {"at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)}]
)
def test_a_payload_that_is_not_json_is_refused_in_a_batch_as_alone(payload: dict) -> None:
    data = interaction("o-1", ("email", "lea@example.org"), payload=payload)
    problem = {"fields": {"payload": "JSON values only (no NaN or infinity)"}}

    with pytest.raises(InvalidInput) as raised:
        interaction_ingest(data=data)
    [result] = interaction_ingest_batch(items=[data])

    assert raised.value.details == problem
    assert result.error is not None
    assert result.error.details == problem
    assert (Person.objects.count(), Interaction.objects.count()) == (0, 0)
