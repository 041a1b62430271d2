"""The candidates' own pages (``/thi/``): entered with a one-time code, no staff login."""

from dangvien.exams.views import online

app_name = "sitting"
urlpatterns = [*online.urlpatterns]
