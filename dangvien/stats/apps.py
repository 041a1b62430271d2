from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dangvien.stats"
    label = "stats"
    verbose_name = "Chỉ tiêu và thống kê"
