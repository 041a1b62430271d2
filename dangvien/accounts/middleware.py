"""Session lifetime and the second factor, checked on every request (issue 9).

``SessionLifetimeMiddleware`` ends a session past its absolute lifetime or idle too long
(OWASP ASVS 5.0 V7.3); ``SecondFactorMiddleware`` keeps a user who still owes the second
factor on the second-factor pages (V6.3.2). Both run after the authentication and
django-otp middlewares; settings.py puts the first just before the second.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dangvien.accounts import sessions
from dangvien.accounts.queries import has_second_factor


def _redirect(request: HttpRequest, to: str, *, keep_next: bool = True) -> HttpResponse:
    """A redirect to ``to`` that htmx follows as a whole page (HX-Redirect), with the
    page asked for as ``next`` when it was a plain GET."""
    htmx = request.headers.get("HX-Request") == "true"
    if keep_next and request.method == "GET" and not htmx:
        to = f"{to}?{urlencode({'next': request.get_full_path()})}"
    if htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = to
        return response
    return HttpResponseRedirect(to)


class SessionLifetimeMiddleware:
    """Ends a session at its absolute lifetime (``SESSION_COOKIE_AGE`` from login) or
    after ``SESSION_IDLE_TIMEOUT`` idle seconds (OWASP ASVS 5.0 V7.3.1, V7.3.2). The
    request then goes on as anonymous: pages send it to the login page (which says why),
    the API answers 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = sessions.ended(request)
        if reason is not None:
            sessions.end(request, reason)
            if request.headers.get("HX-Request") == "true":
                return _redirect(request, reverse("login"), keep_next=False)
        return self.get_response(request)


class SecondFactorMiddleware:
    """A user who owes the second factor (``sessions.second_factor_pending``) reaches
    only the login, logout and second-factor pages (the passkey endpoints are under
    them), static files and the API, which checks for itself (api/auth.py). Anything
    else sends them to "Xác thực hai lớp", or to the set-up when they have no device yet,
    with the page they asked for as ``next``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def open_paths(self) -> tuple[str, ...]:
        return (
            reverse("login"),
            reverse("logout"),
            reverse("second-factor"),  # /xac-thuc/…: verify, set-up, codes, passkeys
            "/" + settings.STATIC_URL.lstrip("/"),
            "/api/",
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SECOND_FACTOR_REQUIRED
            and not request.path_info.startswith(self.open_paths)
            and sessions.second_factor_pending(request)
        ):
            user: Any = request.user
            to = "second-factor" if has_second_factor(user) else "second-factor-setup"
            return _redirect(request, reverse(to))
        return self.get_response(request)
