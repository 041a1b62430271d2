"""What the login session remembers about itself (issue 9): when it began, when it was
last used, whether the second factor is still owed. Read by the middleware and the login
pages; written at login by ``stamp_login`` (a ``user_logged_in`` receiver)."""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest

from dangvien.accounts.queries import has_second_factor, must_use_second_factor

LOGIN_AT = "dv_login_at"
SEEN_AT = "dv_seen_at"
# The user had a second factor at login although no role demands one: it is asked all
# the same (whoever set up an app expects it to be asked for).
OPTED_IN = "dv_second_factor"
# Why the last session ended ("idle" or "absolute"), for the login page to say.
ENDED = "dv_session_ended"
BACKUP_CODES = "dv_backup_codes"


def stamp_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At login: the session's start and last use. ``django.contrib.auth.login`` has
    already given the session a new key (OWASP ASVS 5.0 V7.2.4); the second-factor step
    rotates it again (views.second_factor)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if settings.SECOND_FACTOR_REQUIRED:
        request.session[OPTED_IN] = has_second_factor(user)


def ended(request: HttpRequest) -> str | None:
    """Whether the session is past its lifetime: "absolute" past ``SESSION_COOKIE_AGE``
    since login (OWASP ASVS 5.0 V7.3.2), "idle" after ``SESSION_IDLE_TIMEOUT`` seconds
    without a request (V7.3.1), else None. Refreshes the last-use stamp (at most once per
    ``SESSION_ACTIVITY_RESOLUTION`` seconds, to spare a session write per request)."""
    session = request.session
    if SESSION_KEY not in session:
        return None
    now = int(time.time())
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:  # a session from before these stamps
        session[LOGIN_AT] = login_at or now
        session[SEEN_AT] = now
        return None
    if now - login_at >= settings.SESSION_COOKIE_AGE:
        return "absolute"
    idle = settings.SESSION_IDLE_TIMEOUT
    if idle and now - seen_at >= idle:
        return "idle"
    if now - seen_at >= settings.SESSION_ACTIVITY_RESOLUTION:
        session[SEEN_AT] = now
    return None


def end(request: HttpRequest, reason: str) -> None:
    """Log out (the session row is deleted) and leave the reason in the new session."""
    logout(request)
    request.session[ENDED] = reason


def second_factor_pending(request: HttpRequest) -> bool:
    """Whether the logged-in user still owes the second factor in this session."""
    user: Any = request.user
    if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    # Right after django.contrib.auth.login, request.user is the bare user: not verified.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return bool(request.session.get(OPTED_IN)) or must_use_second_factor(user)
