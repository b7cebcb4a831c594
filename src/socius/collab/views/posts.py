"""A post and its comments in the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from socius.collab.forms import BodyForm
from socius.collab.models import Comment
from socius.collab.selectors import post_get_for_user
from socius.collab.services import comment_create
from socius.core.errors import DomainError, NotFound
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def post_detail(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
            if parent is None:
                raise NotFound()
        try:
            comment_create(
                actor=request.user, post=post, body=form.cleaned_data["body"], parent=parent
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    comments = list(post.comments.select_related("author").order_by("id"))
    threads = [
        (comment, [reply for reply in comments if reply.parent_id == comment.pk])
        for comment in comments
        if comment.parent_id is None
    ]
    return render(
        request, "collab/post_detail.html", {"post": post, "threads": threads, "form": form}
    )


urlpatterns: list[URLPattern] = [
    path("posts/<int:post_id>/", post_detail, name="post-detail"),
]
