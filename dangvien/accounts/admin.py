from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from dangvien.accounts.models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(User)
class DangvienUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "display_name", "is_active", "is_staff"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Dangvien", {"fields": ["display_name"]}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["digest"]
