from __future__ import annotations

import pytest

from socius.people.normalize import InvalidIdentifier, normalize_identifier


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("email", "  Claire.Dupont@Example.ORG ", "claire.dupont@example.org"),
        ("email", "jérôme@exemple.fr", "jérôme@exemple.fr"),
        ("phone", "06 12 34 56 78", "+33612345678"),
        ("phone", "06.12.34.56.78", "+33612345678"),
        ("phone", "+33 6 12 34 56 78", "+33612345678"),
        ("phone", "0033612345678", "+33612345678"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("whatsapp", "06-12-34-56-78", "+33612345678"),
        ("instagram", "@Claire_Dupont", "claire_dupont"),
        ("instagram", "https://www.instagram.com/claire_dupont/", "claire_dupont"),
        ("x", "twitter.com/ClaireD", "claired"),
        ("linkedin", "https://www.linkedin.com/in/claire-dupont-123/", "claire-dupont-123"),
        ("facebook", "facebook.com/claire.dupont", "claire.dupont"),
        ("customer_number", " c-0012 34 ", "C001234"),
        ("loyalty_card", "lum 4455.6677", "LUM44556677"),
    ],
)
def test_it_normalizes_each_kind(kind: str, raw: str, expected: str) -> None:
    assert normalize_identifier(kind, raw).value == expected


def test_it_keeps_the_raw_value_for_display() -> None:
    normalized = normalize_identifier("phone", " 06 12 34 56 78 ")

    assert normalized.raw_value == "06 12 34 56 78"


def test_it_prefixes_external_ids_with_their_source() -> None:
    assert normalize_identifier("external", "o-1001", source="Shop").value == "shop:o-1001"


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("phone", "12"),
        ("phone", "06 12 34"),
        ("instagram", "https://evil.example/claire"),
        ("instagram", "claire dupont"),
        ("customer_number", "???"),
        ("external", ""),
        ("telegram", "claire"),
    ],
)
def test_it_refuses_malformed_identifiers_with_a_stable_code(kind: str, raw: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_identifier(kind, raw)

    assert raised.value.code == "invalid_identifier"
    assert raised.value.status_code == 422
