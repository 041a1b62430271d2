"""The candidate's online sitting (no staff login): code, timer, autosave, submit."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
