"""Security headers and transport settings (settings.py, section "Content-Security-Policy
and transport security"): every page carries a Content-Security-Policy without
unsafe-inline or unsafe-eval (OWASP ASVS 5.0 V3.4.3), the framing, sniffing, referrer and
opener headers (V3.4), and a production start-up redirects to HTTPS, sends HSTS for a
year with subdomains, marks its cookies Secure/HttpOnly/SameSite=Lax (V3.3, V12) and
passes ``manage.py check --deploy --fail-level WARNING``."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

from dangvien.accounts.models import Role
from dangvien.core.headers import permissions_policy
from dangvien.factories import make_candidate, make_member, tree_2025, user_with_role

PROJECT = Path(__file__).resolve().parents[3]
HOST = "dangvien.example.vn"

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
OTHER_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PERMISSIONS = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)


def policy(header: str) -> dict[str, str]:
    """``"a 'self'; b"`` → ``{"a": "'self'", "b": ""}``."""
    parts = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value.strip() for name, _, value in parts}


def strict_policy_problems(path: str, headers: Any) -> list[str]:
    header = headers.get("Content-Security-Policy")
    if not header:
        return [f"{path}: no Content-Security-Policy"]
    problems = [f"{path}: {word}" for word in ("unsafe-inline", "unsafe-eval") if word in header]
    directives = policy(header)
    problems += [
        f"{path}: {name} is {directives.get(name)!r}, not {value!r}"
        for name, value in STRICT.items()
        if directives.get(name) != value
    ]
    problems += [
        f"{path}: {name} is {headers.get(name)!r}, not {value!r}"
        for name, value in OTHER_HEADERS.items()
        if headers.get(name) != value
    ]
    return problems


def pages_without_parameters() -> list[str]:
    """Every page (not the API) whose address takes no parameter, logout aside."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        found = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                found.append("/" + route.lstrip("^").rstrip("$"))
        return found

    return sorted(
        {
            path
            for path in walk(get_resolver().url_patterns, "")
            if not path.startswith("/api/") and "logout" not in path and "dang-xuat" not in path
        }
    )


@pytest.mark.django_db
def test_every_page_sends_the_strict_policy_and_the_other_security_headers(client, settings):
    settings.SECOND_FACTOR_REQUIRED = False  # the pages here; the second factor: accounts' tests
    tree = tree_2025()
    candidate = make_candidate(branch=tree["village"])
    member = make_member(branch=tree["village"])
    # Board staff of the province who is also the site's administrator: sees every page.
    client.force_login(
        user_with_role(Role.BOARD_STAFF, tree["province"], is_superuser=True, is_staff=True)
    )
    details = [
        f"/quan-chung/{candidate.pk}/",
        f"/dang-vien/{member.pk}/",
        f"/to-chuc/{tree['commune'].pk}/",
        f"/thong-ke/{tree['commune'].pk}/",
    ]
    pages = pages_without_parameters()
    assert "/" in pages and "/quan-chung/" in pages and "/quan-tri/" in pages
    statuses = {}
    problems = []
    for path in [*pages, *details]:
        response = client.get(path)
        statuses[path] = response.status_code
        problems += strict_policy_problems(path, response.headers)
    assert not problems, "\n".join(problems)
    # The pages were really rendered, not turned away at the door.
    key_pages = {path: statuses[path] for path in ["/", "/quan-chung/", "/dang-vien/", *details]}
    assert set(key_pages.values()) == {200}, key_pages
    assert sum(status == 200 for status in statuses.values()) >= 70


@pytest.mark.django_db
def test_the_login_page_a_missing_page_and_the_api_carry_the_policy_too(client):
    answers = {
        "/dang-nhap/": client.get("/dang-nhap/"),
        "/khong-co-trang-nay/": client.get("/khong-co-trang-nay/"),
        "/api/v1/members": client.get("/api/v1/members"),
    }
    assert [a.status_code for a in answers.values()] == [200, 404, 401]
    problems = [p for path, a in answers.items() for p in strict_policy_problems(path, a.headers)]
    assert not problems, "\n".join(problems)


def test_development_neither_upgrades_requests_nor_redirects_to_https(settings):
    assert settings.ENVIRONMENT == "development"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["upgrade-insecure-requests"] is False
    assert not settings.SECURE_SSL_REDIRECT and settings.SECURE_HSTS_SECONDS == 0


def test_the_permissions_policy_is_written_from_the_setting():
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )
    assert permissions_policy({}) == ""


def test_the_permissions_policy_middleware_is_installed(settings):
    assert "dangvien.core.headers.PermissionsPolicyMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_pages_switch_off_the_browser_features_the_app_never_uses(client):
    response = client.get("/dang-nhap/")
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.django_db
def test_an_answer_that_sets_its_own_permissions_policy_keeps_it(settings, rf):
    from dangvien.core.headers import PermissionsPolicyMiddleware

    def view(request: Any) -> HttpResponse:
        response = HttpResponse("ok")
        response["Permissions-Policy"] = "camera=(self)"
        return response

    plain = PermissionsPolicyMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    own = PermissionsPolicyMiddleware(view)(rf.get("/"))
    assert plain["Permissions-Policy"] == PERMISSIONS
    assert own["Permissions-Policy"] == "camera=(self)"


# --- a production start-up, in a subprocess with the deployment's environment ---


def production_environment(tmp_path: Path, **changes: str) -> dict[str, str]:
    """What the deployment sets (docs/deploy.md): nothing inherited from the test run."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "dangvien.settings",
        "DANGVIEN_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DANGVIEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dangvien.sqlite3'}",
        "FIELD_ENCRYPTION_KEYS": "k1=" + base64.b64encode(os.urandom(32)).decode(),
        "BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "OTP_WEBAUTHN_RP_ID": HOST,
        "OTP_WEBAUTHN_ALLOWED_ORIGINS": f"https://{HOST}",
    }
    environment.update(changes)
    return environment


def run(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_finds_nothing_to_warn_about_in_production(tmp_path):
    done = run(
        production_environment(tmp_path),
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_a_production_without_https(tmp_path):
    weakened = production_environment(
        tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0"
    )
    done = run(weakened, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr + done.stdout, check


ANSWERS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST=%(host)r)
plain = client.get("/dang-nhap/")
secure = client.get("/khong-co-trang-nay/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, dict(secure.headers)],
    "cookies": {name: dict(morsel) for name, morsel in secure.cookies.items()},
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                       settings.SESSION_COOKIE_SAMESITE],
}))
"""


def test_a_production_start_up_redirects_to_https_and_sends_hsts_and_the_policy(tmp_path):
    done = run(production_environment(tmp_path), "-c", ANSWERS % {"host": HOST})
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])

    # Plain HTTP (the proxy says so) is sent to HTTPS.
    assert answers["plain"] == [301, f"https://{HOST}/dang-nhap/"]

    # Over HTTPS (X-Forwarded-Proto from the proxy): HSTS, the policy, the other headers.
    status, headers = answers["secure"]
    assert status == 404
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert not strict_policy_problems("404 over https", headers)
    assert "upgrade-insecure-requests" in policy(headers["Content-Security-Policy"])

    csrf = answers["cookies"]["csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")
    assert answers["session_cookie"] == [True, True, "Lax"]


def test_without_the_proxy_header_a_request_counts_as_plain_http(tmp_path):
    """SECURE_PROXY_SSL_HEADER="" (TLS ended by the app server itself): the forwarded header
    is not believed, so a client cannot claim HTTPS by sending it."""
    environment = production_environment(tmp_path, SECURE_PROXY_SSL_HEADER="")
    done = run(environment, "-c", ANSWERS % {"host": HOST})
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert answers["secure"][0] == 301
