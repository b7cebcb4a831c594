"""Posts and comments through the API."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ, WRITE
from socius.collab.models import Comment, Post
from socius.collab.schemas import (
    BodyIn,
    CommentIn,
    CommentOut,
    PostOut,
)
from socius.collab.selectors import post_get_for_user, space_get_for_user
from socius.collab.services import comment_create, post_create
from socius.core.errors import NotFound
from socius.core.markdown import render_markdown

router = Router(tags=["collab"])


def _comment(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "author": comment.author.full_name if comment.author else None,
        "body": comment.body,
        "body_html": str(render_markdown(comment.body)),
        "created_at": comment.created_at,
    }


def _post(post: Post, *, with_comments: bool = False) -> dict[str, Any]:
    comments = (
        [_comment(c) for c in post.comments.select_related("author").order_by("id")]
        if with_comments
        else []
    )
    return {
        "id": post.pk,
        "space_id": post.space_id,
        "author": post.author.full_name if post.author else None,
        "body": post.body,
        "body_html": str(render_markdown(post.body)),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "comments": comments,
    }


@router.post("/spaces/{space_id}/posts", response={201: PostOut}, auth=WRITE)
def spaces_post_create(request: Any, space_id: int, data: BodyIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    return Status(201, _post(post_create(actor=actor, space=space, body=data.body)))


@router.get("/posts/{post_id}", response=PostOut, auth=READ)
def posts_detail(request: Any, post_id: int) -> dict[str, Any]:
    return _post(post_get_for_user(user=api_user(request), post_id=post_id), with_comments=True)


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, auth=WRITE)
def posts_comment_create(request: Any, post_id: int, data: CommentIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=post_id)
    parent = None
    if data.parent is not None:
        parent = Comment.objects.filter(pk=data.parent, post=post).first()
        if parent is None:
            raise NotFound()
    comment = comment_create(actor=actor, post=post, body=data.body, parent=parent)
    return Status(201, _comment(comment))
