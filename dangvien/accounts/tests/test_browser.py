"""Two-factor login through the pages in Chromium (issue 9): set-up with the QR code and
backup codes, "Bảo mật tài khoản", a passkey added and used through Chromium's virtual
authenticator, a backup code, the password change page and the lockout page."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from dangvien.accounts.models import AuthenticatorApp, Role
from dangvien.accounts.tests.helpers import PASSWORD, app_code, second_factor_on  # noqa: F401
from dangvien.factories import tree_2025, user_with_role

# serialized_rollback: see candidates/tests/test_browser.py.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("second_factor_on"),
]


def _password_step(page: Any, username: str, next_url: str = "") -> None:
    page.context.clear_cookies()
    page.goto(f"/dang-nhap/{'?next=' + next_url if next_url else ''}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")


def _patient(page: Any) -> Any:
    """Eight helpers share two cores: give slow first page loads time."""
    page.set_default_timeout(60_000)
    return page


# htmx's own indicator <style>, refused by the policy until base.html's htmx-config says
# includeIndicatorStyles: false (the CSP work, issue 9); not these pages' doing.
HTMX_INDICATOR_STYLE = "sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk="


def _problems(page: Any) -> list[str]:
    """Console errors and Content-Security-Policy violations, collected on the page."""
    seen: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and HTMX_INDICATOR_STYLE not in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_a_commune_officer_sets_up_two_factor_login_and_uses_a_passkey(
    browser_page: Any, screenshot: Any, live_server: Any, settings: Any
) -> None:
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    page = _patient(browser_page)
    problems = _problems(page)
    tree = tree_2025()
    user = user_with_role(Role.BOARD_STAFF, tree["commune"], username="bantochuc")

    # Password, then the set-up: nothing else opens until it is done.
    _password_step(page, "bantochuc", "/quan-chung/")
    page.wait_for_url("**/xac-thuc/thiet-lap/**")
    page.goto("/dang-vien/")
    page.wait_for_url("**/xac-thuc/thiet-lap/**")
    assert page.locator("img.qr").evaluate("img => img.naturalWidth > 100")
    screenshot("setup")
    device = AuthenticatorApp.objects.get(user=user)
    page.fill("#id_code", "000000")
    page.click(".code-form button[type=submit]")
    page.wait_for_selector("text=Mã xác thực không đúng")
    # A person takes more than the throttle's one second to type the next code.
    AuthenticatorApp.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )
    page.fill("#id_code", app_code(device, steps_ahead=1))
    page.click(".code-form button[type=submit]")

    page.wait_for_url("**/xac-thuc/ma-du-phong/**")
    codes = page.locator("ol.backup-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot("backup-codes")
    page.click("text=Tôi đã lưu các mã, tiếp tục")
    page.wait_for_url("**/dang-vien/")

    # "Bảo mật tài khoản": add a passkey with Chromium's virtual authenticator.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/tai-khoan/bao-mat/")
    page.click("text=Thêm khóa truy cập")
    page.wait_for_selector("#passkeys table.list")
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    page.locator("#apps details.remove-device summary").click()
    screenshot("security")

    # Next login: the passkey instead of the code.
    page.click("header .usermenu button[type=submit]")  # Đăng xuất (POST)
    page.wait_for_url("**/dang-nhap/")
    _password_step(page, "bantochuc", "/quan-chung/")
    page.wait_for_url("**/xac-thuc/?next=**")
    page.wait_for_selector("[data-passkey='authenticate']:not([hidden])")
    screenshot("second-factor")
    page.click("text=Dùng khóa truy cập (passkey)")
    page.wait_for_url("**/quan-chung/")

    # And a backup code, typed as printed.
    _password_step(page, "bantochuc")
    page.wait_for_url("**/xac-thuc/?next=**")
    page.fill("#id_code", codes[0])
    page.click(".code-form button[type=submit]")
    page.wait_for_selector("text=còn 9 mã")

    page.goto("/tai-khoan/doi-mat-khau/")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "matkhau123")
    page.fill("#id_new_password2", "matkhau123")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=đã bị lộ hoặc dễ đoán")
    screenshot("password-change")
    assert problems == [], "\n".join(problems)


def test_the_lockout_page(browser_page: Any, screenshot: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    page = _patient(browser_page)
    user_with_role(Role.LEADER, tree_2025()["province"], username="lanhdao")
    for _ in range(3):
        page.goto("/dang-nhap/")
        page.fill("#id_username", "lanhdao")
        page.fill("#id_password", "sai-mat-khau")
        page.click("main form button[type=submit]")
    page.wait_for_selector("text=Tài khoản tạm khóa")
    screenshot("locked-out")
    assert (
        Client()
        .post("/dang-nhap/", {"username": "lanhdao", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
        .status_code
        == 302
    )
