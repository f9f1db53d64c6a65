"""The client's address behind reverse proxies, for login throttling (django-axes).

Each proxy appends the address it received the request from to X-Forwarded-For, so with
TRUSTED_PROXY_COUNT proxies in front of orgmap the client is the entry that many places
from the right; anything further left was sent by the client itself and proves nothing.
(django-ipware's proxy count means something else: it expects the proxies' own addresses
in the header too, and answers None behind a single nginx.)"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if len(hops) < count:
        # Did not pass through every proxy (or they are misconfigured): nothing to trust.
        return remote
    candidate = hops[-count]
    return candidate if _valid(candidate) else remote
