from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatsConfig(AppConfig):
    name = "dangvien.stats"
    label = "stats"
    verbose_name = "Chỉ tiêu và thống kê"

    def ready(self) -> None:
        from dangvien.stats import triggers

        # The triggers that keep the structure rollup exact, (re)installed after every
        # migrate like the audit triggers (``core.audit``).
        post_migrate.connect(triggers._after_migrate, dispatch_uid="dv_structure_triggers")
