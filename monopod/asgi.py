"""ASGI entry point: HTTP through Django, websockets through Channels with the tenant resolved."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")
# No persistent database connections under ASGI: see DB_CONN_MAX_AGE in monopod/settings/base.py.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")

from monopod.settings.env import ConfigError, exit_on_config_error

try:
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
except ConfigError as exc:
    exit_on_config_error(exc)

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from monopod.routing import websocket_urlpatterns
from monopod.tenancy import TenantWebsocketMiddleware

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(TenantWebsocketMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
