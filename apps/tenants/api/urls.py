"""Routes under /api/v1/tenants/ on the public host."""

from django.urls import path

from apps.tenants.api import views

urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="tenant-signup-api"),
]
