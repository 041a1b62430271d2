from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangvien.accounts import actions as account_actions
from dangvien.accounts.models import ApiToken, RoleAssignment, User

# django-otp's own page of TOTP devices would list an empty table, and a device added there
# would keep its secret in plain text and never be asked for: the authenticator apps are
# accounts.AuthenticatorApp (encrypted secret), reset with the action below.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(User)
class DangvienUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "display_name", "is_active", "is_staff"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Dangvien", {"fields": ["display_name"]}))
    actions = ["reset_second_factor"]

    @admin.action(description="Đặt lại xác thực hai lớp (xóa ứng dụng, khóa truy cập, mã dự phòng)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        by: Any = request.user
        removed = sum(account_actions.reset_second_factor(user, by=by) for user in queryset)
        self.message_user(
            request,
            f"Đã xóa {removed} thiết bị của {queryset.count()} tài khoản; lần đăng nhập tới "
            "họ sẽ thiết lập lại xác thực hai lớp.",
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["digest"]
