from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dangvien.organisations"
    label = "organisations"
    verbose_name = "Tổ chức đảng"
