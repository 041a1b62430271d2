from django.urls import path

from dangvien.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("thong-bao/", views.notice, name="notice"),
    path("nhan-than/<int:person_pk>/yeu-cau/", views.request_new, name="request-new"),
    path("nhan-than/<int:person_pk>/dong-y/", views.consent_record, name="consent-record"),
    path("dong-y/<int:pk>/rut-lai/", views.consent_withdraw, name="consent-withdraw"),
    path("yeu-cau/<int:pk>/", views.request_detail, name="request"),
    path("yeu-cau/<int:pk>/xu-ly/", views.request_start, name="request-start"),
    path("yeu-cau/<int:pk>/tra-loi/", views.request_answer, name="request-answer"),
    path(
        "yeu-cau/<int:pk>/du-lieu.<str:fmt>",
        views.request_data,
        name="request-data",
    ),
]
