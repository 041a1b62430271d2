from django.urls import path

urlpatterns: list = []  # the API helper fills this in (django-ninja NinjaAPI.urls)
