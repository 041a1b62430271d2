"""Passwords (OWASP ASVS 5.0 V6.2): 8 characters or more, 64 and beyond allowed, no
composition rules, no breached or easily guessed password; "Đổi mật khẩu"."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import ApiToken
from dangvien.accounts.tests.helpers import PASSWORD, log_in
from dangvien.accounts.validators import is_breached
from dangvien.factories import make_user

pytestmark = pytest.mark.django_db


def _refusals(password: str, **user_fields: str) -> list[str]:
    try:
        validate_password(password, make_user(**user_fields) if user_fields else None)
    except ValidationError as error:
        return list(error.messages)
    return []


def test_a_password_of_seven_characters_is_too_short_and_eight_will_do():
    assert _refusals("q7#Lm2x") == ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]
    assert _refusals("q7#Lm2xw") == []


def test_any_composition_is_accepted():
    """No rule about upper case, digits or symbols (V6.2.5)."""
    for password in (
        "chimsechotrenmaitranh",
        "48213907561",
        "ĐÊM QUA RA ĐỨNG BỜ AO",
        "🌾🌾 lúa chín vàng đồng",
    ):
        assert _refusals(password) == [], password


def test_passwords_of_64_characters_and_more_are_allowed_up_to_128():
    long_phrase = "Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau."
    assert len(long_phrase) >= 64
    assert _refusals(long_phrase) == []
    assert _refusals("x" * 100 + "y" * 28) == []
    assert _refusals("x" * 129) == ["Mật khẩu quá dài: tối đa 128 ký tự."]


@pytest.mark.parametrize(
    "password",
    [
        "password123",  # Django's common list
        "qwertyuiop",
        "iloveyou2",
        "wakecleanse",  # in SecLists' breached list, not in Django's
        "hoanganh123",
        "matkhau123",  # Vietnamese ones
        "Mật khẩu 123",  # the same typed with diacritics and spaces
        "anhyeuem",
        "123456789",
        "dangvien2025",  # this application's words
        "chibo@123",
        "15081990",  # a birthday
    ],
)
def test_breached_and_easily_guessed_passwords_are_refused_in_vietnamese(password):
    refusals = _refusals(password)
    assert any("danh sách mật khẩu đã bị lộ hoặc dễ đoán" in text for text in refusals), refusals


def test_the_breached_list_shipped_with_the_app_is_large():
    """SecLists' top million, 8 to 128 characters (data/README.md): 474,743 entries."""
    from dangvien.accounts.validators import _breached

    assert len(_breached()) > 470_000
    assert is_breached("thanhhuong")  # not in Django's list of 20,000
    assert not is_breached("đồng lúa chín vàng 2025 ở quê nhà")


def test_a_password_like_the_users_name_is_refused():
    refusals = _refusals("nguyenvanhung", username="nguyenvanhung")
    assert refusals and "quá giống" in refusals[0]


def _change(client, old: str, new: str, again: str | None = None):
    return client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_the_password_change_page_needs_the_current_password(client):
    user = make_user()
    log_in(client, user)
    page = client.get("/tai-khoan/doi-mat-khau/").content.decode()
    assert "Đổi mật khẩu" in page
    assert "Mật khẩu hiện tại" in page
    assert 'type="password"' in page

    answer = _change(client, "sai-mat-khau", "cay-tre-lang-que-2025")
    assert "Mật khẩu hiện tại không đúng." in answer.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_change_page_refuses_a_breached_password_and_a_mismatch(client):
    user = make_user()
    log_in(client, user)
    page = _change(client, PASSWORD, "matkhau123").content.decode()
    assert "đã bị lộ hoặc dễ đoán" in page
    page = _change(
        client, PASSWORD, "cay-tre-lang-que-2025", "cay-tre-lang-que-2026"
    ).content.decode()
    assert "Hai lần nhập mật khẩu mới không giống nhau." in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others_and_the_tokens(client):
    from django.test import Client

    user = make_user()
    elsewhere = Client()
    log_in(elsewhere, user)
    log_in(client, user)
    issue_api_token(user, by=user)

    answer = _change(client, PASSWORD, "cay-tre-lang-que-2025")
    assert answer["Location"] == "/tai-khoan/bao-mat/"
    user.refresh_from_db()
    assert user.check_password("cay-tre-lang-que-2025")
    assert client.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/dang-nhap/")
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
