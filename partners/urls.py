"""URLs under /organisationer/."""

from django.urls import path  # noqa: F401

app_name = "partners"
urlpatterns: list = []
