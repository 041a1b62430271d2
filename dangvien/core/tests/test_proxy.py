"""The client's address behind the reverse proxy (core/proxy.py)."""

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dangvien.core.proxy import ClientAddressMiddleware


def seen_address(remote: str, real_ip: str | None) -> tuple[str, str | None]:
    """REMOTE_ADDR as the view sees it, and the proxy's address kept aside."""
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = remote
    if real_ip is not None:
        request.META["HTTP_X_REAL_IP"] = real_ip
    seen: dict[str, str | None] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["addr"] = request.META["REMOTE_ADDR"]
        seen["proxy"] = request.META.get("PROXY_REMOTE_ADDR")
        return HttpResponse()

    ClientAddressMiddleware(view)(request)
    return str(seen["addr"]), seen["proxy"]


@pytest.fixture
def behind_nginx(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]


def test_a_request_through_the_trusted_proxy_carries_the_clients_address(
    behind_nginx: None,
) -> None:
    assert seen_address("127.0.0.1", "203.0.113.7") == ("203.0.113.7", "127.0.0.1")
    assert seen_address("10.0.0.5", "2001:db8::1") == ("2001:db8::1", "10.0.0.5")


def test_a_client_talking_directly_cannot_choose_its_address(behind_nginx: None) -> None:
    assert seen_address("198.51.100.9", "203.0.113.7") == ("198.51.100.9", None)


def test_without_a_configured_proxy_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert seen_address("127.0.0.1", "203.0.113.7") == ("127.0.0.1", None)


def test_a_header_that_is_not_an_address_changes_nothing(behind_nginx: None) -> None:
    assert seen_address("127.0.0.1", "203.0.113.7, 10.0.0.1") == ("127.0.0.1", None)
    assert seen_address("127.0.0.1", None) == ("127.0.0.1", None)
