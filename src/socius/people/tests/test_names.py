from __future__ import annotations

import pytest

from socius.people.names import fold, given_names_compatible


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Lefèvre", "lefevre"),
        ("  JEAN-PIERRE ", "jean-pierre"),
        ("Chloé  Roux", "chloe roux"),
        ("Cœur", "coeur"),
    ],
)
def test_it_folds_names_for_search(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("first", "second", "compatible"),
    [
        ("Jean-Pierre", "Jean Pierre", True),
        ("Jean-Pierre", "JP", True),
        ("Jean-Pierre", "J.-P.", True),
        ("Jean-Pierre", "Jean", True),
        ("Léa", "Lea", True),
        ("Léa", "", True),
        ("Jean", "Marie", False),
        ("Jean-Pierre", "Jean-Paul", False),
        ("Anne", "Annie", True),
        ("Davdi", "David", True),
        ("Lucsa", "Lucas", True),
        ("Nathalie", "Natalie", True),
        ("Jean", "Jeanne", False),
        ("Louis", "Louise", False),
        ("Simon", "Simone", False),
        ("Alex", "Alexandre", True),
        ("Léo", "Lea", False),
        ("Marc", "Luc", False),
    ],
)
def test_it_tells_whether_two_given_names_may_be_one_human(
    first: str, second: str, compatible: bool
) -> None:
    assert given_names_compatible(first, second) is compatible
    assert given_names_compatible(second, first) is compatible
