"""Statistics tabs for rating results and screening outcomes (issue 7)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
