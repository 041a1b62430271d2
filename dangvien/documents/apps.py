from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "dangvien.documents"
    label = "documents"
    verbose_name = "Văn bản, hồ sơ"
