"""The client's own address behind the reverse proxy (docs/deploy.md "TLS and the reverse
proxy"; OWASP ASVS 5.0 V16.2.1: logs name the real source of each request).

Behind nginx every request reaches Django from nginx's address. The lockout (django-axes
keys on user name *and* address), the access log of personal data and the exam sittings
would all record the proxy, and one wrong password typed five times would lock a user out
everywhere. When the request comes from one of ``settings.TRUSTED_PROXIES`` (addresses
or networks), ``ClientAddressMiddleware`` puts the address the proxy saw, from the
``X-Real-IP`` header that deploy/nginx/dangvien.conf sets on every request (overwriting
whatever a client sent), into ``REMOTE_ADDR``, and keeps the proxy's in
``PROXY_REMOTE_ADDR``. From any other peer, or with no proxy configured (the default),
the header is ignored: a client cannot choose the address it is logged under.

It must come first in ``MIDDLEWARE``, before anything reads ``REMOTE_ADDR``.
"""

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "HTTP_X_REAL_IP"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def from_trusted_proxy(peer: str) -> bool:
    """Whether ``peer`` is one of ``settings.TRUSTED_PROXIES``."""
    trusted = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    address = _address(peer)
    return address is not None and any(address in net for net in _networks(trusted))


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        if from_trusted_proxy(peer):
            client = _address(request.META.get(HEADER, ""))
            if client is not None:
                request.META["PROXY_REMOTE_ADDR"] = peer
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)
