"""Small helpers shared by the views of every app: forms that work with and without htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


def bound_data(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, even when empty: an empty submit must show the
    form's errors, not a fresh form (`request.POST or None` would drop it)."""
    return request.POST if request.method == "POST" else None


def form_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A form page, or only its `form` partial when htmx submitted it."""
    if request.htmx:
        return render(request, f"{template}#form", context)
    return render(request, template, context)


def saved_redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
