from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("dangvien.api.urls")),
    path("", include("dangvien.web_urls")),
]
