from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from dangvien.api.api import api
from dangvien.api.docs import docs_asset
from dangvien.api.errors import STATUS_MESSAGES, error_body


def error_response(status: int, code: str) -> JsonResponse:
    return JsonResponse(
        error_body(code, STATUS_MESSAGES[status]),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt  # it changes nothing; a session cookie must not turn it into the HTML 403 page
def not_found(request: HttpRequest) -> JsonResponse:
    """Unknown paths under the API answer the API's 404, not the site's HTML page (also
    paths a route's converter refuses, like ``/exam-rounds/-1``, whatever the method)."""
    return error_response(404, "not_found")


def json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a bare text 405; give it the error shape."""

    @wraps(view)  # keeps ninja's csrf_exempt mark
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = error_response(405, "method_not_allowed")
            response["Allow"] = allowed
        return response

    return wrapper


api_patterns, api_app, api_namespace = api.urls
for pattern in api_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = json_method_not_allowed(pattern.callback)

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", (api_patterns, api_app, api_namespace)),
    re_path(r"", not_found),
]
