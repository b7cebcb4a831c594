from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction

from socius.core.errors import InvalidCursor
from socius.core.models import Activity
from socius.core.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor, keyset_page
from socius.core.services import ActivityDraft, activity_append, activity_append_many

pytestmark = pytest.mark.django_db

ORDERING = ("-occurred_at", "-id")
NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)


def _append_activities(occurrences: list[dt.datetime]) -> list[int]:
    with transaction.atomic():
        activity_append_many(
            [
                ActivityDraft(verb="test.happened", summary=f"#{number}", occurred_at=occurred_at)
                for number, occurred_at in enumerate(occurrences)
            ]
        )
    return list(Activity.objects.order_by("id").values_list("id", flat=True))


def _expected_order() -> list[int]:
    return list(Activity.objects.order_by(*ORDERING).values_list("id", flat=True))


def _raw_cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def activities_with_ties() -> list[int]:
    # 17 rows on 5 distinct instants: most pages cut through a group of equal timestamps.
    minutes = [0, 0, 0, 5, 5, 5, 5, 5, 10, 3, 3, 3, 3, 3, 3, 10, 0]
    return _append_activities([NOON + dt.timedelta(minutes=m) for m in minutes])


@pytest.mark.parametrize("size", [1, 2, 3, 4, 16, 17])
def test_it_covers_every_row_once_in_order(
    activities_with_ties: list[int], size: int, django_assert_num_queries: Any
) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        with django_assert_num_queries(1):
            page = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=cursor, size=size)
        pages += 1
        seen.extend(activity.pk for activity in page.items)
        if page.next_cursor is None:
            break
        assert len(page.items) == size
        cursor = page.next_cursor

    assert seen == _expected_order()
    assert sorted(seen) == activities_with_ties
    assert pages == -(-17 // size)


def test_it_orders_ties_on_the_instant_by_descending_id(activities_with_ties: list[int]) -> None:
    page = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=None, size=17)

    ids = activities_with_ties
    at_12_10 = [ids[15], ids[8]]
    at_12_05 = [ids[7], ids[6], ids[5], ids[4], ids[3]]
    at_12_03 = [ids[14], ids[13], ids[12], ids[11], ids[10], ids[9]]
    at_12_00 = [ids[16], ids[2], ids[1], ids[0]]
    assert [activity.pk for activity in page.items] == at_12_10 + at_12_05 + at_12_03 + at_12_00
    assert page.next_cursor is None


def test_it_returns_the_next_cursor_only_when_rows_remain(
    activities_with_ties: list[int],
) -> None:
    first = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=None, size=16)
    last = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=first.next_cursor, size=16)

    assert first.next_cursor == encode_cursor([first.items[-1].occurred_at, first.items[-1].pk])
    assert decode_cursor(first.next_cursor, length=2) == [NOON, first.items[-1].pk]
    assert [activity.pk for activity in last.items] == [activities_with_ties[0]]
    assert last.next_cursor is None


def test_it_returns_an_empty_last_page_for_an_empty_table() -> None:
    page = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=None, size=10)

    assert (page.items, page.next_cursor) == ([], None)


def test_it_pages_rows_appended_one_by_one_in_their_transactions() -> None:
    for minute in (1, 2, 3):
        with transaction.atomic():
            activity_append(
                ActivityDraft(verb="test.happened", occurred_at=NOON + dt.timedelta(minutes=minute))
            )

    first = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=None, size=2)
    second = keyset_page(
        Activity.objects.all(), ordering=ORDERING, cursor=first.next_cursor, size=2
    )

    minutes = [a.occurred_at.minute for a in first.items + second.items]
    assert minutes == [3, 2, 1]
    assert second.next_cursor is None


@pytest.mark.parametrize(
    ("requested", "served"), [(0, 1), (-5, 1), (1, 1), (200, 200), (201, 200), (10_000, 200)]
)
def test_it_clamps_the_page_size_between_1_and_200(requested: int, served: int) -> None:
    _append_activities([NOON - dt.timedelta(seconds=s) for s in range(MAX_PAGE_SIZE + 1)])

    page = keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=None, size=requested)

    assert len(page.items) == served
    assert page.next_cursor is not None


AT_NOON = {"dt": "2025-03-14T12:00:00+00:00"}
MALFORMED_CURSORS = {
    "not base64": "%%%not-base64%%%",
    "truncated base64": "a",
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "not a list": _raw_cursor("just a string"),
    "an object": _raw_cursor(AT_NOON),
    "too short": _raw_cursor([AT_NOON]),
    "too long": _raw_cursor([AT_NOON, 1, 2]),
    "unparsable instant": _raw_cursor([{"dt": "yesterday"}, 1]),
    "instant not a string": _raw_cursor([{"dt": 5}, 1]),
    "naive instant": _raw_cursor([{"dt": "2025-03-14T12:00:00"}, 1]),
    "nested list": _raw_cursor([[1], 1]),
    "unknown object": _raw_cursor([{"when": 1}, 1]),
    "text for the instant": _raw_cursor(["not a date", 1]),
    "null instant": _raw_cursor([None, 1]),
    "text for the id": _raw_cursor([AT_NOON, "seven"]),
    "null id": _raw_cursor([AT_NOON, None]),
    "infinite id": _raw_cursor([AT_NOON, 1.5e400]),
    "nan id": _raw_cursor([AT_NOON, float("nan")]),
}


@pytest.mark.parametrize("cursor", MALFORMED_CURSORS.values(), ids=MALFORMED_CURSORS.keys())
def test_it_refuses_a_malformed_cursor(activities_with_ties: list[int], cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        keyset_page(Activity.objects.all(), ordering=ORDERING, cursor=cursor, size=5)

    assert refused.value.code == "invalid_cursor"
    assert refused.value.status_code == 422
