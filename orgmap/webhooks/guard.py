"""Where webhooks may go: the guard against making orgmap a proxy into its own network.

An endpoint's URL is checked when it is registered and again before every attempt
(a name that resolved to a public address yesterday may resolve to 127.0.0.1 today).
The attempt then connects to the very address that was checked (delivery.py pins it),
so the name is not resolved a second time between the check and the connection.

- WEBHOOK_ALLOWED_HOSTS (empty: any host): host names an endpoint may use; an entry
  ".example.com" allows that domain and its sub-domains.
- WEBHOOK_ALLOWED_NETWORKS (empty: none): networks that may be reached although they
  are not public (loopback, private, link-local, unique-local, shared...). Every other
  address must be globally routable.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The system resolver; tests replace it to play a DNS server that changes its mind.
getaddrinfo = socket.getaddrinfo


class UrlRefused(ValueError):
    """A URL webhooks may not be sent to; `code` says why (views pick their message
    by it, see `refusal_message`)."""

    SCHEME = "scheme"
    CREDENTIALS = "credentials"
    NO_HOST = "no_host"
    HOST_NOT_ALLOWED = "host_not_allowed"
    UNRESOLVABLE = "unresolvable"
    ADDRESS_NOT_ALLOWED = "address_not_allowed"

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def refusal_message(refused: UrlRefused) -> str:
    messages = {
        UrlRefused.SCHEME: _("Use an http:// or https:// address."),
        UrlRefused.CREDENTIALS: _(
            "Leave the user name and password out of the address; the signature "
            "authenticates orgmap to the receiver."
        ),
        UrlRefused.NO_HOST: _("The address has no host name."),
        UrlRefused.HOST_NOT_ALLOWED: _(
            "This host is not on the list of hosts webhooks may be sent to (WEBHOOK_ALLOWED_HOSTS)."
        ),
        UrlRefused.UNRESOLVABLE: _("The host name could not be resolved."),
        UrlRefused.ADDRESS_NOT_ALLOWED: _(
            "The host resolves to an internal address (loopback, private or link-local); "
            "webhooks go there only if its network is allowed (WEBHOOK_ALLOWED_NETWORKS)."
        ),
    }
    return messages.get(refused.code, _("Webhooks may not be sent to this address."))


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`), and what to say to it."""

    scheme: str
    host: str  # the name, for the Host header and TLS (SNI, certificate)
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.WEBHOOK_ALLOWED_NETWORKS]


def _host_allowed(host: str) -> bool:
    allowed = [item.lower().rstrip(".") for item in settings.WEBHOOK_ALLOWED_HOSTS]
    if not allowed:
        return True
    host = host.lower().rstrip(".")
    for item in allowed:
        if item.startswith("."):
            if host == item[1:] or host.endswith(item):
                return True
        elif host == item:
            return True
    return False


def address_allowed(address: IPAddress) -> bool:
    """A public address, or one inside an allowed network."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to (an IP literal resolves to itself)."""
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UrlRefused(UrlRefused.UNRESOLVABLE, str(error)) from error
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UrlRefused(UrlRefused.UNRESOLVABLE, host)
    return addresses


def check_url(url: str) -> Target:
    """The target of a webhook URL, or UrlRefused. Every address the name resolves to
    must be allowed: a name with one public and one internal address is refused, since
    the connection could go to either."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused(UrlRefused.NO_HOST, str(error)) from error
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(UrlRefused.SCHEME, parts.scheme)
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(UrlRefused.CREDENTIALS)
    host = parts.hostname
    if not host:
        raise UrlRefused(UrlRefused.NO_HOST)
    if not _host_allowed(host):
        raise UrlRefused(UrlRefused.HOST_NOT_ALLOWED, host)
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise UrlRefused(UrlRefused.ADDRESS_NOT_ALLOWED, ", ".join(map(str, refused)))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=str(addresses[0]))
