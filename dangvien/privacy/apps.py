from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "dangvien.privacy"
    label = "privacy"
    verbose_name = "Dữ liệu cá nhân"
