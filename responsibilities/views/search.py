from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import search as search_service

LIVE_LIMIT = 5


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    live = request.htmx and request.GET.get("live") == "1"
    results = search_service.search(query, limit=LIVE_LIMIT if live else 30)
    context = {"results": results, "query": results.query, "live": live}
    if live:
        return render(request, "responsibilities/search.html#live-results", context)
    return render(request, "responsibilities/search.html", context)


@require_GET
def my_responsibilities(request: HttpRequest) -> HttpResponse:
    grouped = search_service.my_responsibilities(request.user)
    return render(
        request,
        "responsibilities/my_responsibilities.html",
        {"grouped": grouped, "total": sum(len(items) for items in grouped.values())},
    )
