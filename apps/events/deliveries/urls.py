"""Routes under /api/v1/events/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
