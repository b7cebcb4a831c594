"""Topics through the API: the posts about a topic the caller may read."""

from __future__ import annotations

from typing import Any

from ninja import Router

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ
from socius.collab.api.posts import post_out
from socius.collab.schemas import PostPageOut
from socius.collab.selectors_posts import topic_get_for_user, topic_posts
from socius.core.pagination import keyset_page

router = Router(tags=["collab"])

PAGE_SIZE = 20


@router.get("/topics/{slug}/posts", response=PostPageOut, auth=READ)
def topics_posts(request: Any, slug: str, cursor: str | None = None) -> dict[str, Any]:
    user = api_user(request)
    topic = topic_get_for_user(user=user, key=slug)
    page = keyset_page(
        topic_posts(user=user, topic=topic), ordering=("-id",), cursor=cursor, size=PAGE_SIZE
    )
    return {"items": [post_out(post) for post in page.items], "next_cursor": page.next_cursor}
