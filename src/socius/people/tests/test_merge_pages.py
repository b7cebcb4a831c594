from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from socius.accounts.models import Department
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import DuplicateSuggestion, Identifier, IdentifierKind, Merge, Person
from socius.people.selectors.merges import reference_label
from socius.people.services import IdentifierIn, Profile, person_merge, person_resolve


def person(email: str, **profile: Any) -> Person:
    return person_resolve(
        identifiers=[IdentifierIn("email", email)], profile=Profile(**profile)
    ).person


def merge_url(survivor: Person | int, absorbed: Person | int) -> str:
    ids = [p.pk if isinstance(p, Person) else p for p in (survivor, absorbed)]
    return f"{reverse('people:merge')}?survivor={ids[0]}&absorbed={ids[1]}"


@pytest.fixture
def pair(cast: Cast) -> tuple[Person, Person]:
    survivor = person("lea@example.org", given_name="Léa", city="Paris")
    absorbed = person("lea.m@example.net", given_name="Léa", family_name="Moreau", city="Lyon")
    department = Department.objects.get(slug="marketing")
    with transaction.atomic():
        activity_append(
            ActivityDraft(
                verb="interaction.purchase", person_id=absorbed.pk, department_id=department.pk
            )
        )
    return survivor, absorbed


def state() -> list[tuple[Any, ...]]:
    return [
        *Person.objects.order_by("pk").values_list("pk", "merged_into_id", "city", "family_name"),
        *Identifier.objects.order_by("pk").values_list("pk", "person_id"),
        *Activity.objects.filter(verb="interaction.purchase").values_list("pk", "person_id"),
        *Merge.objects.values_list("pk", "undone_at"),
    ]


def test_the_merge_screen_shows_both_records_side_by_side(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    response = agent_client.get(merge_url(survivor, absorbed))

    assert response.status_code == 200
    sides = (response.context["survivor"], response.context["absorbed"])
    assert [side.person.pk for side in sides] == [survivor.pk, absorbed.pk]
    assert [[i.value for i in side.identifiers] for side in sides] == [
        ["lea@example.org"],
        ["lea.m@example.net"],
    ]
    assert [side.timeline_count for side in sides] == [1, 2]
    assert [side.departments for side in sides] == [[], ["Marketing"]]
    content = response.content.decode()
    assert 'data-testid="survivor-identifiers"' in content
    assert "lea.m@example.net" in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_a_radio_is_offered_per_differing_field_defaulting_to_the_survivor_unless_empty(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    response = agent_client.get(merge_url(survivor, absorbed))

    form = response.context["form"]
    assert sorted(form.fields) == ["city", "family_name"]
    assert form["city"].initial == "survivor"
    assert form["family_name"].initial == "absorbed"
    content = response.content.decode()
    assert 'name="city" value="survivor" id="id_city_0" required checked' in content
    assert 'name="family_name" value="absorbed" id="id_family_name_1" required checked' in content


def test_the_swap_button_exchanges_survivor_and_absorbed(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    response = agent_client.get(merge_url(survivor, absorbed))

    assert response.context["swap_url"] == merge_url(absorbed, survivor)
    assert (
        f'href="{merge_url(absorbed, survivor).replace("&", "&amp;")}"' in response.content.decode()
    )


def test_the_merge_screen_costs_a_fixed_number_of_queries(
    agent_client: Client, pair: tuple[Person, Person], django_assert_num_queries: Any
) -> None:
    survivor, absorbed = pair

    # session, user, two persons, employee check, identifiers, timeline counts, departments
    with django_assert_num_queries(8):
        agent_client.get(merge_url(survivor, absorbed))


def test_merging_keeps_the_chosen_values_and_leads_to_the_merge_record(
    cast: Cast, agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    response = agent_client.post(
        merge_url(survivor, absorbed), {"city": "absorbed", "family_name": "absorbed"}
    )

    record = Merge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:merge-detail", args=[record.pk])
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert (survivor.city, survivor.family_name) == ("Lyon", "Moreau")
    assert absorbed.merged_into_id == survivor.pk
    assert Identifier.objects.get(value="lea.m@example.net").person_id == survivor.pk
    assert (record.actor_id, record.reason) == (
        cast.agent.pk,
        "Merged by an employee on the merge screen.",
    )


def test_keeping_the_survivors_value_leaves_it(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    agent_client.post(
        merge_url(survivor, absorbed), {"city": "survivor", "family_name": "survivor"}
    )

    survivor.refresh_from_db()
    assert (survivor.city, survivor.family_name) == ("Paris", "")


def test_a_refused_merge_shows_a_form_error_and_changes_nothing(
    cast: Cast, agent_client: Client
) -> None:
    before = state()

    response = agent_client.post(merge_url(cast.agent.person_id, cast.colleague.person_id), {})  # type: ignore[arg-type]

    assert response.status_code == 409
    with override("fr"):
        expected = gettext("Two employees' records cannot be merged: each has its own account.")
    assert response.context["form"].non_field_errors() == [expected]
    assert 'data-testid="merge-errors"' in response.content.decode()
    assert 'data-testid="merge-submit"' not in response.content.decode()
    assert state() == before


def test_a_tombstone_gets_a_clear_error_and_no_merge_button(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    person_merge(survivor=survivor, absorbed=absorbed, reason="same human")
    third = person("third@example.org")
    before = state()

    shown = agent_client.get(merge_url(third, absorbed))
    posted = agent_client.post(merge_url(third, absorbed), {})

    assert (shown.status_code, posted.status_code) == (409, 409)
    assert shown.context["errors"] == posted.context["errors"]
    assert len(shown.context["errors"]) == 1
    assert f"#{absorbed.pk}" in shown.context["errors"][0]
    assert f"#{survivor.pk}" in shown.context["errors"][0]
    assert 'data-testid="merge-submit"' not in shown.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    "query", ["?survivor=1", "?survivor=x&absorbed=2", "?survivor=1&absorbed=999999"]
)
def test_unknown_or_missing_ids_are_not_found(agent_client: Client, query: str) -> None:
    response = agent_client.get(reverse("people:merge") + query)

    assert response.status_code == 404


def test_employees_who_may_not_edit_people_are_refused_everywhere(
    cast: Cast, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    record = person_merge(survivor=survivor, absorbed=absorbed, reason="x")
    suggestion_pair = (person("a@example.org"), person("b@example.org"))
    suggestion = DuplicateSuggestion.objects.create(
        person_a=suggestion_pair[0], person_b=suggestion_pair[1], reason="x"
    )
    client = signed_in_client(cast.colleague)
    before = state()

    responses = [
        client.get(merge_url(suggestion_pair[0], suggestion_pair[1])),
        client.post(merge_url(suggestion_pair[0], suggestion_pair[1]), {}),
        client.get(reverse("people:merge-detail", args=[record.pk])),
        client.post(reverse("people:merge-undo", args=[record.pk])),
        client.get(reverse("people:suggestion-list")),
        client.post(
            reverse("people:suggestion-decide", args=[suggestion.pk]), {"decision": "distinct"}
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 6
    assert state() == before
    assert DuplicateSuggestion.objects.get().status == "open"


def test_signed_out_visitors_are_sent_to_sign_in(pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair

    response = Client().get(merge_url(survivor, absorbed))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_form_needs_its_csrf_token(cast: Cast, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)
    before = state()

    response = client.post(merge_url(survivor, absorbed), {"city": "absorbed"})

    assert response.status_code == 403
    assert state() == before


def test_the_merge_record_lists_what_moved_and_offers_undo(
    cast: Cast, agent_client: Client, pair: tuple[Person, Person], django_assert_num_queries: Any
) -> None:
    survivor, absorbed = pair
    record = person_merge(
        survivor=survivor,
        absorbed=absorbed,
        reason="x",
        actor_id=cast.agent.pk,
        chosen={"city": "Lyon"},
    )
    url = reverse("people:merge-detail", args=[record.pk])

    # session, user, the merge with both persons and actors, identifiers, counts, departments
    with django_assert_num_queries(6):
        response = agent_client.get(url)

    assert response.status_code == 200
    with override("fr"):
        labels = {
            name: reference_label(name) for name in ("activities", "decisions", "identifiers")
        }
    assert response.context["moved"] == [
        (labels["activities"], 2),
        (labels["decisions"], 1),
        (labels["identifiers"], 1),
    ]
    assert [(before, after) for _label, before, after in response.context["changes"]] == [
        ("", "Moreau"),
        ("Paris", "Lyon"),
    ]
    content = response.content.decode()
    assert 'data-testid="merge-undo"' in content
    assert f'action="{reverse("people:merge-undo", args=[record.pk])}"' in content


def test_undo_restores_both_records_and_says_so(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    before = state()
    agent_client.post(
        merge_url(survivor, absorbed), {"city": "absorbed", "family_name": "absorbed"}
    )
    record = Merge.objects.get()

    response = agent_client.post(reverse("people:merge-undo", args=[record.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:merge-detail", args=[record.pk])
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success", "success"]
    assert state()[:-1] == before
    page = agent_client.get(response["Location"])
    assert 'data-testid="merge-undo"' not in page.content.decode()
    assert [[i.value for i in side.identifiers] for side, _testid in page.context["sides"]] == [
        ["lea@example.org"],
        ["lea.m@example.net"],
    ]


def test_undoing_twice_shows_an_error_and_changes_nothing(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    record = person_merge(survivor=survivor, absorbed=absorbed, reason="x")
    agent_client.post(reverse("people:merge-undo", args=[record.pk]), follow=True)
    before = state()

    response = agent_client.post(reverse("people:merge-undo", args=[record.pk]), follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert state() == before


def test_an_unknown_merge_record_is_not_found(agent_client: Client) -> None:
    assert agent_client.get(reverse("people:merge-detail", args=[4242])).status_code == 404
    assert agent_client.post(reverse("people:merge-undo", args=[4242])).status_code == 404


def test_undo_only_answers_post(agent_client: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    record = person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    response = agent_client.get(reverse("people:merge-undo", args=[record.pk]))

    assert response.status_code == 405
    assert Merge.objects.get().undone_at is None


# The duplicate queue


def suggested_pair(email: str, phone: str) -> DuplicateSuggestion:
    """Two records linked by a weak phone, as ingestion leaves them."""
    person_resolve(identifiers=[IdentifierIn("email", email)])
    person_resolve(identifiers=[IdentifierIn("phone", phone)])
    person_resolve(identifiers=[IdentifierIn("email", email), IdentifierIn("phone", phone)])
    return DuplicateSuggestion.objects.latest("pk")


def test_the_queue_lists_open_suggestions_newest_first_with_their_evidence(
    agent_client: Client,
) -> None:
    older = suggested_pair("lea@example.org", "0611223344")
    newer = suggested_pair("hugo@example.org", "0622334455")

    response = agent_client.get(reverse("people:suggestion-list"))

    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [row.suggestion.pk for row in rows] == [newer.pk, older.pk]
    with override("fr"):
        email, phone = str(IdentifierKind.EMAIL.label), str(IdentifierKind.PHONE.label)
    assert [(p.pk, kind, value) for p, kind, value in rows[1].linked_by] == [
        (older.person_a_id, email, "lea@example.org"),
        (older.person_b_id, phone, "+33611223344"),
    ]
    assert rows[1].in_common == []
    content = response.content.decode()
    compare = merge_url(older.person_a_id, older.person_b_id).replace("&", "&amp;")
    assert f'href="{compare}"' in content
    assert f'action="{reverse("people:suggestion-decide", args=[older.pk])}"' in content


def test_the_queue_shows_contradictions_and_identifiers_in_common(agent_client: Client) -> None:
    person_resolve(
        identifiers=[IdentifierIn("phone", "0145678910")], profile=Profile(given_name="Jean")
    )
    person_resolve(
        identifiers=[IdentifierIn("phone", "0145678910")], profile=Profile(given_name="Marie")
    )

    response = agent_client.get(reverse("people:suggestion-list"))

    (row,) = response.context["page"].rows
    assert [value for _kind, value in row.in_common] == ["+33145678910"]
    assert [(known, incoming) for _field, known, incoming in row.contradictions] == [
        ("Jean", "Marie")
    ]


def test_the_queue_hides_suggestions_about_records_no_longer_live(
    agent_client: Client,
) -> None:
    merged = suggested_pair("lea@example.org", "0611223344")
    erased = suggested_pair("hugo@example.org", "0622334455")
    live = suggested_pair("zoe@example.org", "0633445566")
    third = person("third@example.org")
    person_merge(survivor=third, absorbed=merged.person_b, reason="x")
    Person.objects.filter(pk=erased.person_a_id).update(erased_at=timezone.now())

    response = agent_client.get(reverse("people:suggestion-list"))

    assert [row.suggestion.pk for row in response.context["page"].rows] == [live.pk]


def test_the_queue_pages_by_25_at_a_fixed_query_cost(
    agent_client: Client, django_assert_num_queries: Any
) -> None:
    persons = Person.objects.bulk_create(Person(given_name=f"P{n}") for n in range(52))
    DuplicateSuggestion.objects.bulk_create(
        DuplicateSuggestion(person_a=persons[2 * n], person_b=persons[2 * n + 1], reason="x")
        for n in range(26)
    )
    url = reverse("people:suggestion-list")

    # session, user, one page of suggestions with both persons, their identifiers, the last
    # detection run, the count the bulk merge form offers
    with django_assert_num_queries(6):
        first = agent_client.get(url)
    second = agent_client.get(url, {"cursor": first.context["page"].next_cursor})

    assert len(first.context["page"].rows) == 25
    assert len(second.context["page"].rows) == 1
    assert second.context["page"].next_cursor is None
    everything = [
        row.suggestion.pk for row in first.context["page"].rows + second.context["page"].rows
    ]
    assert everything == list(
        DuplicateSuggestion.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )


def test_a_forged_cursor_is_refused(agent_client: Client) -> None:
    response = agent_client.get(reverse("people:suggestion-list"), {"cursor": "bm9wZQ"})

    assert response.status_code == 422


def test_not_the_same_person_is_remembered_and_never_suggested_again(
    cast: Cast, agent_client: Client
) -> None:
    suggestion = suggested_pair("lea@example.org", "0611223344")

    response = agent_client.post(
        reverse("people:suggestion-decide", args=[suggestion.pk]), {"decision": "distinct"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("people:suggestion-list")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by_id) == ("distinct", cast.agent.pk)
    again = person_resolve(
        identifiers=[IdentifierIn("email", "lea@example.org"), IdentifierIn("phone", "0611223344")]
    )
    assert again.suggestions == []
    assert DuplicateSuggestion.objects.count() == 1
    assert agent_client.get(reverse("people:suggestion-list")).context["page"].rows == []


def test_later_moves_the_suggestion_to_the_later_tab(agent_client: Client) -> None:
    suggestion = suggested_pair("lea@example.org", "0611223344")

    agent_client.post(
        reverse("people:suggestion-decide", args=[suggestion.pk]), {"decision": "later"}
    )

    suggestion.refresh_from_db()
    assert suggestion.status == "later"
    assert agent_client.get(reverse("people:suggestion-list")).context["page"].rows == []
    later = agent_client.get(reverse("people:suggestion-list"), {"status": "later"})
    assert [row.suggestion.pk for row in later.context["page"].rows] == [suggestion.pk]


def test_a_decision_the_queue_does_not_offer_is_refused(agent_client: Client) -> None:
    suggestion = suggested_pair("lea@example.org", "0611223344")

    for decision in ("merge", "maybe", ""):
        response = agent_client.post(
            reverse("people:suggestion-decide", args=[suggestion.pk]), {"decision": decision}
        )
        assert response.status_code == 422

    assert DuplicateSuggestion.objects.get().status == "open"
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_an_unknown_status_or_suggestion_is_not_found(agent_client: Client) -> None:
    assert (
        agent_client.get(reverse("people:suggestion-list"), {"status": "merged"}).status_code == 404
    )
    response = agent_client.post(
        reverse("people:suggestion-decide", args=[4242]), {"decision": "later"}
    )
    assert response.status_code == 404


def test_merging_from_the_queue_closes_the_suggestion(cast: Cast, agent_client: Client) -> None:
    suggestion = suggested_pair("lea@example.org", "0611223344")

    agent_client.post(merge_url(suggestion.person_a_id, suggestion.person_b_id), {})

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by_id) == ("merged", cast.agent.pk)
    assert agent_client.get(reverse("people:suggestion-list")).context["page"].rows == []


def test_a_choice_left_out_is_named_and_nothing_changes(
    agent_client: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    before = state()

    response = agent_client.post(merge_url(survivor, absorbed), {"city": "absorbed"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["family_name"]
    assert len(response.context["errors"]) == 1
    assert 'data-testid="merge-errors"' in response.content.decode()
    assert state() == before
