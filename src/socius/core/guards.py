"""Checks a context asks of the others before an employee speaks in a public space.

The social network asks (``public_speech_check`` before a post or comment in a public space);
the social-media charter answers (an employee who has not acknowledged the binding version
reads but does not post). Registered at start-up, so the network imports no other context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# A guard returns nothing to allow, and raises a DomainError (with its own code) to refuse.
PublicSpeechGuard = Callable[[Any], None]

_GUARDS: dict[str, PublicSpeechGuard] = {}


def register_public_speech_guard(name: str, guard: PublicSpeechGuard) -> None:
    _GUARDS[name] = guard


def public_speech_check(user: Any) -> None:
    for name in sorted(_GUARDS):
        _GUARDS[name](user)
