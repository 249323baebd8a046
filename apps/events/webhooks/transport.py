"""One HTTP POST to a webhook URL, connected only to addresses the SSRF guard allows.

http.client rather than urllib: it follows no redirects (a redirect could lead anywhere, unchecked)
and reads no proxy settings from the environment.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from apps.events.webhooks.security import connect_checked, url_target

EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Reply:
    status: int
    excerpt: str


def _checked_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
    host, port = address
    return connect_checked(host, port, None if timeout is socket._GLOBAL_DEFAULT_TIMEOUT else timeout)  # type: ignore[attr-defined]


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Reply:
    """POST ``body`` to ``url``; the status and the first 1 KB of the reply. Raises on network errors."""
    scheme, host, port = url_target(url)
    connection_class = _CheckedHTTPSConnection if scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(host, port, timeout=timeout)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
        return Reply(response.status, excerpt)
    finally:
        connection.close()
