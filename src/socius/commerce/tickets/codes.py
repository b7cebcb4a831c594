"""The string printed in a ticket's QR code: a signed payload without personal data.

Layout (all integers big-endian), then base64url without padding::

    version (1 byte, = 1) | kid length (1) | kid (UTF-8) | tid (16, UUID)
    | offer id (8) | not before (8, Unix seconds) | expires (8) | seed (8, random)
    | Ed25519 signature (64) over everything before it

Binary rather than JSON keeps the QR code small (about 160 characters, so a low QR version
that phone cameras read at arm's length). The seed makes two codes for the same ticket
differ, so a reissued ticket never prints the old code again. The scanner page's JavaScript
parses the same layout (``commerce/static/commerce/gate.js``): change both together.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import struct
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from socius.commerce.tickets.keys import KID_MAX_LENGTH, signing_key, verifying_keys

VERSION = 1
SIGNATURE_LENGTH = 64
_NUMBERS = struct.Struct(">QQQ8s")  # offer id, not before, expires, seed
# The longest valid code: anything longer is refused before decoding.
MAX_CODE_LENGTH = 4 * (2 + KID_MAX_LENGTH + 16 + _NUMBERS.size + SIGNATURE_LENGTH) // 3 + 4


class InvalidCode(Exception):
    """Forged, altered, truncated, re-encoded or signed by a key we do not know: one
    answer for all, so a forger learns nothing from the refusal."""


@dataclass(frozen=True)
class Payload:
    kid: str
    tid: uuid.UUID
    oid: int
    nbf: dt.datetime
    exp: dt.datetime
    seed: bytes
    v: int = VERSION


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _seconds(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("Ticket validity must be an aware datetime.")
    return int(moment.timestamp())


def _moment(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def encode(*, tid: uuid.UUID, oid: int, nbf: dt.datetime, exp: dt.datetime) -> tuple[str, str]:
    """Sign a new code with the current key; returns ``(code, kid)``."""
    kid, key = signing_key()
    kid_bytes = kid.encode()
    body = (
        bytes([VERSION, len(kid_bytes)])
        + kid_bytes
        + tid.bytes
        + _NUMBERS.pack(oid, _seconds(nbf), _seconds(exp), secrets.token_bytes(8))
    )
    return _b64url(body + key.sign(body)), kid


def _decode_strictly(code: str) -> bytes:
    if not code or len(code) > MAX_CODE_LENGTH or not code.isascii():
        raise InvalidCode
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCode from None
    # One string per byte sequence: padding, stray characters or non-zero trailing bits are
    # other spellings of the same bytes, and a ticket has exactly one accepted spelling.
    if _b64url(raw) != code:
        raise InvalidCode
    return raw


def _parse(body: bytes) -> Payload:
    if len(body) < 2 or body[0] != VERSION:
        raise InvalidCode
    kid_length = body[1]
    expected = 2 + kid_length + 16 + _NUMBERS.size
    if kid_length == 0 or kid_length > KID_MAX_LENGTH or len(body) != expected:
        raise InvalidCode
    try:
        kid = body[2 : 2 + kid_length].decode()
    except UnicodeDecodeError:
        raise InvalidCode from None
    tid = uuid.UUID(bytes=body[2 + kid_length : 18 + kid_length])
    oid, nbf, exp, seed = _NUMBERS.unpack(body[18 + kid_length :])
    try:
        return Payload(kid=kid, tid=tid, oid=oid, nbf=_moment(nbf), exp=_moment(exp), seed=seed)
    except (OverflowError, OSError, ValueError):  # a date no calendar holds
        raise InvalidCode from None


def verify(code: str) -> Payload:
    """The payload of an authentic code, else ``InvalidCode``. Validity dates are returned,
    not judged: the gate tells "not yet valid" and "expired" apart from a forgery."""
    raw = _decode_strictly(code)
    if len(raw) <= SIGNATURE_LENGTH:
        raise InvalidCode
    body, signature = raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:]
    payload = _parse(body)
    key = verifying_keys().get(payload.kid)
    if key is None:
        raise InvalidCode
    try:
        key.verify(signature, body)
    except InvalidSignature:
        raise InvalidCode from None
    return payload
