from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from socius.commerce.tickets import keys
from socius.commerce.tickets.codes import SIGNATURE_LENGTH, InvalidCode, encode, verify

NBF = dt.datetime(2026, 7, 14, 0, 0, tzinfo=dt.UTC)
EXP = dt.datetime(2026, 7, 15, 0, 0, tzinfo=dt.UTC)
TID = uuid.UUID("3f2b8c1e-6a4d-4e7f-9b0a-1c2d3e4f5a6b")


def _code() -> str:
    return encode(tid=TID, oid=42, nbf=NBF, exp=EXP)[0]


def _raw(code: str) -> bytes:
    return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _seed() -> str:
    return base64.b64encode(bytes(range(32))).decode()


def test_it_reads_back_what_it_signed() -> None:
    code, kid = encode(tid=TID, oid=42, nbf=NBF, exp=EXP)
    payload = verify(code)
    assert (payload.kid, payload.tid, payload.oid, payload.nbf, payload.exp, payload.v) == (
        kid, TID, 42, NBF, EXP, 1,
    )  # fmt: skip
    assert len(payload.seed) == 8
    assert len(code) < 170


def test_two_codes_for_the_same_ticket_differ() -> None:
    assert _code() != _code()


def test_the_code_holds_no_personal_data() -> None:
    raw = _raw(_code())
    body = raw[:-SIGNATURE_LENGTH]
    # version, kid, ticket id, offer, dates, seed: nothing else fits in these bytes
    assert len(body) == 2 + len("k1") + 16 + 8 * 4


def test_it_refuses_a_code_signed_by_another_key() -> None:
    raw = _raw(_code())
    body = raw[:-SIGNATURE_LENGTH]
    forged = _b64url(body + Ed25519PrivateKey.generate().sign(body))
    with pytest.raises(InvalidCode):
        verify(forged)


def test_it_refuses_a_key_id_it_does_not_know(settings: Any) -> None:
    code = _code()
    settings.COMMERCE_TICKET_KEY_ID = "k2"
    with pytest.raises(InvalidCode):
        verify(code)


def test_a_retired_key_still_verifies_its_tickets(settings: Any) -> None:
    settings.COMMERCE_TICKET_SIGNING_KEY = _seed()
    old_code = _code()
    public = keys.public_keys()["k1"]
    settings.COMMERCE_TICKET_SIGNING_KEY = base64.b64encode(bytes(range(1, 33))).decode()
    settings.COMMERCE_TICKET_KEY_ID = "k2"
    with pytest.raises(InvalidCode):
        verify(old_code)
    settings.COMMERCE_TICKET_RETIRED_KEYS = [f"k1:{public}"]
    assert verify(old_code).tid == TID
    assert set(keys.public_keys()) == {"k1", "k2"}


def test_the_configured_seed_signs(settings: Any) -> None:
    settings.COMMERCE_TICKET_SIGNING_KEY = _seed()
    expected = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    raw = expected.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert keys.public_keys() == {"k1": base64.b64encode(raw).decode()}


def test_development_derives_a_key_from_the_secret_key(settings: Any) -> None:
    settings.COMMERCE_TICKET_SIGNING_KEY = ""
    first = keys.public_keys()
    settings.SECRET_KEY = "another-development-secret-key-" + "y" * 30
    assert keys.public_keys() != first


def test_production_refuses_to_sign_without_a_key(settings: Any) -> None:
    settings.COMMERCE_TICKET_SIGNING_KEY = ""
    settings.IS_PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        encode(tid=TID, oid=1, nbf=NBF, exp=EXP)


def test_a_seed_of_the_wrong_size_is_refused(settings: Any) -> None:
    settings.COMMERCE_TICKET_SIGNING_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        keys.signing_key()


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code + "=",  # padding
        lambda code: code + "==",
        lambda code: " " + code,
        lambda code: code.replace("-", "+").replace("_", "/"),  # standard alphabet
        lambda code: code[::-1],  # reversed, as pretix prints them
        lambda code: "",
        lambda code: code * 2,
    ],
)
def test_other_spellings_of_a_code_are_refused(spelling: Any) -> None:
    code = _code()
    altered = spelling(code)
    if altered == code:  # a code without - or _ has no standard-alphabet variant
        return
    with pytest.raises(InvalidCode):
        verify(altered)


def _mutations() -> st.SearchStrategy[Any]:
    flip = st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 7))
    cut = st.tuples(st.just("cut"), st.integers(0, 10_000), st.integers(0, 0))
    extend = st.tuples(st.just("extend"), st.binary(min_size=1, max_size=8), st.integers(0, 0))
    char = st.tuples(st.just("char"), st.integers(0, 10_000), st.sampled_from("AZaz09-_=+/.~é"))
    return st.lists(st.one_of(flip, cut, extend, char), min_size=1, max_size=4)


def _mutate(code: str, mutations: list[Any]) -> str:
    raw = bytearray(_raw(code))
    text = None
    for kind, where, what in mutations:
        if kind == "flip" and raw:
            raw[where % len(raw)] ^= 1 << what
        elif kind == "cut":
            raw = raw[: where % max(len(raw), 1)]
        elif kind == "extend":
            raw += where
        elif kind == "char":
            text = text or _b64url(bytes(raw))
            index = where % len(text) if text else 0
            text = text[:index] + what + text[index + 1 :]
    return text if text is not None else _b64url(bytes(raw))


@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=_mutations())
def test_a_mutated_code_is_never_accepted(mutations: list[Any]) -> None:
    code = _code()
    altered = _mutate(code, mutations)
    if altered == code:
        return
    with pytest.raises(InvalidCode):
        verify(altered)


@hypothesis_settings(max_examples=200, deadline=None)
@given(garbage=st.text(max_size=300))
def test_arbitrary_text_is_never_accepted(garbage: str) -> None:
    with pytest.raises(InvalidCode):
        verify(garbage)


@hypothesis_settings(max_examples=100, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 7)), max_size=3))
def test_a_payload_signed_by_any_other_key_is_never_accepted(flips: list[Any]) -> None:
    body = bytearray(_raw(_code())[:-SIGNATURE_LENGTH])
    for where, bit in flips:
        body[where % len(body)] ^= 1 << bit
    forged = _b64url(bytes(body) + Ed25519PrivateKey.generate().sign(bytes(body)))
    with pytest.raises(InvalidCode):
        verify(forged)
