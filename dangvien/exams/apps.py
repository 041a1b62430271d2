from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "dangvien.exams"
    label = "exams"
    verbose_name = "Kiểm tra nhận thức"
