"""The signature receivers verify: HMAC-SHA256 over "<timestamp>.<body>"."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from orgmap.webhooks import delivery
from orgmap.webhooks.models import Event

SECRET = "whsec_test"


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":"1"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert delivery.signature(SECRET, 1700000000, body) == expected
    assert delivery.signature_header(SECRET, 1700000000, body) == f"t=1700000000,v1={expected}"


def test_a_signature_verifies_and_a_changed_body_or_secret_does_not():
    body = b'{"id":"1","type":"assignment.changed"}'
    header = delivery.signature_header(SECRET, 1700000000, body)
    assert delivery.verify_signature(SECRET, header, body, now=1700000010)
    assert not delivery.verify_signature(SECRET, header, body + b" ", now=1700000010)
    assert not delivery.verify_signature("whsec_other", header, body, now=1700000010)


def test_an_old_timestamp_is_refused_as_a_replay():
    body = b"{}"
    header = delivery.signature_header(SECRET, 1700000000, body)
    assert not delivery.verify_signature(SECRET, header, body, now=1700000000 + 301)
    assert delivery.verify_signature(SECRET, header, body, now=1700000000 + 299)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "t=1700000000", "nonsense"])
def test_a_malformed_header_does_not_verify(header):
    assert not delivery.verify_signature(SECRET, header, b"{}", now=1700000000)


@pytest.mark.django_db
def test_the_body_is_the_same_bytes_on_every_attempt():
    event = Event.objects.create(
        type="duty.created", occurred_at=timezone.now(), payload={"after": {"title": "Plan 计划"}}
    )
    first = delivery.body(event)
    assert first == delivery.body(Event.objects.get(pk=event.pk))
    envelope = json.loads(first)
    assert envelope == {
        "id": str(event.pk),
        "type": "duty.created",
        "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"after": {"title": "Plan 计划"}},
    }


def test_the_verification_code_in_the_docs_accepts_our_signature():
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)
    body = b'{"id":"x","type":"duty.created"}'
    header = delivery.signature_header(SECRET, int(time.time()), body)
    assert namespace["verify"](SECRET, header, body)
    assert not namespace["verify"](SECRET, header, body + b"!")
