"""Routes under /api/v1/webhooks/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
