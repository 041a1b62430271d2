from django.urls import path

from dangvien.candidates import views

app_name = "candidates"
urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("them/", views.candidate_new, name="new"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path(
        "<int:pk>/gioi-thieu/<int:introducer_pk>/bo/",
        views.remove_introducer,
        name="remove-introducer",
    ),
    path("<int:pk>/<slug:move>/", views.candidate_move, name="move"),
]
