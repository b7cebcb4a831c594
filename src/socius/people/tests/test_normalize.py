from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socius.people.normalize import (
    InvalidIdentifier,
    _validated_email,
    normalize_email,
    normalize_identifier,
)


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


def _email_outcome(normalize: Callable[[str], str], raw: str) -> tuple[str, str]:
    try:
        return ("accepted", normalize(raw))
    except InvalidIdentifier as error:
        return ("refused", error.message)


_EMAIL_PARTS = st.text(alphabet="aZ09._+-@!é ", max_size=12) | st.sampled_from(
    ["example.org", "Mail.Example.ORG", "localhost", "a.test", "x.invalid", "1.2", "a..b",
     "-a.org", "a-.org", "xn--bcher-kva.example", "a" * 63 + ".org", "a" * 70]
)  # fmt: skip


@given(local=_EMAIL_PARTS, domain=_EMAIL_PARTS, padding=st.integers(0, 260))
@settings(max_examples=400, deadline=None)
def test_the_quick_email_path_agrees_with_the_full_validation(
    local: str, domain: str, padding: int
) -> None:
    """Plain addresses skip most of the validator (their domain is checked once): every
    address must still be accepted, normalized and refused exactly as the validator does."""
    for raw in (f"{local}@{domain}", f"{'l' * padding}{local}@{domain}", f" {local}@{domain}"):
        assert _email_outcome(normalize_email, raw) == _email_outcome(_validated_email, raw)


def _long_domain(length: int) -> str:
    labels, rest = [], length - 4  # room for ".org"
    while rest > 0:
        size = min(60, rest)
        labels.append("d" * (size - 1) if rest - size else "d" * size)
        rest -= len(labels[-1]) + 1
    return ".".join(labels)[: length - 4] + ".org"


@pytest.mark.parametrize("local_length", [63, 64, 65])
@pytest.mark.parametrize("total", [200, 253, 254, 255, 256])
def test_the_quick_email_path_keeps_the_length_limits(local_length: int, total: int) -> None:
    raw = "l" * local_length + "@" + _long_domain(total - local_length - 1)
    assert len(raw) == total
    assert _email_outcome(normalize_email, raw) == _email_outcome(_validated_email, raw)
