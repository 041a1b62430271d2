"""Sessions (issue 9; OWASP ASVS 5.0 V7): an absolute lifetime from login, an idle timeout,
logout by POST only, a new session key at login and after the second factor."""

import time

import pytest
from django.test import Client

from dangvien.accounts import sessions
from dangvien.accounts.models import Role
from dangvien.accounts.tests.helpers import (  # noqa: F401 (fixture)
    app_code,
    enrol,
    log_in,
    second_factor_on,
)
from dangvien.factories import make_user, user_with_role

pytestmark = pytest.mark.django_db


def _age(client: Client, **seconds_ago: int) -> None:
    """Move the session's stamps back in time (login_at / seen_at)."""
    session = client.session
    now = int(time.time())
    if "login_at" in seconds_ago:
        session[sessions.LOGIN_AT] = now - seconds_ago["login_at"]
    if "seen_at" in seconds_ago:
        session[sessions.SEEN_AT] = now - seconds_ago["seen_at"]
    session.save()


def test_a_session_idle_longer_than_the_timeout_ends_and_the_login_page_says_why(client, settings):
    user = make_user()
    log_in(client, user)
    _age(client, seen_at=settings.SESSION_IDLE_TIMEOUT - 90)
    assert client.get("/").status_code == 200  # 28.5 minutes idle: still open

    _age(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    answer = client.get("/dang-vien/")
    assert answer["Location"] == "/dang-nhap/?next=/dang-vien/"
    assert "_auth_user_id" not in client.session
    page = client.get(answer["Location"]).content.decode()
    assert "không thao tác trong 30 phút" in page


def test_using_the_site_keeps_the_session_alive(client, settings):
    log_in(client, make_user())
    _age(client, seen_at=settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5  # the stamp moved on
    assert client.get("/").status_code == 200


def test_the_last_use_stamp_is_not_rewritten_on_every_request(client):
    """One session write a minute at most (SESSION_ACTIVITY_RESOLUTION), not one per page."""
    log_in(client, make_user())
    _age(client, seen_at=10)
    client.get("/")
    assert int(time.time()) - client.session[sessions.SEEN_AT] >= 10


def test_a_session_ends_at_its_absolute_lifetime_even_when_in_use(client, settings):
    log_in(client, make_user())
    _age(client, login_at=settings.SESSION_COOKIE_AGE - 60, seen_at=5)
    assert client.get("/").status_code == 200

    _age(client, login_at=settings.SESSION_COOKIE_AGE + 1, seen_at=5)
    answer = client.get("/")
    assert answer["Location"].startswith("/dang-nhap/")
    assert "quá 8 giờ kể từ lúc đăng nhập" in client.get(answer["Location"]).content.decode()


def test_the_idle_timeout_is_a_setting(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    log_in(client, make_user())
    _age(client, seen_at=5 * 60 + 1)
    assert client.get("/")["Location"].startswith("/dang-nhap/")


def test_an_ended_session_answers_the_api_with_401(client, settings):
    user = make_user()
    log_in(client, user)
    _age(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    assert client.get("/api/v1/organisations").status_code == 401


def test_an_ended_session_sends_htmx_to_the_login_page_as_a_whole_page(client, settings):
    log_in(client, make_user())
    _age(client, seen_at=settings.SESSION_IDLE_TIMEOUT + 1)
    answer = client.get("/", headers={"HX-Request": "true"})
    assert answer["HX-Redirect"] == "/dang-nhap/"


def test_logout_is_post_only(client):
    log_in(client, make_user())
    assert client.get("/dang-xuat/").status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post("/dang-xuat/")["Location"] == "/dang-nhap/"
    assert "_auth_user_id" not in client.session


def test_the_session_key_changes_at_login(client):
    client.get("/dang-nhap/")
    session = client.session
    session["before"] = 1
    session.save()
    before = session.session_key
    log_in(client, make_user())
    assert client.session.session_key != before


@pytest.mark.usefixtures("second_factor_on")
def test_the_session_key_changes_again_after_the_second_factor(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    log_in(client, user)
    after_password = client.session.session_key
    client.post("/xac-thuc/", {"code": app_code(device)})
    assert client.session.session_key != after_password
    assert client.get("/").status_code == 200
