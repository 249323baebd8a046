"""Routes served on every host: probes and metrics."""

from django.urls import include, path

from monopod import health

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("health/startup", health.startup, name="health-startup"),
    path("", include("django_prometheus.urls")),
]
