"""API authentication: bearer tokens (API.md) and, for the browser, the login session."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.security import HttpBearer, SessionAuth

from dangvien.accounts.actions import issue_api_token, revoke_api_token
from dangvien.accounts.models import User
from dangvien.accounts.queries import user_for_token
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Credentials, TokenOut


def user_of(request: HttpRequest) -> User:
    """The user the request authenticated as (bearer token or session)."""
    return request.auth  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.api_token = token  # type: ignore[attr-defined]
        return user


# Bearer first: a script never carries a session. The session (with its CSRF check on
# writes) lets a logged-in page or the interactive docs call the API.
AUTH = [BearerToken(), SessionAuth()]

router = Router(tags=["Xác thực"])


@router.post(
    "/token", auth=None, response={200: TokenOut, **responses(400, 401, 403)}, url_name="token"
)
def issue_token(request: HttpRequest, payload: Credentials) -> dict[str, Any]:
    """Issue a bearer token for a user name and password (expires after 8 hours by default).

    Repeated failures lock the user name for this address (django-axes): the answer is then
    403 ``locked_out`` even with the right password, until the lock cools off.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answered here in the API's shape; without this the axes middleware would
            # replace the answer with its HTML lockout page.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            raise ApiError(
                403,
                "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau.",
                code="locked_out",
            )
        raise ApiError(401, "Sai tên đăng nhập hoặc mật khẩu.")
    raw, token = issue_api_token(user, by=user)
    return {"token": raw, "expires_at": timezone.localtime(token.expires_at)}


@router.post(
    "/token/revoke", auth=BearerToken(), response={204: None, **responses(401)}, url_name="revoke"
)
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the token this request carries; it answers 401 from then on."""
    revoke_api_token(request.api_token, by=user_of(request))  # type: ignore[attr-defined]
    return Status(204, None)
