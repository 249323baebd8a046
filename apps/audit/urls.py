"""Web pages of the audit trail, under /audit/."""

from django.urls import path

from apps.audit import views

app_name = "audit"
urlpatterns = [
    path("history/<str:object_type>/<str:object_id>/", views.object_history, name="object-history"),
]
