from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "dangvien.candidates"
    label = "candidates"
    verbose_name = "Phát triển đảng viên"
