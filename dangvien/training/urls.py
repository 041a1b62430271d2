"""Pages of the training area, mounted at ``/boi-duong/`` (namespace ``training``)."""

from django.urls import path

from dangvien.training import views

app_name = "training"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("moi/", views.course_new, name="new"),
    path("<int:pk>/", views.course_detail, name="course"),
    path("<int:pk>/sua/", views.course_edit, name="edit"),
    path("<int:pk>/buoi-hoc/", views.session_add, name="session-add"),
    path("<int:pk>/buoi-hoc/<int:session_pk>/xoa/", views.session_remove, name="session-remove"),
    path("<int:pk>/bat-dau/", views.course_start, name="start"),
    path("<int:pk>/ghi-danh/", views.enrol, name="enrol"),
    path(
        "<int:pk>/hoc-vien/<int:enrolment_pk>/thoi-hoc/",
        views.enrolment_withdraw,
        name="withdraw",
    ),
    path("<int:pk>/diem-danh/", views.attendance, name="attendance"),
    path("<int:pk>/diem/", views.marks, name="marks"),
    path("<int:pk>/ket-thuc/", views.close, name="close"),
    path("giay-chung-nhan/", views.certificate_list, name="certificates"),
    path("giay-chung-nhan/<int:pk>/", views.certificate_detail, name="certificate"),
    path("giay-chung-nhan/<int:pk>/in/", views.certificate_print, name="certificate-pdf"),
]
