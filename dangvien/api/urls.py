from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from dangvien.api.api import api
from dangvien.api.docs import docs_asset
from dangvien.api.errors import STATUS_MESSAGES, error_body


def not_found(request: HttpRequest) -> JsonResponse:
    """Unknown paths under the API answer the API's 404, not the site's HTML page."""
    return JsonResponse(
        error_body("not_found", STATUS_MESSAGES[404]),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
    re_path(r"", not_found),
]
