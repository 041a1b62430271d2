from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangvien.accounts import passkeys, views

# django-otp-webauthn's JSON endpoints with our rules (accounts/passkeys.py), under the
# library's namespace and names.
webauthn_patterns = (
    [
        path(
            "dang-ky/bat-dau/",
            passkeys.RegisterBegin.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "dang-ky/hoan-tat/",
            passkeys.RegisterComplete.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "xac-thuc/bat-dau/",
            passkeys.AuthenticateBegin.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "xac-thuc/hoan-tat/",
            passkeys.AuthenticateComplete.as_view(),
            name="credential-authentication-complete",
        ),
    ],
    "otp_webauthn",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    # POST only (Django's LogoutView): a link or an image cannot log anyone out.
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # Everything a user who still owes the second factor may reach is under /xac-thuc/.
    path("xac-thuc/", views.second_factor, name="second-factor"),
    path("xac-thuc/thiet-lap/", views.second_factor_setup, name="second-factor-setup"),
    path("xac-thuc/ma-du-phong/", views.backup_codes, name="backup-codes"),
    path("xac-thuc/khoa-truy-cap/", include(webauthn_patterns)),
    path("tai-khoan/bao-mat/", views.security, name="account-security"),
    path("tai-khoan/bao-mat/ma-du-phong/", views.new_backup_codes, name="account-new-backup-codes"),
    path(
        "tai-khoan/bao-mat/xoa/<str:kind>/<int:pk>/",
        views.remove_device,
        name="account-remove-device",
    ),
    path("tai-khoan/doi-mat-khau/", views.password_change, name="password-change"),
]
