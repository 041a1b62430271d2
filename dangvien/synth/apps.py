from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "dangvien.synth"
    label = "synth"
    verbose_name = "Dữ liệu tổng hợp quy mô toàn quốc"
