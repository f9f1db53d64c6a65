"""The address guard: no webhook to loopback, private, link-local or other internal
addresses unless their network is allowed; checked at registration and before every
attempt (DNS may change in between)."""

from __future__ import annotations

import socket

import pytest

from orgmap.webhooks import delivery, guard
from orgmap.webhooks.models import Delivery, DeliveryAttempt, Event


def resolving_to(*addresses: str):
    """A resolver that answers every name with these addresses."""

    def getaddrinfo(host, port, *args, **kwargs):
        infos = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    return getaddrinfo


@pytest.fixture
def public_dns(monkeypatch):
    monkeypatch.setattr(guard, "getaddrinfo", resolving_to("93.184.216.34"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",  # IPv6 link-local
        "http://[fd00::1]/hook",  # IPv6 unique local
        "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "http://[::ffff:10.0.0.1]/hook",
    ],
)
def test_internal_addresses_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(guard.UrlRefused) as refused:
        guard.check_url(url)
    assert refused.value.code == guard.UrlRefused.ADDRESS_NOT_ALLOWED


def test_a_name_resolving_to_an_internal_address_is_refused(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    monkeypatch.setattr(guard, "getaddrinfo", resolving_to("10.0.0.5"))
    with pytest.raises(guard.UrlRefused) as refused:
        guard.check_url("https://hooks.example.com/orgmap")
    assert refused.value.code == guard.UrlRefused.ADDRESS_NOT_ALLOWED


def test_a_name_with_one_public_and_one_internal_address_is_refused(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    monkeypatch.setattr(guard, "getaddrinfo", resolving_to("93.184.216.34", "::1"))
    with pytest.raises(guard.UrlRefused):
        guard.check_url("https://hooks.example.com/orgmap")


def test_a_public_name_is_allowed_and_pinned_to_its_address(public_dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    target = guard.check_url("https://hooks.example.com:8443/in?x=1")
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.com",
        8443,
        "/in?x=1",
        "93.184.216.34",
    )


def test_an_allowed_network_may_be_reached(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "fd00::/8"]
    assert guard.check_url("http://127.0.0.1:9000/hook").address == "127.0.0.1"
    assert guard.check_url("http://[fd00::7]/hook").address == "fd00::7"
    with pytest.raises(guard.UrlRefused):
        guard.check_url("http://10.0.0.1/hook")


def test_the_host_allow_list_limits_names(public_dns, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com", ".partner.example"]
    guard.check_url("https://hooks.example.com/a")
    guard.check_url("https://partner.example/a")
    guard.check_url("https://eu.partner.example/a")
    for url in ("https://evil.example.com/a", "https://notpartner.example/a"):
        with pytest.raises(guard.UrlRefused) as refused:
            guard.check_url(url)
        assert refused.value.code == guard.UrlRefused.HOST_NOT_ALLOWED


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/a", guard.UrlRefused.SCHEME),
        ("file:///etc/passwd", guard.UrlRefused.SCHEME),
        ("https://user:pw@hooks.example.com/a", guard.UrlRefused.CREDENTIALS),
        ("https:///a", guard.UrlRefused.NO_HOST),
        ("https://hooks.example.com:99999/a", guard.UrlRefused.NO_HOST),
    ],
)
def test_malformed_urls_are_refused(url, code, public_dns):
    with pytest.raises(guard.UrlRefused) as refused:
        guard.check_url(url)
    assert refused.value.code == code


def test_an_unresolvable_name_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(guard, "getaddrinfo", fail)
    with pytest.raises(guard.UrlRefused) as refused:
        guard.check_url("https://nowhere.invalid/a")
    assert refused.value.code == guard.UrlRefused.UNRESOLVABLE


@pytest.mark.django_db
def test_dns_rebinding_is_caught_at_delivery_time(monkeypatch, settings, httpserver):
    """Registered while the name was public; at delivery it points at 127.0.0.1 (where
    the receiver listens): nothing is sent, the attempt is logged as refused."""
    from orgmap.webhooks import services

    settings.WEBHOOK_ALLOWED_NETWORKS = []
    monkeypatch.setattr(guard, "getaddrinfo", resolving_to("93.184.216.34"))
    endpoint, _secret = services.endpoint_create(
        url=f"http://rebind.example.com:{httpserver.port}/hook",
        events=["assignment.changed"],
        by=None,
    )
    event = Event.objects.create(type="assignment.changed", payload={})
    pending = Delivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=event.occurred_at
    )
    monkeypatch.setattr(guard, "getaddrinfo", resolving_to("127.0.0.1"))
    httpserver.expect_request("/hook").respond_with_data("should not be reached")

    assert delivery.deliver(pending.pk) == Delivery.Status.PENDING

    assert httpserver.log == []
    [attempt] = DeliveryAttempt.objects.filter(delivery=pending)
    assert attempt.status_code is None
    assert "address_not_allowed" in attempt.error
