from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "dangvien.screening"
    label = "screening"
    verbose_name = "Rà soát, sàng lọc đảng viên"
