from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from socius.conftest import Cast, make_employee, signed_in_client
from socius.core import views as core_views
from socius.core.live import LiveEvent, MemoryBroker, channel_allowed
from socius.core.models import Activity
from socius.people import panels
from socius.people.models import ConsentEntry, Person, Relation
from socius.people.selectors.card import person_relations
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_comment_create, person_post_create
from socius.people.services.merge import merge_undo, person_merge
from socius.people.services.privacy_erase import person_erase
from socius.people.services.relations import relation_add
from socius.people.tests.person_hub_builders import START, append_entries, department
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_of(person: Person) -> str:
    return f"/people/{person.pk}/"


def entry_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="activity-(\d+)"', html)]


def strip_order(html: str) -> list[str]:
    return re.findall(r'class="value-chain__step[^"]*" data-department="([^"]+)"', html)


def strip_counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-department="([^"]+)" data-count="(\d+)"', html)
    return {slug: int(count) for slug, count in found}


def test_it_shows_the_identity_every_identifier_and_the_departments_in_order(
    cast: Cast, agent_client: Client
) -> None:
    shop = department("billetterie", "Billetterie")
    care = department("service-client", "Service client")
    append_entries(cast.customer, 2, department_id=care.pk, start=START + dt.timedelta(days=3))
    append_entries(cast.customer, 3, department_id=shop.pk, start=START)

    response = agent_client.get(page_of(cast.customer))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Claire Dupont" in html
    assert "claire.dupont@example.org" in html
    assert "+33612345678" in html
    assert "06 12 34 56 78" in html  # the raw value, as it was typed
    assert strip_order(html) == ["billetterie", "service-client"]
    assert 'data-testid="departments-strip"' in html


def test_it_marks_a_shared_identifier(cast: Cast, agent_client: Client) -> None:
    # Another human behind the same phone: the identifier becomes shared between them.
    person_resolve(
        identifiers=[IdentifierIn("phone", "06 12 34 56 78")],
        profile=Profile(given_name="Marc", family_name="Dupont"),
    )

    html = agent_client.get(page_of(cast.customer)).content.decode()

    row = re.search(r"\+33612345678</span>(.*?)</td>", html, re.S)
    assert row is not None
    assert 'class="tag tag--warning"' in row.group(1)


def test_it_sends_a_visitor_who_is_not_an_employee_to_sign_in(cast: Cast) -> None:
    customer_session = Client()
    session = customer_session.session
    session[SESSION_KEY] = cast.customer.pk
    session.save()

    for client in (Client(), customer_session):
        response = client.get(page_of(cast.customer))

        assert response.status_code == 302
        assert response["Location"] == f"/accounts/sign-in?next=/people/{cast.customer.pk}/"


def test_it_answers_404_for_an_unknown_person(agent_client: Client) -> None:
    response = agent_client.get("/people/999999/")

    assert response.status_code == 404


def test_it_sends_a_merged_away_id_to_the_survivors_page(cast: Cast, agent_client: Client) -> None:
    person_merge(survivor=cast.customer, absorbed=cast.friend, reason="test", actor_id=None)

    response = agent_client.get(page_of(cast.friend))

    assert response.status_code == 302
    assert response["Location"] == page_of(cast.customer)


def test_it_shows_only_a_short_notice_for_an_erased_person(
    cast: Cast, agent_client: Client
) -> None:
    person_erase(person=cast.friend, actor=cast.admin, reason="Asked by the person")

    response = agent_client.get(page_of(cast.friend))

    html = response.content.decode()
    assert response.status_code == 410
    assert 'data-testid="person-erased"' in html
    assert "hugo" not in html.lower()


def test_the_page_costs_the_same_queries_for_3_or_60_timeline_entries(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    care = department("service-client", "Service client")
    short, long = cast.customer, cast.friend
    for person, count in ((short, 3), (long, 60)):
        append_entries(person, count, department_id=care.pk, channel="email")
        post = person_post_create(person=person, author=cast.agent, body="Calls often")
        person_comment_create(post=post, author=cast.colleague, body="Noted")
        consent_record(person=person, purpose="email_marketing", state="granted", source="web")
    relation_add(person=short, other=long, kind="friend", actor=cast.agent)
    client = signed_in_client(cast.agent)

    for person in (short, long):
        # The first view groups the timeline's facets; the next ones find them kept.
        with django_assert_num_queries(17):  # one more for each registered panel
            assert client.get(page_of(person)).status_code == 200
        with django_assert_num_queries(16):
            assert client.get(page_of(person)).status_code == 200


def test_the_departments_strip_follows_new_and_moved_entries(
    cast: Cast, agent_client: Client
) -> None:
    care = department("service-client", "Service client")
    shop = department("billetterie", "Billetterie")
    append_entries(cast.customer, 2, department_id=care.pk)
    assert strip_order(agent_client.get(page_of(cast.customer)).content.decode()) == [
        "service-client"
    ]

    append_entries(cast.customer, 1, department_id=shop.pk, start=START - dt.timedelta(days=1))
    after_append = agent_client.get(page_of(cast.customer)).content.decode()
    append_entries(cast.friend, 1, department_id=care.pk, channel="sms")
    merge = person_merge(survivor=cast.customer, absorbed=cast.friend, reason="test")
    after_merge = agent_client.get(page_of(cast.customer)).content.decode()
    merge_undo(merge=merge)
    after_undo = agent_client.get(page_of(cast.customer)).content.decode()

    assert strip_order(after_append) == ["billetterie", "service-client"]
    assert 'value="sms"' not in after_append
    assert strip_counts(after_merge) == {"billetterie": 1, "service-client": 3}
    assert 'value="sms"' in after_merge
    assert strip_counts(after_undo) == {"billetterie": 1, "service-client": 2}
    assert 'value="sms"' not in after_undo


def test_it_filters_the_timeline_by_department_channel_and_kind(
    cast: Cast, agent_client: Client
) -> None:
    care = department("service-client", "Service client")
    shop = department("billetterie", "Billetterie")
    by_email = append_entries(cast.customer, 2, department_id=care.pk, channel="email")
    by_phone = append_entries(cast.customer, 2, department_id=care.pk, channel="phone")
    bought = append_entries(cast.customer, 2, department_id=shop.pk, channel="web")
    visited = append_entries(
        cast.customer, 1, department_id=shop.pk, channel="web", verb="interaction.visit"
    )
    page = page_of(cast.customer)

    in_care = agent_client.get(f"{page}?department=service-client").content.decode()
    phoned = agent_client.get(f"{page}?department=service-client&channel=phone").content.decode()
    visits = agent_client.get(f"{page}?kind=interaction.visit").content.decode()
    nothing = agent_client.get(f"{page}?department=billetterie&channel=email").content.decode()

    assert sorted(entry_ids(in_care)) == sorted(a.pk for a in by_email + by_phone)
    assert sorted(entry_ids(phoned)) == sorted(a.pk for a in by_phone)
    assert entry_ids(visits) == [visited[0].pk]
    assert entry_ids(nothing) == []
    assert 'data-department="billetterie"' in in_care  # the strip still shows everything
    assert len(bought) == 2


def test_the_filter_form_swaps_the_list_and_keeps_the_address_in_step(
    cast: Cast, agent_client: Client
) -> None:
    care = department("service-client", "Service client")
    in_care = append_entries(cast.customer, 2, department_id=care.pk)
    append_entries(cast.customer, 2)

    response = agent_client.get(
        f"/people/{cast.customer.pk}/timeline?department=service-client&channel=&kind=", **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<ol class="person-timeline"')
    assert "<html" not in html
    assert sorted(entry_ids(html)) == sorted(a.pk for a in in_care)
    assert response["HX-Replace-Url"] == f"/people/{cast.customer.pk}/?department=service-client"


def test_the_timeline_address_without_javascript_leads_to_the_page(
    cast: Cast, agent_client: Client
) -> None:
    response = agent_client.get(f"/people/{cast.customer.pk}/timeline?channel=email")

    assert response.status_code == 302
    assert response["Location"] == f"/people/{cast.customer.pk}/?channel=email"


def test_the_older_button_brings_the_next_page_without_repeating_entries(
    cast: Cast, agent_client: Client
) -> None:
    append_entries(cast.customer, 30)
    newest_first = list(
        Activity.objects.filter(person=cast.customer)
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)
    )

    first = agent_client.get(page_of(cast.customer)).content.decode()
    older_href = re.search(r'hx-get="(/people/\d+/timeline\?cursor=[^"]+)"', first)
    assert older_href is not None
    older = agent_client.get(older_href.group(1).replace("&amp;", "&"), **HTMX)

    older_html = older.content.decode()
    assert len(newest_first) == 31  # with the "person.created" entry
    assert entry_ids(first) == newest_first[:25]
    assert entry_ids(older_html) == newest_first[25:]
    assert older_html.lstrip().startswith('<li class="person-timeline__item"')
    assert 'data-testid="timeline-older"' not in older_html


def test_a_forged_cursor_is_refused(cast: Cast, agent_client: Client) -> None:
    response = agent_client.get(f"{page_of(cast.customer)}?cursor=bm90LWEtY3Vyc29y")

    assert response.status_code == 422


def test_an_entry_for_a_person_is_announced_on_the_persons_channel(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    published: list[LiveEvent] = []
    broker = type("Recorder", (), {"publish": lambda self, event: published.append(event)})()
    monkeypatch.setattr("socius.core.live.get_broker", lambda: broker)

    with django_capture_on_commit_callbacks(execute=True):
        [activity] = append_entries(cast.customer, 1)

    assert published == [
        LiveEvent(
            channel=f"person:{cast.customer.pk}",
            name="timeline",
            data={"id": activity.pk, "verb": "interaction.purchase"},
        )
    ]


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> MemoryBroker:
    broker = MemoryBroker()
    monkeypatch.setattr(core_views, "get_broker", lambda: broker)
    return broker


def stream(user: Any, query: str, broker: MemoryBroker, event: LiveEvent) -> tuple[int, bytes]:
    client = AsyncClient()
    client.force_login(user)

    async def scenario() -> tuple[int, bytes]:
        response = await client.get(f"/live/events?once=1&{query}")
        if response.status_code != 200:
            return response.status_code, response.content
        chunks = response.streaming_content.__aiter__()
        received = [await chunks.__anext__()]
        broker.publish(event)
        received += [chunk async for chunk in chunks]
        return response.status_code, b"".join(received)

    return async_to_sync(scenario)()


def test_an_employee_listens_to_a_persons_channel_when_the_page_asks(
    cast: Cast, broker: MemoryBroker
) -> None:
    event = LiveEvent(channel=f"person:{cast.customer.pk}", name="timeline", data={"id": 1})

    status, body = stream(cast.colleague, f"channel=person:{cast.customer.pk}", broker, event)

    assert status == 200
    assert f"event: timeline\ndata: {event.to_json()}\n\n".encode() in body


def test_a_page_cannot_ask_for_a_channel_nobody_may_grant(cast: Cast, broker: MemoryBroker) -> None:
    event = LiveEvent(channel=f"user:{cast.agent.pk}", name="activity")

    for query in (f"channel=user:{cast.agent.pk}", "channel=person:abc", "channel=person:"):
        status, body = stream(cast.colleague, query, broker, event)

        assert status == 403
        assert b'"code": "channel_forbidden"' in body
    assert broker.subscriber_count() == 0


def test_a_person_channel_is_refused_to_a_deactivated_account(cast: Cast) -> None:
    cast.outsider.is_active = False

    assert channel_allowed(cast.agent, f"person:{cast.customer.pk}") is True
    assert channel_allowed(cast.outsider, f"person:{cast.customer.pk}") is False


def test_an_agent_relates_two_persons_and_both_pages_show_it(
    cast: Cast, agent_client: Client
) -> None:
    candidates = agent_client.get(
        f"/people/{cast.customer.pk}/relations/candidates?q=hugo", **HTMX
    ).content.decode()
    assert f'name="other" value="{cast.friend.pk}"' in candidates

    response = agent_client.post(
        f"/people/{cast.customer.pk}/relations", {"other": cast.friend.pk, "kind": "invited_by"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{cast.customer.pk}/#panel-relations"
    relation = Relation.objects.get()
    assert (relation.person_id, relation.other_id, relation.kind) == (
        cast.customer.pk,
        cast.friend.pk,
        "invited_by",
    )
    mine = agent_client.get(page_of(cast.customer)).content.decode()
    theirs = agent_client.get(page_of(cast.friend)).content.decode()
    assert 'data-kind="invited_by" data-direction="outgoing"' in mine
    assert f'href="/people/{cast.friend.pk}/">Hugo Bernard</a>' in mine
    assert 'data-kind="invited_by" data-direction="incoming"' in theirs
    assert f'href="/people/{cast.customer.pk}/">Claire Dupont</a>' in theirs
    assert sorted(
        Activity.objects.filter(verb="person.relation_added").values_list(
            "person_id", "payload__direction"
        )
    ) == sorted([(cast.customer.pk, "outgoing"), (cast.friend.pk, "incoming")])


def test_relation_candidates_work_without_javascript_and_leave_out_the_person(
    cast: Cast, agent_client: Client
) -> None:
    response = agent_client.get(f"/people/{cast.customer.pk}/relations/candidates?q=dupont")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert f'name="other" value="{cast.customer.pk}"' not in html


def test_it_refuses_a_duplicate_or_self_relation_and_changes_nothing(
    cast: Cast, agent_client: Client
) -> None:
    relation_add(person=cast.customer, other=cast.friend, kind="friend", actor=cast.agent)
    entries_before = Activity.objects.count()

    to_self = agent_client.post(
        f"/people/{cast.customer.pk}/relations", {"other": cast.customer.pk, "kind": "friend"}
    )
    twin = agent_client.post(
        f"/people/{cast.friend.pk}/relations", {"other": cast.customer.pk, "kind": "friend"}
    )

    assert to_self.status_code == twin.status_code == 302
    assert Relation.objects.count() == 1
    assert Activity.objects.count() == entries_before
    flashes = [str(m) for m in agent_client.get(page_of(cast.customer)).context["messages"]]
    assert len(flashes) == 2


def test_an_employee_who_may_not_edit_people_cannot_add_a_relation(cast: Cast) -> None:
    response = signed_in_client(cast.colleague).post(
        f"/people/{cast.customer.pk}/relations", {"other": cast.friend.pk, "kind": "friend"}
    )

    assert response.status_code == 302
    assert Relation.objects.count() == 0


def test_the_consents_panel_shows_every_purpose_and_the_ledger(
    cast: Cast, agent_client: Client
) -> None:
    consent_record(person=cast.customer, purpose="sms_marketing", state="granted", source="web")
    consent_record(person=cast.customer, purpose="sms_marketing", state="withdrawn", source="sms")

    html = agent_client.get(page_of(cast.customer)).content.decode()

    states = dict(
        re.findall(r'data-purpose="(\w+)">.*?data-state="(\w*)"', html, re.S)  # purpose: state
    )
    assert states == {
        "email_marketing": "",
        "sms_marketing": "withdrawn",
        "profiling": "",
        "partner_sharing": "",
    }
    assert html.count('class="ledger__entry"') == 2


def test_an_agent_records_a_consent_answer(cast: Cast, agent_client: Client) -> None:
    response = agent_client.post(
        f"/people/{cast.customer.pk}/consents",
        {"purpose": "profiling", "state": "denied", "source": "phone", "evidence": "call 42"},
    )

    assert response.status_code == 302
    entry = ConsentEntry.objects.get()
    assert (entry.purpose, entry.state, entry.source, entry.evidence) == (
        "profiling",
        "denied",
        "phone",
        "call 42",
    )
    assert entry.recorded_by_id == cast.agent.pk


def test_an_employee_who_may_not_edit_people_cannot_record_consent(cast: Cast) -> None:
    response = signed_in_client(cast.colleague).post(
        f"/people/{cast.customer.pk}/consents",
        {"purpose": "profiling", "state": "granted", "source": "phone"},
    )

    assert response.status_code == 403
    assert ConsentEntry.objects.count() == 0
    assert f'action="/people/{cast.customer.pk}/consents"' not in (
        signed_in_client(cast.colleague).get(page_of(cast.customer)).content.decode()
    )


def test_it_lists_decisions_and_open_duplicates_with_a_link_to_compare_them(
    cast: Cast, agent_client: Client
) -> None:
    other = person_resolve(
        identifiers=[IdentifierIn("email", "claire.dupont@example.org")],
        profile=Profile(given_name="Marc"),
        context=ResolveContext(source="shop"),
    ).person

    html = agent_client.get(page_of(cast.customer)).content.decode()

    assert f'href="/people/merge?survivor={cast.customer.pk}&amp;absorbed={other.pk}"' in html
    assert html.count('class="decision-list__item"') == 1


@pytest.fixture
def extra_panel() -> Iterator[None]:
    panels.register_person_panel(
        "test-orders",
        title="Orders",
        template="people/_avatar.html",
        context=lambda person, user: {"large": False},
        order=15,
    )
    yield
    panels._PANELS.pop("test-orders")


def test_a_registered_panel_appears_in_its_place_without_editing_the_page(
    cast: Cast, agent_client: Client, extra_panel: None
) -> None:
    html = agent_client.get(page_of(cast.customer)).content.decode()

    assert re.findall(r'data-panel="([\w-]+)"', html) == [
        "relations",
        "test-orders",
        "consents",
        "care_cases",
        "commerce_group_orders",
        "resolution",
        "collab_follow",
    ]


def test_the_people_link_leads_every_employee_to_search(cast: Cast) -> None:
    outsider = make_employee("eve.klein@example.com", "Eve Klein", "exploitation")

    html = signed_in_client(outsider).get("/").content.decode()

    assert 'href="/people/"' in html


def test_relation_rows_from_the_model_are_named_by_direction(cast: Cast) -> None:
    relation_add(person=cast.customer, other=cast.friend, kind="works_at", actor=cast.agent)

    [mine] = person_relations(cast.customer)
    [theirs] = person_relations(cast.friend)

    assert (mine.direction, mine.other.pk, mine.kind) == ("outgoing", cast.friend.pk, "works_at")
    assert (theirs.direction, theirs.other.pk) == ("incoming", cast.customer.pk)
    assert mine.label != theirs.label
