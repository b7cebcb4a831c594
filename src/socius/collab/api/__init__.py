"""The collaboration API under /api/v1/collab, one router per concern.

Anything the caller may not see answers 404, exactly as what does not exist.
"""

from __future__ import annotations

from ninja import Router

from socius.collab.api import (
    attachments,
    directory,
    feed,
    mentions,
    notifications,
    posts,
    search,
    spaces,
    topics,
)

router = Router(tags=["collab"])
for module in (
    spaces,
    posts,
    topics,
    mentions,
    attachments,
    feed,
    notifications,
    search,
    directory,
):
    router.add_router("", module.router)
