"""A post and its comments in the browser: read, comment, write and edit."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from socius.collab.forms import BodyForm, EditForm, PostForm
from socius.collab.selectors import post_get_for_user, space_get_for_user
from socius.collab.selectors_posts import comment_get_for_user, comment_of_post, post_page
from socius.collab.services import comment_create, post_create
from socius.collab.services.posts import comment_edit, post_edit
from socius.collab.views import post_actions
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest


def _suggest_mentions(form: forms.Form, *, space_id: int) -> None:
    # The @ autocomplete (static/collab/mentions.js) suggests the readers of this space.
    form.fields["body"].widget.attrs["data-mention-space"] = str(space_id)


@login_required
@require_http_methods(["GET", "POST"])
def post_detail(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = BodyForm(request.POST or None)
    _suggest_mentions(form, space_id=post.space_id)
    if request.method == "POST" and form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        parent = comment_of_post(post=post, comment_id=parent_id) if parent_id else None
        try:
            comment_create(
                actor=request.user, post=post, body=form.cleaned_data["body"], parent=parent
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    page = post_page(user=request.user, post=post)
    context = {"page": page, "post": page.post, "form": form}
    return render(request, "collab/post_detail.html", context)


def _form_page(request: AuthenticatedHttpRequest, form: object, **context: object) -> HttpResponse:
    return render(request, "collab/post_form.html", {"form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: AuthenticatedHttpRequest, space_id: int) -> HttpResponse:
    space = space_get_for_user(user=request.user, space_id=space_id)
    form = PostForm(request.POST or None)
    _suggest_mentions(form, space_id=space.pk)
    if request.method == "POST" and form.is_valid():
        try:
            post = post_create(actor=request.user, space=space, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    return _form_page(request, form, title=_("Write a post"), space=space, testid="post-new")


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_page(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = EditForm(request.POST or None, initial={"body": post.body})
    _suggest_mentions(form, space_id=post.space_id)
    if request.method == "POST" and form.is_valid():
        try:
            post_edit(actor=request.user, post=post, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", post.pk)
    return _form_page(request, form, title=_("Edit the post"), space=post.space, testid="post-edit")


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit_page(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_get_for_user(user=request.user, comment_id=comment_id)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    _suggest_mentions(form, space_id=comment.post.space_id)
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("collab:post-detail", comment.post_id)
    title, space = _("Edit the comment"), comment.post.space
    return _form_page(request, form, title=title, space=space, testid="comment-edit")


urlpatterns: list[URLPattern] = [
    path("posts/<int:post_id>/", post_detail, name="post-detail"),
    path("posts/<int:post_id>/edit", post_edit_page, name="post-edit"),
    path("spaces/<int:space_id>/posts/new", post_new, name="post-create"),
    path("comments/<int:comment_id>/edit", comment_edit_page, name="comment-edit"),
    *post_actions.urlpatterns,
]
