"""The JSON API, version 1 (``shared/API.md``): one NinjaAPI, one router per area."""

import copy
import unicodedata
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from dangvien.api import (  # the member_* modules add their endpoints to the members router
    auditlog,
    auth,
    candidates,
    documents,
    errors,
    exam_results,
    exam_rounds,
    form_templates,
    imports,
    member_leaving,
    member_meetings,
    member_probation,
    member_records,
    member_transfers,
    members,
    organisations,
    pool_surveys,
    privacy,
    questions,
    review_results,
    reviews,
    screening,
    sittings,
    statistics,
    statistics_structure,
    targets,
    training,
)
from dangvien.api.docs import OfflineSwagger


class Utf8JSON(JSONRenderer):
    """Vietnamese text as is, not as ``\\u`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


class NfcParser(Parser):
    """All JSON text reaches the actions in NFC, as form text does (core.middleware)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return _nfc(super().parse_body(request))


class API(NinjaAPI):
    """NinjaAPI whose OpenAPI schema is built once per process and path prefix: building
    it walks every operation and pydantic model (about 10 s on the 2-core machine), and the
    routes do not change while the process runs. Callers get their own copy."""

    _schemas: dict[str, Any]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return copy.deepcopy(cache[path_prefix])


api = API(
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
    parser=NfcParser(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/organisations", organisations.router)
api.add_router("/candidates", candidates.router)
api.add_router("/members", members.router)
for _area in (
    member_probation,
    member_leaving,
    member_transfers,
    member_records,
    member_meetings,
    organisations,
):
    api.add_router("", _area.extra)
for _area in (
    training,
    questions,
    exam_rounds,
    sittings,
    exam_results,
    targets,  # issue 6
    statistics,
    statistics_structure,
    pool_surveys,
    reviews,  # issue 7
    review_results,
    screening,
    documents,  # issue 8
    form_templates,
    imports,
    privacy,  # issue 9
    auditlog,
):  # issues 5, 6, 7, 8 and 9, mounted at the root
    api.add_router("", _area.router)
