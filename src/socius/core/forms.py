from __future__ import annotations

from django import forms

from socius.core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a domain refusal on the form, next to the field it names when it names one."""
    field = error.details.get("field") if isinstance(error.details, dict) else None
    form.add_error(field if field in form.fields else None, error.message)
