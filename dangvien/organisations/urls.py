from django.urls import path

from dangvien.organisations import signing_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("tim-chi-bo/", views.branch_search, name="branch-search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/loai-hinh/", views.sector, name="sector"),
    path("<int:pk>/the-thuc-van-ban/", signing_views.signing, name="signing"),
    path("<int:pk>/thon/them/", views.village_add, name="village-add"),
    path("thon/<int:pk>/sua/", views.village_edit, name="village-edit"),
    path("thon/<int:pk>/dong/", views.village_close, name="village-close"),
    path("thon/<int:pk>/mo-lai/", views.village_reopen, name="village-reopen"),
]
