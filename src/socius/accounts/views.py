from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from socius.accounts import selectors, services
from socius.accounts.forms import (
    DepartmentForm,
    EmployeeCreateForm,
    EmployeeUpdateForm,
    SignInForm,
    TokenCreateForm,
)
from socius.accounts.roles import Capability, scopes_allowed_for
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response.headers["Retry-After"] = str(form.retry_after)
        return response


class SiteLinkMixin:
    """Reset links use SOCIUS_SITE_URL, never the request's Host header."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        protocol, _separator, domain = settings.SITE_URL.partition("://")
        self.extra_email_context = {"protocol": protocol, "domain": domain}
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc, no-any-return]


class PasswordResetView(SiteLinkMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


def _require(request: AuthenticatedHttpRequest, capability: Capability) -> None:
    if not request.user.can(capability):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    allowed = scopes_allowed_for(request.user.role)
    form = TokenCreateForm(request.POST or None, allowed_scopes=allowed)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            form = TokenCreateForm(allowed_scopes=allowed)
    tokens = selectors.token_list_for_user(user=request.user)
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "accounts/tokens.html", context, status=201 if created else 200)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get_for_user(user=request.user, token_id=token_id)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:token-list")


@login_required
@require_http_methods(["GET", "POST"])
def employee_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Capability.MANAGE_ACCOUNTS)
    form = EmployeeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = data["department"]
        try:
            employee = services.employee_create(
                data=services.EmployeeIn(
                    email=data["email"],
                    full_name=data["full_name"],
                    department_slug=department.slug if department else "",
                    role=data["role"],
                    send_invitation=True,
                ),
                actor=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is added; an invitation to choose a password was emailed.")
                % {"name": employee.full_name},
            )
            return redirect("accounts:employee-list")
    employees = selectors.employee_list(viewer=request.user)
    return render(request, "accounts/employees.html", {"form": form, "employees": employees})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: AuthenticatedHttpRequest, employee_id: int) -> HttpResponse:
    _require(request, Capability.MANAGE_ACCOUNTS)
    employee = selectors.employee_get_for_admin(viewer=request.user, employee_id=employee_id)
    initial = {
        "department": employee.department,
        "role": employee.role,
        "is_active": employee.is_active,
    }
    form = EmployeeUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(employee=employee, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is updated.") % {"name": employee.full_name})
            return redirect("accounts:employee-list")
    return render(request, "accounts/employee_edit.html", {"form": form, "employee": employee})


@login_required
@require_http_methods(["GET", "POST"])
def department_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Capability.MANAGE_ACCOUNTS)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, _("The department “%(name)s” exists.") % {"name": department.name}
            )
            return redirect("accounts:department-list")
    departments = selectors.department_list()
    return render(request, "accounts/departments.html", {"form": form, "departments": departments})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the page language (Django's view) and, for a signed-in employee, remember it
    for the emails they receive."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {code for code, _n in settings.LANGUAGES}:
        services.employee_language_set(employee=request.user, language=language)  # type: ignore[arg-type]
    return response
