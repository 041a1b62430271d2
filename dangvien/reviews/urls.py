"""Quality review pages, mounted at ``/danh-gia/`` (namespace ``reviews``). Each view
module keeps its own ``urlpatterns``; this file joins them."""

from dangvien.reviews.views import decisions, disciplines, organisations, periods, sheet

app_name = "reviews"
urlpatterns = [
    *periods.urlpatterns,
    *sheet.urlpatterns,
    *decisions.urlpatterns,
    *organisations.urlpatterns,
    *disciplines.urlpatterns,
]
