from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from dangvien.accounts import sessions
from dangvien.accounts import todo as home_todo
from dangvien.accounts.actions import (
    SecondFactorWait,
    change_password,
    check_second_factor,
    confirm_totp_device,
    issue_backup_codes,
    remove_second_factor_device,
    start_totp_enrolment,
)
from dangvien.accounts.forms import CodeForm, PasswordChangeForm
from dangvien.accounts.models import AuthenticatorApp
from dangvien.accounts.queries import must_use_second_factor, second_factors
from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.models import Candidate, Stage
from dangvien.core.dates import add_months
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import rule
from dangvien.exams.queries import todo as exam_todo
from dangvien.members import queries as member_queries
from dangvien.members.queries import meetings as meeting_queries
from dangvien.members.queries import probation as probation_queries
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import scope_paths, units_managed_by
from dangvien.privacy import queries as privacy_queries
from dangvien.reviews.queries import todo as review_todo
from dangvien.reviews.queries.removal import FailedList, failed_running_first
from dangvien.screening.queries import cases as screening_queries
from dangvien.stats.queries import todo as stats_todo

ENDED_MESSAGES = {
    "idle": "Phiên làm việc đã kết thúc vì không thao tác trong {minutes} phút. "
    "Vui lòng đăng nhập lại.",
    "absolute": "Phiên làm việc đã quá {hours} giờ kể từ lúc đăng nhập. Vui lòng đăng nhập lại.",
}


def _next(request: HttpRequest) -> str:
    """The page to go on to: ``next`` when it is a page of this site, else the home page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """Password first; a user who owes a second factor goes on to "Xác thực hai lớp" (or
    to its set-up), carrying the page they asked for."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if sessions.second_factor_pending(self.request):
            user: Any = self.request.user
            step = "second-factor" if second_factors(user).any else "second-factor-setup"
            return _with_next(reverse(step), url)
        return url

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(sessions.ENDED, None)
        if reason in ENDED_MESSAGES:
            context["ended"] = ENDED_MESSAGES[reason].format(
                minutes=settings.SESSION_IDLE_TIMEOUT // 60,
                hours=settings.SESSION_COOKIE_AGE // 3600,
            )
        return context


def _cooloff_text() -> str:
    cooloff: Any = settings.AXES_COOLOFF_TIME
    if callable(cooloff) or isinstance(cooloff, str):
        return "một thời gian"
    if not isinstance(cooloff, timedelta):
        cooloff = timedelta(hours=float(cooloff))
    minutes = round(cooloff.total_seconds() / 60)
    if minutes % 60 == 0:
        return f"{minutes // 60} giờ"
    return f"{minutes} phút"


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page django-axes shows once a user name is locked for this address (the lock
    is on the pair: settings AXES_LOCKOUT_PARAMETERS), after wrong passwords or wrong
    second-factor codes (AXES_LOCKOUT_CALLABLE)."""
    context = {"cooloff": _cooloff_text(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)


def _is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


@login_required
def second_factor(request: AuthedRequest) -> HttpResponse:
    """ "Xác thực hai lớp": a code from the authenticator app, a passkey, or a backup
    code. A wrong code counts on the device's throttle and towards the django-axes
    lockout of this user name at this address; once locked, the session ends."""
    user: Any = request.user
    next_url = _next(request)
    if user.is_verified():
        return redirect(next_url)
    factors = second_factors(user)
    if not factors.any:
        return redirect(_with_next(reverse("second-factor-setup"), next_url))
    if _is_locked(request, user.username):
        logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = check_second_factor(user, form.cleaned_data["code"])
        except SecondFactorWait as error:
            form.add_error("code", str(error))
        except DomainError as error:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                logout(request)  # the axes middleware answers with the lockout page too
                return locked_out(request)
            form.add_error("code", str(error))
        else:
            otp_login(request, device)
            request.session.cycle_key()  # a new session key once fully logged in (V7.2.4)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"Bạn vừa dùng một mã dự phòng; còn {left} mã. "
                    "Vào “Bảo mật tài khoản” để tạo bộ mã mới khi cần.",
                )
            return redirect(next_url)
    context = {"form": form, "next": next_url, "factors": factors}
    return render(request, "accounts/second_factor.html", context)


def _qr(device: AuthenticatorApp) -> str:
    """The otpauth:// link as a QR code, an SVG data URI drawn here (no outside service)."""
    return segno.make(device.config_url, error="l").svg_data_uri(scale=5, border=2)


def _secret(device: AuthenticatorApp) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
def second_factor_setup(request: AuthedRequest) -> HttpResponse:
    """ "Thiết lập xác thực hai lớp": scan the QR code with an authenticator app, type the
    code it shows; the first set of backup codes follows, shown once. Someone who has a
    device already must pass the second factor before adding another."""
    user: Any = request.user
    next_url = _next(request)
    factors = second_factors(user)
    if factors.any and not user.is_verified():
        return redirect(_with_next(reverse("second-factor"), next_url))
    device = start_totp_enrolment(user, by=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = confirm_totp_device(
                device,
                code=form.cleaned_data["code"],
                by=user,
                backup_codes=not factors.backup_left,
            )
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            if not user.is_verified():
                otp_login(request, device)
                request.session.cycle_key()
            if codes:
                request.session[sessions.BACKUP_CODES] = codes
                return redirect(_with_next(reverse("backup-codes"), next_url))
            messages.success(request, "Đã thêm ứng dụng xác thực.")
            return redirect("account-security")
    context = {
        "form": form,
        "next": next_url,
        "qr": _qr(device),
        "secret": _secret(device),
        "first": not factors.any,
        "must": must_use_second_factor(user),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
def backup_codes(request: AuthedRequest) -> HttpResponse:
    """The backup codes just issued, shown once: the session forgets them here."""
    codes = request.session.pop(sessions.BACKUP_CODES, None)
    if not codes:
        return redirect("account-security")
    context = {"codes": codes, "next": _next(request)}
    response = render(request, "accounts/backup_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def security(request: AuthedRequest) -> HttpResponse:
    """ "Bảo mật tài khoản": the user's authenticator apps, passkeys and backup codes."""
    context = {
        "nav": "",
        "factors": second_factors(request.user),
        "must": must_use_second_factor(request.user),
        "form": CodeForm(),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_required
def new_backup_codes(request: AuthedRequest) -> HttpResponse:
    """A new set of backup codes, after a fresh code (OWASP ASVS 5.0 V7.5.1)."""
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            check_second_factor(request.user, form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            request.session[sessions.BACKUP_CODES] = issue_backup_codes(
                request.user, by=request.user
            )
            return redirect(_with_next(reverse("backup-codes"), reverse("account-security")))
    context = {
        "factors": second_factors(request.user),
        "must": must_use_second_factor(request.user),
        "form": CodeForm(),
        "codes_form": form,
    }
    return render(request, "accounts/security.html", context, status=400)


DEVICE_KINDS: dict[str, Any] = {"app": AuthenticatorApp, "passkey": WebAuthnCredential}


@require_POST
@login_required
def remove_device(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """Remove an authenticator app or a passkey, after a fresh code (V7.5.1)."""
    model = DEVICE_KINDS.get(kind)
    device = model.objects.filter(user=request.user, pk=pk).first() if model else None
    if device is None:
        raise Http404
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            remove_second_factor_device(device, code=form.cleaned_data["code"], by=request.user)
        except DomainError as error:
            form.add_error(error.field if error.field == "code" else None, str(error))
        else:
            messages.success(request, "Đã xóa thiết bị.")
            return redirect("account-security")
    context = {
        "factors": second_factors(request.user),
        "must": must_use_second_factor(request.user),
        "form": CodeForm(),
        "remove_form": form,
        "removing_kind": kind,
        "removing_pk": pk,
    }
    return render(request, "accounts/security.html", context, status=400)


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    """ "Đổi mật khẩu" (OWASP ASVS 5.0 V6.2.2, V6.2.3): this session stays (with a new
    key), the user's other sessions and API tokens end."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(
            request.user, new_password=form.cleaned_data["new_password1"], by=request.user
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, "Đã đổi mật khẩu.")
        return redirect("account-security")
    return render(request, "accounts/password_change.html", {"form": form})


@dataclass(frozen=True)
class Due:
    """A row of the to-do list; the queries only return rows whose date is set."""

    candidate: Candidate
    due_on: date | None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


def spans_provinces(units: list[Organisation]) -> bool:
    """Whether the user's scope takes in more than one province (the central
    organisation board, an inspector of several provinces): their home page leaves out
    the to-dos of each dossier and member. Those are the chi bộ's and the province's work,
    run to tens of thousands of rows across the country, and reading them for 34
    provinces took about a minute on the 6-million nation (issue 9)."""
    return sum(1 for unit in units if unit.depth == 0) > 1


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """ "Việc cần làm": what is near or past a deadline in the user's scope."""
    today = timezone.localdate()
    units = list(units_managed_by(request.user))  # the top nodes of the scope, in order
    wide = spans_provinces(units)
    validity = rule("admission.certificate_validity_months", on=today)
    lists: dict[str, list[Due]] = {"decisions": [], "ceremonies": [], "certificates": []}
    recognition: list[Any] = []
    removal: list[Any] = []
    failed = FailedList([], 0)
    transfers: list[Any] = []
    if not wide:
        todo = candidate_queries.todo(request.user, today, validity=validity)
        lists = {
            "decisions": [Due(c, c.decision_due_on) for c in todo["decisions"][:50]],
            "ceremonies": [Due(c, c.ceremony_due_on) for c in todo["ceremonies"][:50]],
            "certificates": [
                Due(c, c.certificate_issued_on and add_months(c.certificate_issued_on, validity))
                for c in todo["certificates"][:50]
            ],
        }
        members = member_queries.visible_members(request.user)
        recognition = [
            probation_queries.due_row(m, today)
            for m in probation_queries.recognition_due(members, today, within_days=30)[:50]
        ]
        removal = meeting_queries.removal_candidates(members, today)
        failed = failed_running_first(members, today, paths=scope_paths(request.user), limit=50)
        transfers = home_todo.transfers_to_handle(request.user, today)
    exam_tasks = exam_todo.tasks(request.user, today)
    data_requests, data_requests_open = privacy_queries.requests_to_answer(request.user)
    stats_tasks = stats_todo.tasks(request.user, today, units=units)
    quality_tasks = review_todo.tasks(request.user, today) + screening_queries.tasks(
        request.user, today
    )
    node = units[0] if units else None  # stats.queries.access.home_node
    achieved = stats_todo.home_achievement(node, today) if node is not None else None
    counts = candidate_queries.stage_counts(candidate_queries.visible_candidates(request.user))
    context = {
        "nav": "home",
        "today": today,
        **lists,
        "recognition": recognition,
        "removal": removal[:50],
        "failed_running": failed.rows,
        "removal_count": len(removal) + failed.total,
        "transfers": transfers,
        "exam_tasks": exam_tasks,
        "stats_tasks": stats_tasks,
        "quality_tasks": quality_tasks,
        "achieved": achieved,
        "overdue": sum(1 for rows in lists.values() for row in rows if row.overdue)
        + sum(1 for row in recognition if row.overdue)
        + sum(1 for row in transfers if getattr(row, "overdue", False))
        + sum(1 for task in exam_tasks if task.overdue)
        + sum(1 for task in stats_tasks if task.overdue)
        + sum(1 for task in quality_tasks if task.overdue)
        + sum(1 for row in data_requests if row.overdue(today)),
        "pipeline": [(stage, counts.get(stage.value, 0)) for stage in Stage],
        "units": units,
        "wide": wide,
        "data_requests": data_requests,
        "data_requests_open": data_requests_open,
    }
    return render(request, "accounts/home.html", context)
