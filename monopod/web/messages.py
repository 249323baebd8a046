"""Flash messages for pages only.

The API neither shows nor keeps flash messages (``django.contrib.messages``): nothing under ``/api/``
adds one, and a response of the API would not display it. Django's middleware still made the message
storage for every request (two storages and a cookie signer: about 40 µs), so API requests go without.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.http import HttpRequest

from monopod.api.errors import API_PREFIX


class MessageMiddleware(DjangoMessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith(API_PREFIX):
            super().process_request(request)
