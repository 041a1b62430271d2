"""Users, their roles at organisation nodes, and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, key_validator
from django_otp.util import random_hex

from dangvien.core.fields import EncryptedTextField


# The ignore: django-stubs cannot type the reverse manager of AuthenticatorApp.user, a
# field of django-otp's untyped Device.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    display_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    # Honoured only while the database is marked as a demo (DemoDatabase): a flag copied
    # into a real database by mistake exempts nobody (issue 9).
    second_factor_exempt = models.BooleanField(
        _("miễn xác thực hai lớp (chỉ trong dữ liệu trình diễn)"),
        default=False,
        db_default=False,
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    BRANCH_SECRETARY = "branch_secretary", _("Bí thư chi bộ")
    GRASSROOTS_STAFF = "grassroots_staff", _("Cán bộ đảng ủy cơ sở")
    BOARD_STAFF = "board_staff", _("Cán bộ ban tổ chức cấp ủy cấp trên")
    LEADER = "leader", _("Lãnh đạo (chỉ xem)")
    AUDITOR = "auditor", _("Kiểm tra, giám sát (xem nhật ký)")


class Capability(models.TextChoices):
    VIEW = "view", _("Xem")
    BRANCH_MOVES = "branch_moves", _("Lập hồ sơ và biểu quyết của chi bộ")
    ENDORSE = "endorse", _("Biểu quyết của đảng ủy cơ sở")
    DECIDE = "decide", _("Quyết định kết nạp")
    APPROVE = "approve", _("Phê duyệt của cấp trên (gia hạn, trên 60 tuổi, lễ muộn)")
    TARGETS = "targets", _("Giao chỉ tiêu kết nạp cho cấp dưới, khảo sát nguồn")
    AUDIT = "audit", _("Xem nhật ký thay đổi và nhật ký truy cập")


# What each role may do within its subtree. Deciding is further limited to the deciding
# committee (or above), endorsing to the grassroots đảng ủy (or above): accounts.queries.
ROLE_CAPABILITIES: dict[str, set[str]] = {
    Role.BRANCH_SECRETARY: {Capability.VIEW, Capability.BRANCH_MOVES},
    Role.GRASSROOTS_STAFF: {
        Capability.VIEW,
        Capability.BRANCH_MOVES,
        Capability.ENDORSE,
        Capability.DECIDE,
        Capability.TARGETS,
    },
    Role.BOARD_STAFF: {
        Capability.VIEW,
        Capability.DECIDE,
        Capability.APPROVE,
        Capability.TARGETS,
    },
    Role.LEADER: {Capability.VIEW},
    # The auditor reads the logs of its subtree, not the dossiers themselves (issue 9).
    Role.AUDITOR: {Capability.AUDIT},
}


class RoleAssignment(models.Model):
    """A user's role at an organisation node; it covers the node's whole subtree."""

    user = models.ForeignKey(User, models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role)
    active = models.BooleanField(_("đang hiệu lực"), default=True)
    since = models.DateField(_("từ ngày"), default=timezone.localdate)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="uniq_role_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y %H:%M})"


class DemoDatabase(models.Model):
    """The mark that this database holds demonstration data only (written by the demo
    seeding, ``accounts.actions.mark_demo_database``). One row at most; while it exists,
    users flagged ``second_factor_exempt`` log in without a second factor (issue 9)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    marked_at = models.DateTimeField(_("đánh dấu lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("dữ liệu trình diễn")
        verbose_name_plural = _("dữ liệu trình diễn")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="demo_database_one_row")
        ]

    def __str__(self) -> str:
        return f"Dữ liệu trình diễn ({self.marked_at:%d/%m/%Y})"


def default_totp_key() -> str:
    """A new authenticator-app secret: 20 random bytes from the system's CSPRNG, as hex
    (django-otp's ``default_key``; RFC 4226 §4 recommends 160 bits; OWASP ASVS 5.0
    V6.5.3)."""
    return str(random_hex(20))


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) whose secret is encrypted at rest (issue 9;
    OWASP ASVS 5.0 V11.3 / V14.2: with the secret, anyone reading the database or a backup
    could make every user's codes). django-otp's ``TOTPDevice`` keeps the secret as plain
    hex, so this model replaces it (accounts.0004 moved the existing rows).

    The same columns as ``TOTPDevice`` but ``key``, an ``EncryptedTextField``
    (``core/crypto.py``, rotated by ``manage.py rotate_field_keys``); the attribute still
    reads the hex secret, so the TOTP behaviour is django-otp's own, borrowed rather than
    copied: its methods read only ``key`` (as hex), ``step``, ``t0``, ``digits``,
    ``tolerance``, ``drift``, ``last_t``, the throttling and timestamp columns of the
    mixins and ``user``, all present here (the tests check a code verifies, once only,
    and that the throttle counts). A django-otp upgrade that reads a new column fails
    those tests rather than going unnoticed. This keeps ``django_otp.plugins.otp_totp``
    installed: importing ``TOTPDevice`` needs it, and so does the migration that reads the
    old rows; its table stays empty. Not in the row audit (``core.audit.SKIPPED_MODELS``
    says why)."""

    key = EncryptedTextField(
        _("khóa bí mật (mã hóa)"), default=default_totp_key, validators=[key_validator]
    )
    # Annotated because mypy sees django-otp's Device (untyped) as Any, not as a model.
    step: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=30  # seconds
    )
    t0: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=0)  # Unix time
    digits: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    # Steps either side of now accepted; steps the app's clock is known to be off; the
    # step of the last code accepted (a code is accepted once only).
    tolerance: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=1
    )
    drift: "models.SmallIntegerField[int, int]" = models.SmallIntegerField(default=0)
    last_t: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("ứng dụng xác thực")
        verbose_name_plural = _("ứng dụng xác thực")

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
