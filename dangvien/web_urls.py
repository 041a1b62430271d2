from django.urls import include, path

urlpatterns = [
    path("", include("dangvien.accounts.urls")),
    path("to-chuc/", include("dangvien.organisations.urls")),
    path("quan-chung/", include("dangvien.candidates.urls")),
    path("dang-vien/", include("dangvien.members.urls")),
    path("nhan-than/", include("dangvien.people.urls")),
    path("boi-duong/", include("dangvien.training.urls")),
    path("kiem-tra/", include("dangvien.exams.urls")),
    path("thi/", include("dangvien.exams.sitting_urls")),
    path("thong-ke/", include("dangvien.stats.urls")),
    path("danh-gia/", include("dangvien.reviews.urls")),
    path("sang-loc/", include("dangvien.screening.urls")),
    path("van-ban/", include("dangvien.documents.urls")),
    path("nhap-du-lieu/", include("dangvien.imports.urls")),
    path("du-lieu-ca-nhan/", include("dangvien.privacy.urls")),
    path("giam-sat/", include("dangvien.auditlog.urls")),
]
