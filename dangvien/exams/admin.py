"""Admin for the question bank: topics may be renamed and reordered; questions are shown
read-only, because every write to them goes through ``exams.actions.bank`` (versioning,
key rules, scope) — use the bank pages to change them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dangvien.exams.models import Question, QuestionVersion, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "code"]
    list_display_links = ["name"]
    ordering = ["position", "name"]
    readonly_fields = ["code"]  # the import template and the API name topics by code

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = QuestionVersion
    fields = ["number", "text", "points", "created_by", "created_at"]
    readonly_fields = ["number", "text", "points", "created_by", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "topic", "difficulty", "type", "active", "shared_down"]
    list_filter = ["type", "difficulty", "active", "shared_down", "topic"]
    search_fields = ["id", "current__text"]
    list_select_related = ["owner", "topic"]
    inlines = [VersionInline]
    readonly_fields = [
        "owner",
        "org_path",
        "topic",
        "difficulty",
        "type",
        "tags",
        "current",
        "active",
        "shared_down",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
