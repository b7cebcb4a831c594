"""The satisfaction survey a resolved case's customer opens from their link.

No sign-in: the signed link is the authority (see ``care.services.satisfaction``). The page
is kept out of search engines, and a refused link writes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from socius.care.services.satisfaction import (
    MAX_COMMENT,
    Survey,
    rating_submit,
    survey_for_token,
)
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error

SCORE_CHOICES = [
    (1, _("1 — Not at all satisfied")),
    (2, _("2 — Not satisfied")),
    (3, _("3 — Neither satisfied nor dissatisfied")),
    (4, _("4 — Satisfied")),
    (5, _("5 — Very satisfied")),
]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 4})
    )


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The link is personal: no search engine may index what it opens.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _submit(request: HttpRequest, token: str, survey: Survey) -> HttpResponse:
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating_submit(
                token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _page(request, "care/survey_thanks.html", {"survey": survey})
    return _page(request, "care/survey.html", {"survey": survey, "form": form}, status=422)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = survey_for_token(token=token)
    except DomainError as error:
        return _page(request, "care/survey.html", {"error": error}, status=error.status_code)
    if request.method == "POST":
        return _submit(request, token, found)
    return _page(request, "care/survey.html", {"survey": found, "form": RatingForm()})
