from django.urls import path

from dangvien.people import views

app_name = "people"
urlpatterns = [
    path("<int:pk>/sua/", views.edit, name="edit"),
]
