"""The webhooks pages: org admins register endpoints, read their delivery log, send a
test event, rotate a secret and enable an endpoint again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions
from . import guard, services
from .forms import EndpointEditForm, EndpointForm
from .models import EVENT_TYPES, Delivery, DeliveryAttempt, Endpoint

# The latest deliveries shown on an endpoint's page.
LOG_SHOWN = 50


def _require_webhook_admin(user) -> None:
    if not permissions.can_manage_webhooks(user):
        raise PermissionDenied(_("Only organisation administrators manage webhooks."))


def _get_endpoint_for_user(request: HttpRequest, pk: int) -> Endpoint:
    _require_webhook_admin(request.user)
    return get_object_or_404(Endpoint, pk=pk)


def _secret_page(request: HttpRequest, endpoint: Endpoint, secret: str) -> HttpResponse:
    # Shown once: never cached, never put in the session or a message.
    response = render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    _require_webhook_admin(request.user)
    endpoints = Endpoint.objects.annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
    )
    return render(
        request,
        "webhooks/endpoint_list.html",
        {
            "endpoints": endpoints,
            "disabled": [endpoint for endpoint in endpoints if endpoint.auto_disabled],
        },
    )


@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    _require_webhook_admin(request.user)
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(**form.cleaned_data, by=request.user)
        except guard.UrlRefused as refused:  # the name resolved differently a moment later
            form.add_error("url", guard.refusal_message(refused))
        else:
            return _secret_page(request, endpoint, secret)
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _get_endpoint_for_user(request, pk)
    form = EndpointEditForm.for_endpoint(
        endpoint, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except guard.UrlRefused as refused:
            form.add_error("url", guard.refusal_message(refused))
        else:
            messages.success(request, _("The endpoint was saved."))
            return redirect("webhook-detail", pk=endpoint.pk)
    deliveries = (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("log", queryset=DeliveryAttempt.objects.order_by("number")))
        .order_by("-created_at", "-pk")[:LOG_SHOWN]
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries,
            "event_labels": dict(EVENT_TYPES),
        },
    )


@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _get_endpoint_for_user(request, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint)
    return _secret_page(request, endpoint, secret)


@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _get_endpoint_for_user(request, pk)
    services.test_event_send(endpoint=endpoint, by=request.user)
    messages.success(
        request, _("A test event is on its way; its delivery appears in the log below.")
    )
    return redirect("webhook-detail", pk=endpoint.pk)


@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _get_endpoint_for_user(request, pk)
    waiting = services.endpoint_enable(endpoint=endpoint)
    messages.success(
        request,
        _("The endpoint is enabled; %(count)d waiting deliveries are being sent.")
        % {"count": waiting},
    )
    return redirect("webhook-detail", pk=endpoint.pk)
