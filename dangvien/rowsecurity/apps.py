from django.apps import AppConfig


class RowsecurityConfig(AppConfig):
    name = "dangvien.rowsecurity"
    label = "rowsecurity"
    verbose_name = "Bảo mật theo dòng (PostgreSQL)"
