"""Read-only admin views of the training tables: every write goes through the actions
(a certificate moves a candidate's stage, which the admin must not bypass)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dangvien.training.models import Certificate, Course, Enrolment


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(ReadOnly):
    list_display = ["name", "kind", "organiser", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnly):
    list_display = ["person", "course", "result", "mark"]
    list_filter = ["result"]
    raw_id_fields = ["person", "course", "candidate", "member"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ["number", "person", "kind", "issued_on", "issuer"]
    list_filter = ["kind"]
    search_fields = ["number", "person__search_text"]
