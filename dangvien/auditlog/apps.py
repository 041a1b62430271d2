from django.apps import AppConfig


class AuditlogConfig(AppConfig):
    name = "dangvien.auditlog"
    label = "auditlog"
    verbose_name = "Nhật ký, giám sát"
