"""Login, lockout and the production settings guard."""

import os
import subprocess
import sys

import pytest

from dangvien.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_opens_the_todo_page(client):
    UserFactory(username="bithu")
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 302
    assert "Việc cần làm" in client.get("/").content.decode()


def test_a_wrong_password_is_refused_in_vietnamese(client):
    UserFactory(username="bithu")
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="bithu")
    for _ in range(3):  # AXES_FAILURE_LIMIT in settings_test
        client.post("/dang-nhap/", {"username": "bithu", "password": "sai"})
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "mat-khau-thu-nghiem"})
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from dangvien import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DANGVIEN_ENV")
    }
    return subprocess.run(
        [sys.executable, "-c", "import dangvien.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_the_development_secret_key():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def _keys() -> dict[str, str]:
    """Field-encryption keys (settings "Field encryption"), which production needs too."""
    import base64

    def key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    return {"FIELD_ENCRYPTION_KEYS": f"k1={key()}", "BLIND_INDEX_KEY": key()}


def test_production_starts_with_its_own_secret_key():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, **_keys())
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_setting_stops_start_up_loudly():
    result = _import_settings(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = _import_settings(DANGVIEN_ENV="production", DEBUG="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG is on in production" in result.stderr


def test_the_todo_page_lists_members_due_for_recognition_and_for_removal_review(client, tree):
    """Recognition within 30 days of its deadline (294-QĐ/TW §4.2) and members who missed
    three months of meetings (Charter Art. 8) reach the secretary's to-do; another
    commune's members do not."""
    from datetime import timedelta

    from django.utils import timezone

    from dangvien.accounts.models import Role
    from dangvien.core.dates import add_months
    from dangvien.factories import make_member, make_person, user_with_role
    from dangvien.members.actions import add_probationary_member
    from dangvien.members.models import Attendance, Meeting, MeetingKind

    today = timezone.localdate()
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    due = add_probationary_member(
        make_person(family_name="Đinh", given_name="Hòa"),
        branch=tree["village"],
        admitted_on=add_months(today, -12) - timedelta(days=35),
        decision_no="5-QĐ/ĐU",
        ceremony_on=add_months(today, -12) - timedelta(days=25),
        by=None,
    )
    absent = make_member(branch=tree["village"], person=make_person(given_name="Vắng"))
    stranger = make_member(branch=tree["other_branch"], person=make_person(given_name="Xa"))
    for back in (1, 2, 3):
        month = add_months(today.replace(day=1), -back)
        for branch, member in ((tree["village"], absent), (tree["other_branch"], stranger)):
            meeting = Meeting.objects.create(
                organisation=branch,
                org_path=branch.path,
                kind=MeetingKind.REGULAR,
                held_on=month + timedelta(days=4),
            )
            Attendance.objects.create(meeting=meeting, member=member, present=False)
    client.force_login(secretary)
    page = client.get("/").content.decode()
    recognition = page.split('id="todo-recognition"')[1].split("</section>")[0]
    removal = page.split('id="todo-removal"')[1].split("</section>")[0]
    assert due.person.full_name in recognition
    assert absent.person.full_name in removal
    assert stranger.person.full_name not in page
