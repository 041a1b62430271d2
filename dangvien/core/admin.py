from django.contrib import admin
from django.http import HttpRequest

from dangvien.core.models import AuditEvent, CalendarDay, RuleParameter


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "note"]


@admin.register(RuleParameter)
class RuleParameterAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "effective_from", "organisation", "source"]
    list_filter = ["key"]
    raw_id_fields = ["organisation"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "table", "row_id", "op", "actor"]
    list_filter = ["table", "op"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
