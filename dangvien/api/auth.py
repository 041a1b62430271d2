"""API authentication: bearer tokens (API.md) and, for the browser, the login session.

A user who must use a second factor (accounts.queries.must_use_second_factor, issue 9) gets
a token only with a valid ``otp`` code, and a login session opens the API only once the
session has passed the second factor: the API never becomes the way around it.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status
from ninja.security import HttpBearer, SessionAuth

from dangvien.accounts.actions import (
    SecondFactorWait,
    check_second_factor,
    issue_api_token,
    revoke_api_token,
)
from dangvien.accounts.models import User
from dangvien.accounts.queries import (
    has_second_factor,
    must_use_second_factor,
    user_for_request_token,
)
from dangvien.accounts.sessions import second_factor_pending
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Credentials, TokenOut
from dangvien.core.errors import DomainError


def user_of(request: HttpRequest) -> User:
    """The user the request authenticated as (bearer token or session)."""
    return request.auth  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_request_token(request, token)
        if user is not None:
            request.user = user
            request.api_token = token  # type: ignore[attr-defined]
        return user


class VerifiedSession(SessionAuth):
    """The login session, once it has passed the second factor where one is owed."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and second_factor_pending(request):
            return None
        return user


# Bearer first: a script never carries a session. The session (with its CSRF check on
# writes) lets a logged-in page or the interactive docs call the API.
AUTH = [BearerToken(), VerifiedSession()]

router = Router(tags=["Xác thực"])

LOCKED = "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau."


class TokenRequest(Credentials):
    otp: str | None = Field(
        None,
        max_length=32,
        description="Mã xác thực hai lớp: 6 chữ số của ứng dụng xác thực, hoặc một mã dự "
        "phòng. Bắt buộc với tài khoản có vai trò lập hồ sơ, biểu quyết, quyết định, "
        "phê duyệt, giao chỉ tiêu hoặc kiểm tra, giám sát.",
    )


def _locked(request: HttpRequest) -> ApiError:
    # Answered here in the API's shape; without this the axes middleware would replace
    # the answer with its HTML lockout page.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return ApiError(403, LOCKED, code="locked_out")


@router.post(
    "/token", auth=None, response={200: TokenOut, **responses(400, 401, 403)}, url_name="token"
)
def issue_token(request: HttpRequest, payload: TokenRequest) -> dict[str, Any]:
    """Issue a bearer token for a user name and password (expires after 8 hours by default).

    Users whose role decides (lập hồ sơ, biểu quyết, quyết định, phê duyệt, giao chỉ tiêu,
    kiểm tra) also send ``otp``: without it the answer is 401 ``second_factor_required``,
    with a wrong one 401 ``second_factor_invalid`` (which counts as a failed login).
    Repeated failures lock the user name for this address (django-axes): the answer is then
    403 ``locked_out`` even with the right password, until the lock cools off.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked(request)
        raise ApiError(401, "Sai tên đăng nhập hoặc mật khẩu.")
    if settings.SECOND_FACTOR_REQUIRED and (
        must_use_second_factor(user) or has_second_factor(user)
    ):
        if not has_second_factor(user):
            raise ApiError(
                401,
                "Tài khoản chưa thiết lập xác thực hai lớp: đăng nhập trên trang web một lần "
                "để thiết lập, rồi gửi kèm mã (trường otp).",
                code="second_factor_required",
                fields={"otp": "Chưa thiết lập xác thực hai lớp."},
            )
        if not payload.otp:
            raise ApiError(
                401,
                "Tài khoản cần xác thực hai lớp: gửi kèm mã 6 chữ số của ứng dụng xác thực "
                "hoặc một mã dự phòng (trường otp).",
                code="second_factor_required",
                fields={"otp": "Thiếu mã xác thực hai lớp."},
            )
        try:
            check_second_factor(user, payload.otp)
        except SecondFactorWait as error:
            raise ApiError(
                401, str(error), code="second_factor_invalid", fields={"otp": str(error)}
            ) from None
        except DomainError as error:
            user_login_failed.send(
                sender=__name__, credentials={"username": payload.username}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                raise _locked(request) from None
            message = "Mã xác thực hai lớp không đúng hoặc đã hết hạn."
            raise ApiError(
                401, message, code="second_factor_invalid", fields={"otp": message}
            ) from error
    raw, token = issue_api_token(user, by=user)
    return {"token": raw, "expires_at": timezone.localtime(token.expires_at)}


@router.post(
    "/token/revoke", auth=BearerToken(), response={204: None, **responses(401)}, url_name="revoke"
)
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the token this request carries; it answers 401 from then on."""
    revoke_api_token(request.api_token, by=user_of(request))  # type: ignore[attr-defined]
    return Status(204, None)
