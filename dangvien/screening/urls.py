"""Screening pages, mounted at ``/sang-loc/`` (namespace ``screening``)."""

from dangvien.screening.views import urlpatterns as urlpatterns

app_name = "screening"
