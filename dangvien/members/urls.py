from django.urls import path

from dangvien.members import views
from dangvien.members.views import leaving, meetings, probation, records, transfers

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    *probation.urlpatterns,
    *leaving.urlpatterns,
    *transfers.urlpatterns,
    *records.urlpatterns,
    *meetings.urlpatterns,
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/<slug:move>/", views.member_move, name="move"),
]
