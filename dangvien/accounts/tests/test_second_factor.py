"""Second factor after the password for the roles that decide (issue 9): who needs it, the
way through "Xác thực hai lớp" and its set-up, backup codes, the demo exemption, the
"Bảo mật tài khoản" page and the passkey endpoints' rules."""

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from dangvien.accounts.actions import (
    exempt_from_second_factor,
    mark_demo_database,
    verify_second_factor,
)
from dangvien.accounts.models import AuthenticatorApp, Role
from dangvien.accounts.queries import is_demo_database, must_use_second_factor
from dangvien.accounts.tests.helpers import (  # noqa: F401 (fixture)
    app_code,
    enrol,
    log_in,
    second_factor_on,
)
from dangvien.factories import make_user, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]


def _pass_code(client: Client, code: str, next_url: str = "/") -> Any:
    return client.post("/xac-thuc/", {"code": code, "next": next_url})


# ---- who needs it ---------------------------------------------------------------------


def test_every_role_that_decides_needs_a_second_factor_and_a_leader_does_not(tree):
    for role, node in (
        (Role.BRANCH_SECRETARY, "village"),
        (Role.GRASSROOTS_STAFF, "school"),
        (Role.BOARD_STAFF, "commune"),
        (Role.AUDITOR, "province"),
    ):
        assert must_use_second_factor(user_with_role(role, tree[node])), role
    assert not must_use_second_factor(user_with_role(Role.LEADER, tree["province"]))
    assert not must_use_second_factor(make_user())
    assert must_use_second_factor(make_user(is_superuser=True))
    assert must_use_second_factor(make_user(is_staff=True))


def test_an_inactive_role_demands_nothing(tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    user.roles.update(active=False)
    assert not must_use_second_factor(type(user).objects.get(pk=user.pk))


def test_the_capabilities_that_demand_a_second_factor_are_a_setting(tree, settings):
    settings.SECOND_FACTOR_CAPABILITIES = ["decide"]
    assert not must_use_second_factor(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert must_use_second_factor(user_with_role(Role.BOARD_STAFF, tree["commune"]))


def test_with_the_setting_off_nobody_needs_a_second_factor(tree, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert not must_use_second_factor(make_user(is_superuser=True))
    assert not must_use_second_factor(user_with_role(Role.BOARD_STAFF, tree["commune"]))


def test_the_demo_exemption_is_ignored_in_a_database_not_marked_as_demo(tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    exempt_from_second_factor(user)
    assert not is_demo_database()
    assert must_use_second_factor(type(user).objects.get(pk=user.pk))

    mark_demo_database()
    assert is_demo_database()
    assert not must_use_second_factor(type(user).objects.get(pk=user.pk))
    # Only the flagged users are let off, even in the demo.
    assert must_use_second_factor(user_with_role(Role.BOARD_STAFF, tree["commune"]))


def test_an_exempt_demo_user_logs_in_with_the_password_alone_only_in_a_demo_database(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    exempt_from_second_factor(user)
    assert log_in(client, user)["Location"].startswith("/xac-thuc/thiet-lap/")

    mark_demo_database()
    client.post("/dang-xuat/")
    assert log_in(client, user)["Location"] == "/"
    assert client.get("/").status_code == 200


# ---- password, then the code ----------------------------------------------------------


def test_after_the_password_the_code_is_asked_then_the_page_asked_for_opens(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    answer = client.post(
        "/dang-nhap/?next=/quan-chung/",
        {"username": user.username, "password": "mat-khau-thu-nghiem", "next": "/quan-chung/"},
    )
    assert answer["Location"] == "/xac-thuc/?next=%2Fquan-chung%2F"
    page = client.get(answer["Location"]).content.decode()
    assert "Xác thực hai lớp" in page
    assert "còn 10 mã" in page  # the backup codes are offered too

    # Every other page sends the user back to the code.
    assert client.get("/quan-chung/")["Location"] == "/xac-thuc/?next=%2Fquan-chung%2F"
    assert client.get("/tai-khoan/bao-mat/")["Location"].startswith("/xac-thuc/")

    answer = _pass_code(client, app_code(device), "/quan-chung/")
    assert answer["Location"] == "/quan-chung/"
    assert client.get("/quan-chung/").status_code == 200


def test_a_wrong_code_is_refused_in_vietnamese_and_the_user_stays_on_the_page(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    enrol(user)
    log_in(client, user)
    answer = _pass_code(client, "000000")
    assert answer.status_code == 200
    assert "Mã xác thực không đúng hoặc đã hết hạn." in answer.content.decode()
    assert client.get("/")["Location"].startswith("/xac-thuc/")


def test_after_repeated_wrong_codes_the_device_makes_the_user_wait(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    # django-otp's throttle: after n wrong codes the device refuses any code for 2^(n-1) s.
    AuthenticatorApp.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    log_in(client, user)
    answer = _pass_code(client, app_code(device))  # even the right code waits
    assert "Đã nhập sai nhiều lần liên tiếp: chờ" in answer.content.decode()
    assert client.get("/")["Location"].startswith("/xac-thuc/")


def test_a_code_of_the_app_is_accepted_once_only(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    code = app_code(device)
    assert verify_second_factor(user, code) == device
    assert verify_second_factor(user, code) is None


def test_a_backup_code_passes_once_and_says_how_many_are_left(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    _device, codes = enrol(user)
    log_in(client, user)
    answer = _pass_code(client, codes[0].upper().replace("-", " "))  # as typed from paper
    assert answer["Location"] == "/"
    assert "còn 9 mã" in client.get("/").content.decode()

    client.post("/dang-xuat/")
    log_in(client, user)
    assert "Mã xác thực không đúng" in _pass_code(client, codes[0]).content.decode()


def test_backup_codes_are_stored_only_as_keyed_hashes(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    _device, codes = enrol(user)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == len(codes) == 10
    assert not stored & {code.replace("-", "") for code in codes}


def test_the_next_page_must_belong_to_this_site(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    log_in(client, user)
    answer = _pass_code(client, app_code(device), "https://example.com/")
    assert answer["Location"] == "/"


def test_a_user_who_set_up_an_app_voluntarily_is_asked_for_it(client, tree):
    leader = user_with_role(Role.LEADER, tree["province"])
    assert log_in(client, leader)["Location"] == "/"
    device, _codes = enrol(leader)
    client.post("/dang-xuat/")
    assert log_in(client, leader)["Location"].startswith("/xac-thuc/")
    assert _pass_code(client, app_code(device))["Location"] == "/"


def test_the_api_does_not_open_to_a_session_that_owes_the_second_factor(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device, _codes = enrol(user)
    log_in(client, user)
    assert client.get("/api/v1/candidates").status_code == 401
    _pass_code(client, app_code(device))
    assert client.get("/api/v1/candidates").status_code == 200


def test_an_htmx_request_is_sent_to_the_second_factor_as_a_whole_page(client, tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    enrol(user)
    log_in(client, user)
    answer = client.get("/quan-chung/", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == "/xac-thuc/"


# ---- set-up ---------------------------------------------------------------------------


def test_a_user_who_must_and_has_no_device_can_reach_only_the_set_up(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    assert log_in(client, user)["Location"] == "/xac-thuc/thiet-lap/?next=%2F"
    for path in ("/", "/quan-chung/", "/dang-vien/", "/tai-khoan/bao-mat/", "/quan-tri/"):
        assert client.get(path)["Location"].startswith("/xac-thuc/thiet-lap/"), path
    assert client.get("/xac-thuc/")["Location"].startswith("/xac-thuc/thiet-lap/")


def test_set_up_shows_a_qr_code_drawn_here_and_refuses_a_wrong_code(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    log_in(client, user)
    page = client.get("/xac-thuc/thiet-lap/").content.decode()
    assert 'src="data:image/svg+xml' in page
    assert "Thiết lập xác thực hai lớp" in page
    device = AuthenticatorApp.objects.get(user=user)
    assert not device.confirmed
    # Reloading keeps the same secret (the QR code already scanned stays valid).
    client.get("/xac-thuc/thiet-lap/")
    assert AuthenticatorApp.objects.filter(user=user).count() == 1

    answer = client.post("/xac-thuc/thiet-lap/", {"code": "123456"})
    assert "Mã xác thực không đúng" in answer.content.decode()
    assert not AuthenticatorApp.objects.get(pk=device.pk).confirmed


def test_set_up_confirms_the_app_and_shows_ten_backup_codes_once(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    log_in(client, user)
    client.get("/xac-thuc/thiet-lap/")
    device = AuthenticatorApp.objects.get(user=user)
    answer = client.post("/xac-thuc/thiet-lap/", {"code": app_code(device), "next": "/dang-vien/"})
    assert answer["Location"] == "/xac-thuc/ma-du-phong/?next=%2Fdang-vien%2F"
    page = client.get(answer["Location"]).content.decode()
    codes = page.split('<ol class="backup-codes" translate="no">')[1].split("</ol>")[0]
    assert codes.count("<li>") == 10
    assert 'href="/dang-vien/"' in page
    # Shown once: the page does not show them again.
    assert client.get("/xac-thuc/ma-du-phong/")["Location"] == "/tai-khoan/bao-mat/"
    # The session has passed the second factor: the rest of the site opens.
    assert client.get("/dang-vien/").status_code == 200


def test_someone_with_a_device_passes_it_before_adding_another(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    enrol(user)
    log_in(client, user)
    assert client.get("/xac-thuc/thiet-lap/")["Location"].startswith("/xac-thuc/?next=")


# ---- "Bảo mật tài khoản" --------------------------------------------------------------


def _a_while_later(user: Any) -> None:
    """The throttle's wait after a wrong code has passed (1 s after the first)."""
    from datetime import timedelta

    from django_otp.plugins.otp_static.models import StaticDevice

    for model in (AuthenticatorApp, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
        )


def _verified(client: Client, user: Any) -> AuthenticatorApp:
    device, _codes = enrol(user)
    log_in(client, user)
    _pass_code(client, app_code(device))
    return device


def test_the_security_page_lists_apps_passkeys_and_backup_codes_left(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    _verified(client, user)
    page = client.get("/tai-khoan/bao-mat/").content.decode()
    assert "Bảo mật tài khoản" in page
    assert "Ứng dụng xác thực" in page
    assert "Khóa truy cập (passkey)" in page
    assert "Còn <strong>10</strong> mã" in page
    assert "Đổi mật khẩu" in page


def test_removing_an_app_needs_a_fresh_code(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    first = _verified(client, user)
    second = AuthenticatorApp.objects.create(user=user, name="Điện thoại dự phòng", confirmed=True)
    answer = client.post(f"/tai-khoan/bao-mat/xoa/app/{second.pk}/", {"code": "000000"})
    assert answer.status_code == 400
    assert "Mã xác thực không đúng" in answer.content.decode()
    assert AuthenticatorApp.objects.filter(pk=second.pk).exists()

    _a_while_later(user)
    answer = client.post(
        f"/tai-khoan/bao-mat/xoa/app/{second.pk}/", {"code": app_code(first, steps_ahead=1)}
    )
    assert answer["Location"] == "/tai-khoan/bao-mat/"
    assert not AuthenticatorApp.objects.filter(pk=second.pk).exists()


def test_the_last_app_of_a_user_who_must_use_a_second_factor_stays(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    device = _verified(client, user)
    answer = client.post(
        f"/tai-khoan/bao-mat/xoa/app/{device.pk}/", {"code": app_code(device, steps_ahead=1)}
    )
    assert answer.status_code == 400
    assert "thiết bị xác thực cuối cùng" in answer.content.decode()
    assert AuthenticatorApp.objects.filter(pk=device.pk).exists()


def test_another_users_device_cannot_be_removed(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    _verified(client, user)
    other, _codes = enrol(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    answer = client.post(f"/tai-khoan/bao-mat/xoa/app/{other.pk}/", {"code": "000000"})
    assert answer.status_code == 404
    assert client.post("/tai-khoan/bao-mat/xoa/printer/1/", {"code": "1"}).status_code == 404


def test_new_backup_codes_need_a_fresh_code_and_replace_the_old_ones(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    device = _verified(client, user)
    old = set(StaticToken.objects.values_list("token", flat=True))
    answer = client.post("/tai-khoan/bao-mat/ma-du-phong/", {"code": "000000"})
    assert answer.status_code == 400
    assert set(StaticToken.objects.values_list("token", flat=True)) == old

    _a_while_later(user)
    answer = client.post(
        "/tai-khoan/bao-mat/ma-du-phong/", {"code": app_code(device, steps_ahead=1)}
    )
    assert answer["Location"].startswith("/xac-thuc/ma-du-phong/")
    assert client.get(answer["Location"]).content.decode().count("</li>") >= 10
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10
    assert not new & old


# ---- passkeys -------------------------------------------------------------------------


def test_a_passkey_is_added_only_after_passing_the_second_factor(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    device, _codes = enrol(user)
    log_in(client, user)
    begin = "/xac-thuc/khoa-truy-cap/dang-ky/bat-dau/"
    answer = client.post(begin)
    assert answer.status_code == 403
    assert answer.json()["code"] == "user_not_verified"

    _pass_code(client, app_code(device))
    options = json.loads(client.post(begin).content)
    assert options["rp"] == {"name": "Phát triển đảng viên", "id": "localhost"}
    assert options["challenge"]


def test_a_user_who_must_and_has_no_device_cannot_start_with_a_passkey(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    log_in(client, user)
    answer = client.post("/xac-thuc/khoa-truy-cap/dang-ky/bat-dau/")
    assert answer.status_code == 403


def test_a_passkey_is_never_a_way_in_without_the_password(client, tree):
    answer = client.post("/xac-thuc/khoa-truy-cap/xac-thuc/bat-dau/")
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_authenticated"


# ---- lost phone -----------------------------------------------------------------------


def test_an_administrator_resets_a_lost_second_factor_and_the_set_up_starts_again(client, tree):
    from dangvien.accounts.actions import reset_second_factor

    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    enrol(user)
    admin = make_user(is_superuser=True, is_staff=True)
    assert reset_second_factor(user, by=admin) == 2  # the app and the set of backup codes
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert log_in(client, user)["Location"].startswith("/xac-thuc/thiet-lap/")


def test_the_admin_site_offers_the_reset_to_a_verified_superuser(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    enrol(user)
    admin = make_user(is_superuser=True, is_staff=True)
    device, _codes = enrol(admin)
    log_in(client, admin)
    assert client.get("/quan-tri/")["Location"].startswith("/xac-thuc/")
    _pass_code(client, app_code(device))
    answer = client.post(
        "/quan-tri/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "Đã xóa 2 thiết bị của 1 tài khoản" in answer.content.decode()
    assert not AuthenticatorApp.objects.filter(user=user).exists()
