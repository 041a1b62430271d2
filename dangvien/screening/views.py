"""Screening pages (issue 7). Owned by one helper; see /work/brief-issue7.md."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
