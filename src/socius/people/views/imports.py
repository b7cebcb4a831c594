"""CSV import pages: upload, map the columns with a preview, import, follow the progress."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from socius.core.errors import DomainError, NotFound
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.people.forms_import import ImportMappingForm, ImportUploadForm
from socius.people.selectors.imports import import_run_get_for_employee, import_runs_recent
from socius.people.services.imports import (
    INLINE_MAX_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    PREVIEW_ROWS,
    CsvTable,
    ImportField,
    ImportUploadMissing,
    import_preview,
    import_run_start,
    import_source,
    import_upload_store,
    import_upload_table,
    mapping_check,
    mapping_guess,
)
from socius.people.views.access import require_editor

# Uploaded files waiting for their mapping, by token: only this session may use them.
SESSION_KEY = "people_imports"
MAX_WAITING = 5


def _remember(request: AuthenticatedHttpRequest, token: uuid.UUID, **upload: str) -> None:
    waiting = dict(request.session.get(SESSION_KEY, {}))
    waiting[str(token)] = upload
    request.session[SESSION_KEY] = dict(list(waiting.items())[-MAX_WAITING:])


def _waiting(request: AuthenticatedHttpRequest, token: uuid.UUID) -> dict[str, str]:
    upload = request.session.get(SESSION_KEY, {}).get(str(token))
    if upload is None:
        raise ImportUploadMissing(details={"upload": str(token)})
    return dict(upload)


def _forget(request: AuthenticatedHttpRequest, token: uuid.UUID) -> None:
    waiting = dict(request.session.get(SESSION_KEY, {}))
    waiting.pop(str(token), None)
    request.session[SESSION_KEY] = waiting


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token, _table = import_upload_store(data=upload.read())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            _remember(request, token, filename=upload.name, source=form.cleaned_data["source"])
            return redirect("people:import-mapping", token=token)
    context = {
        "form": form,
        "runs": import_runs_recent(user=request.user),
        "fields": ImportField.choices[1:],
        "max_mb": MAX_BYTES // (1024 * 1024),
        "max_rows": MAX_ROWS,
        "inline_rows": INLINE_MAX_ROWS,
    }
    return render(request, "people/import.html", context)


def _samples(table: CsvTable) -> list[str]:
    """A value seen in each column, to recognise it by."""
    samples = [""] * len(table.header)
    for row in table.rows[:PREVIEW_ROWS]:
        for position, value in enumerate(row.values[: len(samples)]):
            samples[position] = samples[position] or value.strip()[:60]
    return samples


def _mapping_context(
    form: ImportMappingForm, table: CsvTable, upload: dict[str, str]
) -> dict[str, Any]:
    mapping = form.mapping() if form.is_bound and form.is_valid() else mapping_guess(table.header)
    if form.is_bound and form.is_valid():
        try:
            mapping_check(mapping, table.header)
        except DomainError as error:
            form_add_domain_error(form, error)
    source = import_source(upload["source"] or upload["filename"])
    preview = import_preview(table, mapping, source=source)
    return {
        "form": form,
        "table": table,
        "upload": upload,
        "source": source,
        "preview": preview,
        "preview_refused": sum(1 for row in preview if row.errors),
        "inline": len(table.rows) <= INLINE_MAX_ROWS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: AuthenticatedHttpRequest, token: uuid.UUID) -> HttpResponse:
    require_editor(request)
    upload = _waiting(request, token)
    table = import_upload_table(token=token)
    guessed = mapping_guess(table.header)
    data = request.POST if request.method == "POST" else None
    form = ImportMappingForm(data, header=table.header, guessed=guessed, samples=_samples(table))
    context = _mapping_context(form, table, upload)
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/import_preview.html", context)
    if request.POST.get("action") == "import" and form.is_valid() and not form.errors:
        try:
            run = import_run_start(
                token=token,
                filename=upload["filename"],
                source_name=upload["source"],
                mapping=form.mapping(),
                actor=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            _forget(request, token)
            return redirect("people:import-run", run_id=run.pk)
    return render(request, "people/import_mapping.html", context)


@login_required
@require_GET
def import_run_detail(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_employee(user=request.user, run_id=run_id)
    partial = request.htmx  # type: ignore[attr-defined]
    template = "people/import_run_progress.html" if partial else "people/import_run.html"
    return render(request, template, {"run": run})


@login_required
@require_GET
def import_run_errors(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_employee(user=request.user, run_id=run_id)
    if not run.error_report:
        raise NotFound()
    response = HttpResponse(run.error_report, content_type="text/csv; charset=utf-8")
    # A name of our own: the uploaded file's name never reaches a header.
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("import/", import_upload, name="import"),
    path("import/<uuid:token>/", import_mapping, name="import-mapping"),
    path("import/runs/<int:run_id>/", import_run_detail, name="import-run"),
    path("import/runs/<int:run_id>/errors.csv", import_run_errors, name="import-run-errors"),
]
