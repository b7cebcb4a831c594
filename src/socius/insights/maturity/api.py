"""Read API of the maturity assessment."""

from __future__ import annotations

from ninja import Router

router = Router()
