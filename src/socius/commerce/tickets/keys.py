"""The Ed25519 keys that sign e-tickets: one current signing key, and retired public keys
that still verify the tickets they signed.

Settings are read at use, never at import, so a test (or a rotation) that changes them is
seen at once; the derived objects are cached by the settings' values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Development only: the seed derives from SECRET_KEY under this purpose, so no other use of
# SECRET_KEY ever yields the same bytes.
_PURPOSE = b"socius.commerce.tickets.ed25519-seed.v1"
KID_MAX_LENGTH = 20


def _b64decode(value: str) -> bytes:
    value = value.strip()
    padded = value + "=" * (-len(value) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"Not base64: {error}") from None


def raw_public_key(key: Ed25519PublicKey) -> str:
    """Standard base64 of the 32 raw bytes, what a scanner's WebCrypto imports."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


@functools.lru_cache(maxsize=8)
def _private_key(seed_setting: str, secret_key: str, production: bool) -> Ed25519PrivateKey:
    if seed_setting:
        seed = _b64decode(seed_setting)
        if len(seed) != 32:
            raise ImproperlyConfigured("SOCIUS_TICKET_SIGNING_KEY must be a base64 32-byte seed.")
    elif production:
        raise ImproperlyConfigured("SOCIUS_TICKET_SIGNING_KEY must be set in production.")
    else:
        seed = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


@functools.lru_cache(maxsize=8)
def _retired(entries: tuple[str, ...]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        kid, separator, encoded = entry.partition(":")
        raw = _b64decode(encoded)
        if not separator or not kid.strip() or len(raw) != 32:
            raise ImproperlyConfigured(
                "SOCIUS_TICKET_RETIRED_KEYS entries are 'kid:base64-32-byte-public-key'."
            )
        keys[kid.strip()] = Ed25519PublicKey.from_public_bytes(raw)
    return keys


def current_kid() -> str:
    kid: str = settings.COMMERCE_TICKET_KEY_ID
    if not kid or len(kid.encode()) > KID_MAX_LENGTH:
        raise ImproperlyConfigured("SOCIUS_TICKET_KEY_ID must be 1 to 20 bytes.")
    return kid


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The key id and private key that sign new tickets."""
    key = _private_key(
        settings.COMMERCE_TICKET_SIGNING_KEY or "",
        settings.SECRET_KEY,
        bool(getattr(settings, "IS_PRODUCTION", False)),
    )
    return current_kid(), key


def verifying_keys() -> dict[str, Ed25519PublicKey]:
    """Every key id a valid ticket may name: the retired ones, then the current one."""
    kid, key = signing_key()
    keys = dict(_retired(tuple(settings.COMMERCE_TICKET_RETIRED_KEYS or ())))
    keys[kid] = key.public_key()
    return keys


def public_keys() -> dict[str, str]:
    """``{kid: base64 raw public key}`` for offline scanners."""
    return {kid: raw_public_key(key) for kid, key in verifying_keys().items()}
