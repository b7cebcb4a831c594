from __future__ import annotations

import pytest

from socius.core.ids import parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (42, 42),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("٣", None),  # an Arabic-Indic three: a digit for str.isdigit, not an id
        ("1e3", None),
        ("9" * 19, None),
        (True, None),
        (None, None),
        (["1"], None),
        ("", None),
    ],
)
def test_only_plain_positive_ids_are_read(value: object, expected: int | None) -> None:
    assert parse_id(value) == expected


def test_zero_is_read_where_it_means_none_yet() -> None:
    assert (parse_id("0", minimum=0), parse_id("0")) == (0, None)
