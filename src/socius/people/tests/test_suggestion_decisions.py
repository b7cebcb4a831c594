from __future__ import annotations

import pytest

from socius.conftest import Cast
from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people.models import DuplicateSuggestion, Merge, Person
from socius.people.services import IdentifierIn, merge_undo, person_resolve
from socius.people.services.suggestion_decisions import (
    SuggestionAlreadyDecided,
    suggestion_decide,
)


def suggested_pair() -> DuplicateSuggestion:
    person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")])
    person_resolve(identifiers=[IdentifierIn("phone", "0611223344")])
    person_resolve(
        identifiers=[IdentifierIn("email", "lea@example.org"), IdentifierIn("phone", "0611223344")]
    )
    return DuplicateSuggestion.objects.get()


def decisions_logged(verb: str) -> list[tuple[int | None, int | None, dict[str, object]]]:
    return list(
        Activity.objects.filter(verb=verb)
        .order_by("pk")
        .values_list("actor_id", "person_id", "payload")
    )


def test_merge_merges_the_newer_record_into_the_older_and_closes_the_suggestion(
    cast: Cast,
) -> None:
    suggestion = suggested_pair()

    decided = suggestion_decide(suggestion=suggestion, decision="merge", actor=cast.agent)

    assert (decided.status, decided.decided_by_id) == ("merged", cast.agent.pk)
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id, merge.actor_id) == (
        suggestion.person_a_id,
        suggestion.person_b_id,
        cast.agent.pk,
    )
    assert Person.objects.get(pk=suggestion.person_b_id).merged_into_id == suggestion.person_a_id
    a, b = suggestion.person_a_id, suggestion.person_b_id
    assert decisions_logged("person.duplicate_merge") == [
        (cast.agent.pk, a, {"suggestion": suggestion.pk, "decision": "merge", "other": b}),
        (cast.agent.pk, b, {"suggestion": suggestion.pk, "decision": "merge", "other": a}),
    ]


def test_undoing_that_merge_reopens_the_suggestion(cast: Cast) -> None:
    suggestion = suggested_pair()
    suggestion_decide(suggestion=suggestion, decision="merge", actor=cast.agent)

    merge_undo(merge=Merge.objects.get(), actor_id=cast.agent.pk)

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_at, suggestion.decided_by_id) == (
        "open",
        None,
        None,
    )


def test_distinct_is_remembered_and_logged_on_both_timelines(cast: Cast) -> None:
    suggestion = suggested_pair()

    decided = suggestion_decide(suggestion=suggestion, decision="distinct", actor=cast.agent)

    assert (decided.status, decided.decided_by_id) == ("distinct", cast.agent.pk)
    assert decided.decided_at is not None
    assert [
        person for _actor, person, _payload in decisions_logged("person.duplicate_distinct")
    ] == [
        suggestion.person_a_id,
        suggestion.person_b_id,
    ]
    assert Merge.objects.count() == 0
    person_resolve(
        identifiers=[IdentifierIn("email", "lea@example.org"), IdentifierIn("phone", "0611223344")]
    )
    assert DuplicateSuggestion.objects.get().status == "distinct"


def test_later_can_still_be_decided_for_good(cast: Cast) -> None:
    suggestion = suggested_pair()

    later = suggestion_decide(suggestion=suggestion, decision="later", actor=cast.agent)
    final = suggestion_decide(suggestion=suggestion, decision="distinct", actor=cast.agent)

    assert (later.status, final.status) == ("later", "distinct")
    assert len(decisions_logged("person.duplicate_later")) == 2


def test_a_decided_suggestion_cannot_be_decided_again(cast: Cast) -> None:
    suggestion = suggested_pair()
    suggestion_decide(suggestion=suggestion, decision="distinct", actor=cast.agent)
    activities = Activity.objects.count()

    with pytest.raises(SuggestionAlreadyDecided) as raised:
        suggestion_decide(suggestion=suggestion, decision="merge", actor=cast.colleague)

    assert raised.value.details == {"suggestion": suggestion.pk, "status": "distinct"}
    assert DuplicateSuggestion.objects.get().decided_by_id == cast.agent.pk
    assert (Merge.objects.count(), Activity.objects.count()) == (0, activities)


def test_an_unknown_decision_is_refused(cast: Cast) -> None:
    suggestion = suggested_pair()

    with pytest.raises(InvalidInput) as raised:
        suggestion_decide(suggestion=suggestion, decision="maybe", actor=cast.agent)

    assert raised.value.details == {"field": "decision", "allowed": ["merge", "distinct", "later"]}
    assert DuplicateSuggestion.objects.get().status == "open"
