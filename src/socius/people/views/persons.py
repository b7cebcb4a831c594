"""The person page, its timeline, internal discussion, relations and consents; and search."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socius.accounts.roles import Capability
from socius.core.errors import DomainError, Forbidden
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.people.errors import PersonErased, PersonMergedAway
from socius.people.forms_persons import (
    CommentForm,
    ConsentForm,
    DiscussionForm,
    PersonSearchForm,
    RelationForm,
)
from socius.people.models import Identifier, Person, PersonPost, RelationKind
from socius.people.panels import person_panels_render
from socius.people.selectors.card import person_card
from socius.people.selectors.discussion import (
    person_discussion,
    person_post_get,
    person_post_with_comments,
)
from socius.people.selectors.person import person_get_for_employee
from socius.people.selectors.search import person_recent, person_search
from socius.people.selectors.timeline import (
    TimelineFilters,
    timeline_entries,
    timeline_facets,
    timeline_page,
)
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_comment_create, person_post_create
from socius.people.services.identifiers import identifier_verify
from socius.people.services.relations import relation_add
from socius.people.views.access import require_editor

PersonView = Callable[..., HttpResponse]

TEMPLATE = "people/person_detail.html"


def person_view(view: PersonView) -> PersonView:
    """Fetch the person with authority: merged-away ids go to the survivor, erased ids 410."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, person_id: int, **kwargs: Any) -> HttpResponse:
        try:
            person = person_get_for_employee(user=request.user, person_id=person_id)
        except PersonMergedAway as moved:
            return redirect("people:person-detail", moved.survivor_id)
        except PersonErased:
            context = {"person_id": person_id}
            return render(request, "people/person_erased.html", context, status=410)
        return view(request, person, **kwargs)

    return wrapper


def _filters(request: AuthenticatedHttpRequest) -> TimelineFilters:
    get = request.GET.get
    return TimelineFilters.clean(
        department=get("department"), channel=get("channel"), kind=get("kind")
    )


def _timeline_context(request: AuthenticatedHttpRequest, person: Person) -> dict[str, Any]:
    filters = _filters(request)
    cursor = request.GET.get("cursor") or None
    page = timeline_page(
        person,
        cursor,
        department=filters.department,
        channel=filters.channel,
        kind=filters.kind,
    )
    next_query = filters.querystring(cursor=page.next_cursor) if page.next_cursor else ""
    return {
        "person": person,
        "filters": filters,
        "page": page,
        "entries": timeline_entries(page),
        "cursor": cursor,
        "next_query": next_query,
    }


def _page_context(
    request: AuthenticatedHttpRequest, person: Person, **forms: Any
) -> dict[str, Any]:
    live = f"{reverse('core:live-events')}?channel=person:{person.pk}"
    return {
        **_timeline_context(request, person),
        "card": person_card(person),
        "facets": timeline_facets(person),
        "posts": person_discussion(person),
        "post_form": forms.get("post_form") or DiscussionForm(),
        "comment_form": forms.get("comment_form"),
        "comment_post_id": forms.get("comment_post_id"),
        "panels": person_panels_render(request, person, request.user),
        "live_url": live,
    }


@require_GET
@person_view
def person_detail(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    return render(request, TEMPLATE, _page_context(request, person))


@require_GET
@person_view
def person_timeline(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    """The timeline list (filters, live refresh) or, with a cursor, the next items."""
    detail = reverse("people:person-detail", args=[person.pk])
    cursor = request.GET.get("cursor") or ""
    query = _filters(request).querystring(cursor=cursor)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{detail}?{query}" if query else detail)
    context = _timeline_context(request, person)
    if cursor:
        return render(request, f"{TEMPLATE}#timeline-items", context)
    response = render(request, f"{TEMPLATE}#timeline-list", context)
    # The address bar follows the filters, so a reload or a shared link shows the same view.
    response["HX-Replace-Url"] = f"{detail}?{query}" if query else detail
    return response


def _discussion_response(
    request: AuthenticatedHttpRequest, person: Person, form: DiscussionForm, *, saved: bool
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = {"person": person, "posts": person_discussion(person), "post_form": form}
        return render(request, "people/_discussion.html", context)
    if saved:
        return redirect(reverse("people:person-detail", args=[person.pk]) + "#discussion")
    return render(request, TEMPLATE, _page_context(request, person, post_form=form), status=422)


@require_POST
@person_view
def person_post_add(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    form = DiscussionForm(request.POST)
    if form.is_valid():
        try:
            person_post_create(person=person, author=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _discussion_response(request, person, DiscussionForm(), saved=True)
    return _discussion_response(request, person, form, saved=False)


def _comment_response(
    request: AuthenticatedHttpRequest, person: Person, post: PersonPost, form: CommentForm
) -> HttpResponse:
    saved = form.is_bound and not form.errors
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "person": person,
            "post": person_post_with_comments(post),
            "comment_form": None if saved else form,
            "comment_post_id": None if saved else post.pk,
        }
        return render(request, "people/_post.html", context)
    if saved:
        return redirect(reverse("people:person-detail", args=[person.pk]) + f"#post-{post.pk}")
    context = _page_context(request, person, comment_form=form, comment_post_id=post.pk)
    return render(request, TEMPLATE, context, status=422)


@require_POST
@person_view
def person_comment_add(
    request: AuthenticatedHttpRequest, person: Person, post_id: int
) -> HttpResponse:
    post = person_post_get(person=person, post_id=post_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            person_comment_create(post=post, author=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form_add_domain_error(form, error)
    return _comment_response(request, person, post, form)


@require_GET
@person_view
def person_relation_candidates(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    """Persons to relate to, found by the same search as the search page."""
    query = request.GET.get("q", "").strip()[:200]
    hits = [hit for hit in person_search(query, limit=10) if hit.person.pk != person.pk]
    context = {
        "person": person,
        "query": query,
        "hits": hits,
        "relation_kinds": RelationKind.choices,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/_relation_candidates.html", context)
    return render(request, "people/person_relation_candidates.html", context)


@require_POST
@person_view
def person_relation_add(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    form = RelationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person and a kind of relation."))
    else:
        try:
            other = person_get_for_employee(user=request.user, person_id=form.cleaned_data["other"])
            relation_add(
                person=person, other=other, kind=form.cleaned_data["kind"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Relation added."))
    return redirect(reverse("people:person-detail", args=[person.pk]) + "#panel-relations")


@require_POST
@person_view
def person_identifier_verify(
    request: AuthenticatedHttpRequest, person: Person, identifier_id: int
) -> HttpResponse:
    require_editor(request)
    identifier = get_object_or_404(Identifier, pk=identifier_id, person=person)
    try:
        identifier_verify(identifier=identifier, actor_id=request.user.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The identifier is verified."))
    return redirect(reverse("people:person-detail", args=[person.pk]) + "#identifiers")


@require_POST
@person_view
def person_consent_record(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    require_editor(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The consent entry is not valid."))
    else:
        try:
            consent_record(person=person, actor_id=request.user.pk, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Consent recorded."))
    return redirect(reverse("people:person-detail", args=[person.pk]) + "#panel-consents")


@login_required
@require_GET
def person_search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.can(Capability.VIEW_PEOPLE):
        raise Forbidden()
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = person_search(query) if query else person_recent()
    context = {"form": form, "query": query, "hits": hits}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/person_search.html#search-results", context)
    return render(request, "people/person_search.html", context)


urlpatterns: list[URLPattern] = [
    path("", person_search_page, name="person-search"),
    path("<int:person_id>/", person_detail, name="person-detail"),
    path("<int:person_id>/timeline", person_timeline, name="person-timeline"),
    path("<int:person_id>/posts", person_post_add, name="person-post-create"),
    path(
        "<int:person_id>/posts/<int:post_id>/comments",
        person_comment_add,
        name="person-comment-create",
    ),
    path(
        "<int:person_id>/relations/candidates",
        person_relation_candidates,
        name="person-relation-candidates",
    ),
    path("<int:person_id>/relations", person_relation_add, name="person-relation-add"),
    path("<int:person_id>/consents", person_consent_record, name="person-consent-record"),
    path(
        "<int:person_id>/identifiers/<int:identifier_id>/verify",
        person_identifier_verify,
        name="person-identifier-verify",
    ),
]
