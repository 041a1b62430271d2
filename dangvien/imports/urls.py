"""Import pages, mounted at ``/nhap-du-lieu/`` (namespace ``imports``)."""

from dangvien.imports.views import urlpatterns as urlpatterns

app_name = "imports"
