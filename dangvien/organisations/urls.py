from django.urls import path

from dangvien.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
]
