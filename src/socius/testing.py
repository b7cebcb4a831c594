"""Helpers for the test suite (imported by conftest files only)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with tiny costs: the same algorithm and format, at test speed."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
