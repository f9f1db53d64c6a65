"""The webhooks pages: org admins only; the secret shown once; bad input refused with
a clear message and nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgmap.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

LIST = reverse("webhook-list")
CREATE = reverse("webhook-create")


@pytest.fixture
def endpoint(db):
    return Endpoint.objects.create(
        url="https://hooks.example.com/orgmap",
        events=["assignment.changed"],
        secret="whsec_known",
    )


@pytest.mark.parametrize("persona", ["hr", "sales_manager", "member"])
def test_only_org_admins_may_use_the_pages(persona, request, client_for, endpoint):
    client = client_for(request.getfixturevalue(persona))
    for url in (LIST, CREATE, reverse("webhook-detail", args=[endpoint.pk])):
        assert client.get(url).status_code == 403
    for name in ("webhook-rotate", "webhook-test", "webhook-enable"):
        assert client.post(reverse(name, args=[endpoint.pk])).status_code == 403
    assert (
        client.post(
            CREATE, {"url": "https://x.example.com/", "events": ["duty.created"]}
        ).status_code
        == 403
    )
    endpoint.refresh_from_db()
    assert endpoint.secret == "whsec_known"
    assert not Delivery.objects.exists()
    assert Endpoint.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, endpoint):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_header_links_to_webhooks_for_org_admins_only(client_for, admin_user, member):
    assert reverse("webhook-list") in client_for(admin_user).get("/").content.decode()
    assert reverse("webhook-list") not in client_for(member).get("/").content.decode()


def test_an_admin_creates_an_endpoint_and_sees_its_secret_once(
    client_for, admin_user, local_receiver
):
    client = client_for(admin_user)
    response = client.post(
        CREATE,
        {
            "url": "http://127.0.0.1:9/hook",
            "description": "Ticketing",
            "events": ["assignment.changed", "duty.retired"],
        },
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.events == ["assignment.changed", "duty.retired"]
    assert endpoint.created_by == admin_user
    page = client.get(reverse("webhook-detail", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "not a url", "events": ["duty.created"]}, "url", "Enter a valid URL."),
        (
            {"url": "http://127.0.0.1/hook", "events": ["duty.created"]},
            "url",
            "resolves to an internal address",
        ),
        (
            {"url": "http://169.254.169.254/latest", "events": ["duty.created"]},
            "url",
            "resolves to an internal address",
        ),
        (
            {"url": "ftp://hooks.example.com/", "events": ["duty.created"]},
            "url",
            "Use an http:// or https:// address.",
        ),
        (
            {"url": "https://user:pw@127.0.0.1/", "events": ["duty.created"]},
            "url",
            "Leave the user name and password out",
        ),
        ({"url": "https://hooks.example.com/"}, "events", "Choose at least one event."),
        (
            {"url": "https://hooks.example.com/", "events": ["everything"]},
            "events",
            "Select a valid choice.",
        ),
        (
            {"url": "https://hooks.example.com/" + "a" * 500, "events": ["duty.created"]},
            "url",
            "at most 500 characters",
        ),
        (
            {
                "url": "https://hooks.example.com/",
                "events": ["duty.created"],
                "description": "d" * 201,
            },
            "description",
            "at most 200 characters",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message(
    data, field, message, client_for, admin_user, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    response = client_for(admin_user).post(CREATE, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not Endpoint.objects.exists()


def test_an_admin_edits_an_endpoint_and_bad_input_changes_nothing(
    client_for, admin_user, endpoint, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    client = client_for(admin_user)
    url = reverse("webhook-detail", args=[endpoint.pk])
    refused = client.post(url, {"url": "http://10.0.0.1/", "events": ["duty.created"]})
    assert refused.status_code == 200
    assert "internal address" in " ".join(refused.context["form"].errors["url"])
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/orgmap"
    # hooks.example.com must resolve for the check: use an address literal instead.
    saved = client.post(url, {"url": "https://93.184.216.34/in", "events": ["duty.created"]})
    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        "https://93.184.216.34/in",
        ["duty.created"],
        False,  # the checkbox was not sent: switched off
    )


def test_rotating_shows_a_new_secret(client_for, admin_user, endpoint):
    response = client_for(admin_user).post(reverse("webhook-rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != "whsec_known"
    assert endpoint.secret in response.content.decode()


def test_sending_a_test_event_and_enabling(client_for, admin_user, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, failure_count=20)
    client = client_for(admin_user)
    response = client.post(reverse("webhook-test", args=[endpoint.pk]))
    assert response.status_code == 302
    assert Delivery.objects.get(endpoint=endpoint).event.type == "webhook.test"
    response = client.post(reverse("webhook-enable", args=[endpoint.pk]))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failure_count) == (True, 0)


def test_the_list_and_log_show_a_disabled_endpoint_and_its_attempts(
    client_for, admin_user, endpoint, django_assert_max_num_queries
):
    from django.utils import timezone

    from orgmap.webhooks.models import DeliveryAttempt, Event

    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_at=timezone.now(), failure_count=20, disabled_reason="HTTP 500: boom"
    )
    for number in range(30):
        event = Event.objects.create(type="assignment.changed", payload={"n": number})
        sent = Delivery.objects.create(
            endpoint=endpoint, event=event, status="failed", attempts=1, last_error="HTTP 500: boom"
        )
        DeliveryAttempt.objects.create(delivery=sent, number=1, at=timezone.now(), status_code=500)
    client = client_for(admin_user)
    listing = client.get(LIST).content.decode()
    assert "was disabled" in listing and endpoint.url in listing
    with django_assert_max_num_queries(12):
        page = client.get(reverse("webhook-detail", args=[endpoint.pk]))
    text = page.content.decode()
    assert "HTTP 500: boom" in text
    assert "Enable again" in text


def test_the_admin_shows_webhooks_without_their_secret(client_for, admin_user, endpoint):
    client = client_for(admin_user)
    for url in (
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_delivery_changelist"),
        reverse("admin:webhooks_event_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "whsec_known" not in response.content.decode()
