from __future__ import annotations

from datetime import datetime

from ninja import Schema


class DepartmentOut(Schema):
    id: int
    slug: str
    name: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    department: DepartmentOut | None
    person_id: int | None
    scopes: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
