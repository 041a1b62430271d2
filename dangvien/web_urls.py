from django.urls import include, path

urlpatterns = [
    path("", include("dangvien.accounts.urls")),
    path("to-chuc/", include("dangvien.organisations.urls")),
    path("quan-chung/", include("dangvien.candidates.urls")),
    path("dang-vien/", include("dangvien.members.urls")),
]
