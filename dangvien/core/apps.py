from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangvien.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from dangvien.core import audit

        audit.connect()
