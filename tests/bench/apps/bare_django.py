"""A bare Django view, served as ``tests.bench.apps.bare_django:wsgi_application`` (gunicorn) or
``tests.bench.apps.bare_django:asgi_application`` (uvicorn). Settings: ``bare_settings``."""

from __future__ import annotations

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.apps.bare_settings"

from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("ok", ok)]

wsgi_application = get_wsgi_application()
asgi_application = get_asgi_application()
