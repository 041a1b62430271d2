from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from dangvien.core import audit
from dangvien.core.text import nfc_lines


def _normalised(data: Any) -> Any:
    copy = data.copy()
    for key in copy:
        copy.setlist(key, [nfc_lines(v) if isinstance(v, str) else v for v in copy.getlist(key)])
    copy._mutable = False
    return copy


class NormaliseTextMiddleware:
    """All form and query text reaches the app in NFC (Vietnamese typed on Windows IMEs
    often arrives decomposed, which breaks search and uniqueness), spaces squeezed. Line
    breaks are kept for multi-line fields (essays, question wording); single-line values
    are squeezed again by the actions' ``nfc``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _normalised(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _normalised(request.POST)
        return self.get_response(request)


class AuditActorMiddleware:
    """Attributes writes made during a page request (admin included) to its user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        with audit.acting_as(user):
            return self.get_response(request)
