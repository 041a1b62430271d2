from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dangvien.imports"
    label = "imports"
    verbose_name = "Nhập, xuất dữ liệu"
