"""Posts, comments and what they carry through the API."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ, WRITE
from socius.collab.models import Comment, Post
from socius.collab.schemas import (
    AnswerIn,
    BodyIn,
    CommentIn,
    CommentOut,
    PostIn,
    PostOut,
    ReactionIn,
    ReactionOut,
    ReadOut,
    ReadsOut,
    RevisionOut,
)
from socius.collab.selectors import post_get_for_user, space_get_for_user
from socius.collab.selectors_posts import (
    PostPage,
    announcement_reads,
    comment_get_for_user,
    comment_links,
    comment_of_post,
    post_links,
    post_page,
)
from socius.collab.services import comment_create, post_create
from socius.collab.services.announcements import announcement_read_confirm
from socius.collab.services.posts import answer_accept, comment_edit, post_edit, post_pin
from socius.collab.services.reactions import reaction_add, reaction_remove
from socius.collab.text import Links, render_with_links

router = Router(tags=["collab"])


def comment_out(comment: Comment, links: Links | None = None) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "author": comment.author.full_name if comment.author else None,
        "body": comment.body,
        "body_html": str(render_with_links(comment.body, links or comment_links(comment))),
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


def post_out(post: Post, *, links: Links | None = None) -> dict[str, Any]:
    return {
        "id": post.pk,
        "space_id": post.space_id,
        "author": post.author.full_name if post.author else None,
        "kind": post.kind,
        "body": post.body,
        "body_html": str(render_with_links(post.body, links or post_links(post))),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "pinned_at": post.pinned_at,
        "accepted_comment_id": post.accepted_comment_id,
        "comment_count": post.comment_count,
        "reaction_count": post.reaction_count,
        "topics": [{"slug": t.slug, "name": t.name} for t in post.topics.all()],
    }


def _post_page(page: PostPage) -> dict[str, Any]:
    comments = []
    for thread in page.threads:
        comments.append(comment_out(thread.comment, thread.links))
        comments.extend(comment_out(reply.comment, reply.links) for reply in thread.replies)
    comments.sort(key=lambda comment: comment["id"])
    return {
        **post_out(page.post, links=page.links),
        "reactions": page.reactions.counts,
        "comments": comments,
    }


def _fresh(user: Any, post_id: int) -> dict[str, Any]:
    return post_out(post_get_for_user(user=user, post_id=post_id))


@router.post("/spaces/{space_id}/posts", response={201: PostOut}, auth=WRITE)
def spaces_post_create(request: Any, space_id: int, data: PostIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    post = post_create(actor=actor, space=space, body=data.body, kind=data.kind)
    return Status(201, _fresh(actor, post.pk))


@router.get("/posts/{post_id}", response=PostOut, auth=READ)
def posts_detail(request: Any, post_id: int) -> dict[str, Any]:
    user = api_user(request)
    return _post_page(post_page(user=user, post=post_get_for_user(user=user, post_id=post_id)))


@router.patch("/posts/{post_id}", response=PostOut, auth=WRITE)
def posts_edit(request: Any, post_id: int, data: BodyIn) -> dict[str, Any]:
    actor = api_user(request)
    post_edit(actor=actor, post=post_get_for_user(user=actor, post_id=post_id), body=data.body)
    return _fresh(actor, post_id)


@router.get("/posts/{post_id}/revisions", response=list[RevisionOut], auth=READ)
def posts_revisions(request: Any, post_id: int) -> list[dict[str, Any]]:
    post = post_get_for_user(user=api_user(request), post_id=post_id)
    return [
        {
            "id": revision.pk,
            "body": revision.body,
            "edited_by": revision.edited_by.full_name if revision.edited_by else None,
            "created_at": revision.created_at,
        }
        for revision in post.revisions.select_related("edited_by").order_by("id")
    ]


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, auth=WRITE)
def posts_comment_create(request: Any, post_id: int, data: CommentIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=post_id)
    parent = comment_of_post(post=post, comment_id=data.parent) if data.parent else None
    comment = comment_create(actor=actor, post=post, body=data.body, parent=parent)
    return Status(201, comment_out(comment))


@router.patch("/comments/{comment_id}", response=CommentOut, auth=WRITE)
def comments_edit(request: Any, comment_id: int, data: BodyIn) -> dict[str, Any]:
    actor = api_user(request)
    comment = comment_get_for_user(user=actor, comment_id=comment_id)
    return comment_out(comment_edit(actor=actor, comment=comment, body=data.body))


def _react(request: Any, post_id: int, data: ReactionIn, *, adding: bool) -> dict[str, Any]:
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=post_id)
    comment = comment_of_post(post=post, comment_id=data.comment) if data.comment else None
    service = reaction_add if adding else reaction_remove
    changed = service(actor=actor, post=post, kind=data.kind, comment=comment)
    return {
        "post_id": post.pk,
        "comment_id": comment.pk if comment else None,
        "kind": data.kind,
        "reacted": adding,
        "changed": changed,
    }


@router.post("/posts/{post_id}/reactions", response=ReactionOut, auth=WRITE)
def posts_reaction_add(request: Any, post_id: int, data: ReactionIn) -> dict[str, Any]:
    return _react(request, post_id, data, adding=True)


@router.delete("/posts/{post_id}/reactions", response=ReactionOut, auth=WRITE)
def posts_reaction_remove(request: Any, post_id: int, data: ReactionIn) -> dict[str, Any]:
    return _react(request, post_id, data, adding=False)


@router.post("/posts/{post_id}/pin", response=PostOut, auth=WRITE)
def posts_pin(request: Any, post_id: int) -> dict[str, Any]:
    actor = api_user(request)
    post_pin(actor=actor, post=post_get_for_user(user=actor, post_id=post_id), pinned=True)
    return _fresh(actor, post_id)


@router.delete("/posts/{post_id}/pin", response=PostOut, auth=WRITE)
def posts_unpin(request: Any, post_id: int) -> dict[str, Any]:
    actor = api_user(request)
    post_pin(actor=actor, post=post_get_for_user(user=actor, post_id=post_id), pinned=False)
    return _fresh(actor, post_id)


@router.post("/posts/{post_id}/answer", response=PostOut, auth=WRITE)
def posts_answer_accept(request: Any, post_id: int, data: AnswerIn) -> dict[str, Any]:
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=post_id)
    comment = comment_of_post(post=post, comment_id=data.comment)
    answer_accept(actor=actor, post=post, comment=comment)
    return _fresh(actor, post_id)


@router.delete("/posts/{post_id}/answer", response=PostOut, auth=WRITE)
def posts_answer_withdraw(request: Any, post_id: int) -> dict[str, Any]:
    actor = api_user(request)
    answer_accept(actor=actor, post=post_get_for_user(user=actor, post_id=post_id), comment=None)
    return _fresh(actor, post_id)


@router.post("/posts/{post_id}/read", response=ReadOut, auth=WRITE)
def posts_read_confirm(request: Any, post_id: int) -> dict[str, Any]:
    actor = api_user(request)
    read = announcement_read_confirm(
        actor=actor, post=post_get_for_user(user=actor, post_id=post_id)
    )
    return {"post_id": post_id, "confirmed_at": read.confirmed_at}


@router.get("/posts/{post_id}/reads", response=ReadsOut, auth=READ)
def posts_reads(request: Any, post_id: int) -> dict[str, Any]:
    user = api_user(request)
    reads = announcement_reads(user=user, post=post_get_for_user(user=user, post_id=post_id))
    return {
        "post_id": post_id,
        "read_count": reads.read_count,
        "member_count": reads.member_count,
        "read": [
            {"user_id": u.pk, "name": u.full_name, "confirmed_at": at} for u, at in reads.read
        ],
        "not_read": [
            {"user_id": u.pk, "name": u.full_name, "confirmed_at": None} for u in reads.not_read
        ],
    }
