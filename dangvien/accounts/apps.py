from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangvien.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from dangvien.accounts.sessions import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="dangvien.accounts.stamp_login")
