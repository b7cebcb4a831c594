"""The employee directory in the browser: departments, colleagues, profiles, my profile."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socius.collab.search import parse_query
from socius.collab.search.directory import (
    colleague_get,
    colleague_recent_posts,
    colleague_spaces,
    colleagues_matching,
    colleagues_page,
    department_get,
    departments_with_counts,
    skills_of,
)
from socius.collab.services.profiles import MAX_ABOUT, ProfileIn, profile_update
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest


class ProfileForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Job title"), max_length=120, required=False)
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    ask_me_about = forms.CharField(
        label=gettext_lazy("Ask me about"), max_length=500, required=False
    )
    about = forms.CharField(
        label=gettext_lazy("About me (Markdown)"),
        max_length=MAX_ABOUT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@login_required
@require_GET
def people_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found, error = None, ""
    if query:
        try:
            found = colleagues_matching(query=parse_query(query), department=None)
        except DomainError as refused:
            error = refused.message
    context = {
        "departments": departments_with_counts(),
        "query": query,
        "found": found,
        "error": error,
    }
    return render(request, "collab/people_index.html", context)


@login_required
@require_GET
def department_people(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    department = department_get(slug=slug)
    page = colleagues_page(department=department, cursor=request.GET.get("cursor") or None)
    return render(
        request, "collab/people_department.html", {"department": department, "page": page}
    )


@login_required
@require_GET
def person_detail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    colleague = colleague_get(colleague_id=user_id)
    context = {
        "colleague": colleague,
        "profile": getattr(colleague, "profile", None),
        "skills": skills_of(colleague),
        "posts": colleague_recent_posts(viewer=request.user, colleague=colleague),
        "spaces": colleague_spaces(viewer=request.user, colleague=colleague),
        "is_me": colleague.pk == request.user.pk,
    }
    return render(request, "collab/profile_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = getattr(request.user, "profile", None)
    initial = (
        {field: getattr(profile, field) for field in ProfileForm.base_fields} if profile else {}
    )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=request.user, data=ProfileIn(**form.cleaned_data))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("collab:person-detail", request.user.pk)
    return render(request, "collab/profile_edit.html", {"form": form})


urlpatterns: list[URLPattern] = [
    path("people/", people_index, name="people-index"),
    path("people/departments/<slug:slug>/", department_people, name="department-people"),
    path("people/me/edit/", profile_edit, name="profile-edit"),
    path("people/<int:user_id>/", person_detail, name="person-detail"),
]
