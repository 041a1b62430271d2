"""Document pages, mounted at ``/van-ban/`` (namespace ``documents``). Each view module
keeps its own ``urlpatterns``; this file joins them."""

from dangvien.documents.views import dossier, registers, templates

app_name = "documents"
urlpatterns = [*dossier.urlpatterns, *registers.urlpatterns, *templates.urlpatterns]
