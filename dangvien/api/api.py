"""The JSON API, version 1 (``shared/API.md``): one NinjaAPI, one router per area."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from dangvien.api import auth, candidates, errors, members, organisations
from dangvien.api.docs import OfflineSwagger


class Utf8JSON(JSONRenderer):
    """Vietnamese text as is, not as ``\\u`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Phát triển đảng viên – API",
    version="1",
    description=(
        "JSON API over the same actions and queries as the pages. Authenticate with "
        "`POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. Errors answer "
        '`{"error": {"code", "message", "fields"}}`; anything outside your organisation '
        "subtree answers 404."
    ),
    urls_namespace="api-v1",
    auth=auth.AUTH,
    docs=OfflineSwagger(),
    renderer=Utf8JSON(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/organisations", organisations.router)
api.add_router("/candidates", candidates.router)
api.add_router("/members", members.router)
