"""The customer-care API under /api/v1/care, one router per concern.

Anything the caller may not see answers 404, exactly as what does not exist. Every write
goes through ``care.services``; every id through ``care.selectors``.
"""

from __future__ import annotations

from ninja import Router

from socius.care.api import attachments, cases, conversation, figures, messages

router = Router(tags=["care"])
for module in (messages, cases, conversation, attachments, figures):
    router.add_router("", module.router)
