"""Lockout (django-axes, settings "Account lockout"): keyed on the user name and the
address together, because a whole office sits behind one gateway address (issue 9).
Wrong second-factor codes count as failed logins too."""

from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.models import Role
from dangvien.accounts.tests.helpers import (  # noqa: F401 (fixture)
    PASSWORD,
    app_code,
    enrol,
    log_in,
    second_factor_on,
)
from dangvien.factories import make_user, user_with_role

pytestmark = pytest.mark.django_db

OFFICE, HOME = "10.1.2.3", "10.9.8.7"


def _fail(client: Client, username: str, address: str) -> Any:
    return client.post(
        "/dang-nhap/", {"username": username, "password": "sai-mat-khau"}, REMOTE_ADDR=address
    )


def _logs_in(username: str, address: str) -> bool:
    answer = Client().post(
        "/dang-nhap/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    return answer.status_code == 302


def test_five_failures_lock_that_user_at_that_address_only(settings):
    settings.AXES_FAILURE_LIMIT = 5
    an, binh = make_user(username="an"), make_user(username="binh")
    client = Client()
    for _ in range(4):
        assert _fail(client, an.username, OFFICE).status_code == 200
    assert _logs_in(an.username, OFFICE)  # four failures: not yet (and the count resets)

    for _ in range(5):
        _fail(client, an.username, OFFICE)
    assert not _logs_in(an.username, OFFICE)  # A from X: locked, even with the password
    assert _logs_in(binh.username, OFFICE)  # B from X: a colleague behind the same gateway
    assert _logs_in(an.username, HOME)  # A from Y: the same user elsewhere


def test_the_lockout_page_is_vietnamese_and_names_the_wait(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user()
    for _ in range(3):
        answer = _fail(client, user.username, OFFICE)
    assert answer.status_code == 429
    page = answer.content.decode()
    assert "Tài khoản tạm khóa" in page
    assert "trong 1 giờ" in page
    assert "đồng nghiệp dùng chung mạng vẫn đăng nhập bình thường" in page


@pytest.mark.usefixtures("second_factor_on")
def test_wrong_second_factor_codes_count_towards_the_lockout_and_end_the_session(
    client, settings, tree
):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    log_in(client, user, REMOTE_ADDR=OFFICE)
    for _attempt in range(3):
        # Past the throttle's wait each time: it is the lockout under test here.
        type(device).objects.filter(pk=device.pk).update(throttling_failure_count=0)
        answer = client.post("/xac-thuc/", {"code": "000000"}, REMOTE_ADDR=OFFICE)
    assert answer.status_code == 429
    assert "Tài khoản tạm khóa" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    # Locked for this address: the password alone no longer opens a session here.
    assert not _logs_in(user.username, OFFICE)
    assert _logs_in(user.username, HOME)


@pytest.mark.usefixtures("second_factor_on")
def test_a_locked_user_who_still_has_a_session_cannot_pass_the_second_factor(
    client, settings, tree
):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    log_in(client, user, REMOTE_ADDR=OFFICE)
    for _ in range(3):
        _fail(Client(), user.username, OFFICE)  # someone else tries the password meanwhile
    answer = client.post("/xac-thuc/", {"code": app_code(device)}, REMOTE_ADDR=OFFICE)
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
