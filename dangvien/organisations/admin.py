from django.contrib import admin
from django.http import HttpRequest

from dangvien.organisations.models import Organisation, ParentRule


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "depth", "authorised_to_admit"]
    list_filter = ["kind", "depth"]
    search_fields = ["name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # nodes are created through actions so the path stays right


@admin.register(ParentRule)
class ParentRuleAdmin(admin.ModelAdmin):
    list_display = ["parent_kind", "child_kind"]
