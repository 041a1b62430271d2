"""One error shape for the whole API (API.md): ``{"error": {"code", "message", "fields"}}``.

Every refusal, whatever raised it, goes through the handlers below, so a client never
sees ninja's ``{"detail": …}`` or Django's HTML error pages. Messages are Vietnamese and
safe to show.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dangvien.core.errors import DomainError, NotAllowed

STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}
STATUS_MESSAGES = {
    400: "Dữ liệu gửi lên không hợp lệ.",
    401: "Chưa đăng nhập hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy (hoặc nằm ngoài phạm vi tổ chức bạn quản lý).",
    405: "Phương thức không được hỗ trợ.",
    409: "Không thể thực hiện do vi phạm quy định.",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau.",
}


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorDetail


def responses(*statuses: int) -> dict[int, Any]:
    """The error part of an operation's ``response=`` mapping, for the OpenAPI schema."""
    return {status: ErrorOut for status in statuses}


class ApiError(Exception):
    """Raised by endpoints to answer an error directly."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        code: str = "",
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message or STATUS_MESSAGES.get(status, "Lỗi.")
        self.fields = fields or {}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# ---- pydantic error types in Vietnamese --------------------------------------------------


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "Thiếu thông tin bắt buộc."
    if kind == "value_error":
        return str(ctx.get("error", "")).removeprefix("Value error, ") or "Giá trị không hợp lệ."
    if kind.startswith("date") or kind.startswith("datetime"):
        return "Ngày không hợp lệ: dùng dạng YYYY-MM-DD, ví dụ 2025-03-05."
    if kind.startswith("int") or kind == "float_parsing":
        return "Phải là một số nguyên."
    if kind.startswith("bool"):
        return "Phải là true hoặc false."
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return f"Giá trị không hợp lệ: chọn một trong {expected}."
    if kind == "string_type":
        return "Phải là một chuỗi ký tự."
    if kind == "string_too_short":
        return (
            "Không được để trống."
            if ctx.get("min_length") == 1
            else (f"Cần ít nhất {ctx.get('min_length')} ký tự.")
        )
    if kind == "string_too_long":
        return f"Tối đa {ctx.get('max_length')} ký tự."
    if kind == "string_pattern_mismatch":
        return "Không đúng định dạng."
    if kind == "greater_than_equal":
        return f"Phải lớn hơn hoặc bằng {ctx.get('ge')}."
    if kind == "greater_than":
        return f"Phải lớn hơn {ctx.get('gt')}."
    if kind == "less_than_equal":
        return f"Phải nhỏ hơn hoặc bằng {ctx.get('le')}."
    if kind == "less_than":
        return f"Phải nhỏ hơn {ctx.get('lt')}."
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "Nội dung phải là một đối tượng JSON."
    if kind == "extra_forbidden":
        return "Trường này không được hỗ trợ."
    return "Giá trị không hợp lệ."


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """``("body", "payload", "birth_date")`` → ``birth_date``; ``("query", "limit")`` → ``limit``.

    A body that is missing or not an object (``("body", "payload")``) is reported as
    ``body``. Pydantic's union branch tags (``str-enum[Stage]``) are dropped.
    """
    parts = [str(p) for p in loc if isinstance(p, int) or str(p).isidentifier()]
    if not parts:
        return "body"
    if parts[0] == "body":
        rest = parts[2:]
        return ".".join(rest) if rest else "body"
    # Query and path parameters are flat: the last name is the parameter.
    return parts[-1] if len(parts) > 1 else parts[0]


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        fields.setdefault(name, _field_message(error))
    return fields


# ---- handlers --------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every refusal into the one error shape."""

    def answer(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
    ) -> HttpResponse:
        response = api.create_response(request, error_body(code, message, fields), status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return answer(request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return answer(request, 400, "invalid", STATUS_MESSAGES[400], validation_fields(exc.errors))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return answer(request, 401, "unauthenticated", STATUS_MESSAGES[401])

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status == 400:  # ninja: the body is not JSON
            return answer(
                request,
                400,
                "invalid",
                "Nội dung gửi lên không phải JSON hợp lệ.",
                {"body": "Không đọc được nội dung JSON."},
            )
        message = STATUS_MESSAGES.get(status, "Lỗi.")
        if status == 403 and "CSRF" in str(exc):  # a page's session without its CSRF token
            message = "Thiếu mã bảo vệ CSRF: tải lại trang, hoặc dùng mã truy cập (Bearer)."
        return answer(request, status, STATUS_CODES.get(status, "error"), message)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, 404, "not_found", STATUS_MESSAGES[404])

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return answer(request, 403, "forbidden", STATUS_MESSAGES[403])

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = {exc.field: str(exc)} if exc.field else {}
        status = 403 if isinstance(exc, NotAllowed) else 409
        return answer(request, status, exc.code, str(exc), fields)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A race the checks could not see (two requests creating the same citizen ID,
        # two open candidacies for one person): the database refused, nothing was written.
        return answer(
            request,
            409,
            "conflict",
            "Dữ liệu vừa bị thay đổi bởi một thao tác khác hoặc bị trùng; "
            "vui lòng tải lại và thử lại.",
        )

    @api.exception_handler(DataError)
    def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        return answer(request, 400, "invalid", "Dữ liệu quá dài hoặc sai kiểu.")
