"""The guard against server-side request forgery: webhooks reach the public internet only.

A tenant chooses the URL we POST to, so it could aim at our own network (the metadata service at
169.254.169.254, the database, localhost). Only http(s) URLs whose host resolves to public addresses
only pass, when registered (a host that does not resolve yet is let through) and again at each
delivery (DNS can change in between), where the connection goes to an address that was checked,
so a second lookup cannot swap it.
``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` lifts the address rule (tests, private deployments).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

SCHEMES = ("http", "https")


class AddressRefused(ValueError):
    """The URL is not one webhooks may reach."""


def address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is a public unicast address (an IPv4-mapped IPv6 address judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_target(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL; AddressRefused for any other."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise AddressRefused("Only http and https URLs are allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("The URL's port is not valid.") from None
    if not parts.hostname:
        raise AddressRefused("The URL has no host.")
    return parts.scheme, parts.hostname, port


def resolve_allowed(host: str, port: int) -> list[tuple[socket.AddressFamily, Any]]:
    """The addresses of ``host`` as ``(family, sockaddr)``, if every one may be reached.

    AddressRefused if one may not; OSError (``socket.gaierror``) if the host does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        for _family, _type, _proto, _name, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if not address_allowed(address):
                raise AddressRefused(f"The host {host!r} resolves to {address}, a private or reserved address.")
    return [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos]


def validate_public_url(url: str) -> None:
    """The model field's validator: an http(s) URL whose host, if it resolves yet, is public.

    A host without DNS records yet is accepted: every delivery checks again, and refuses it unless
    it then resolves to public addresses only.
    """
    try:
        _scheme, host, port = url_target(url)
        resolve_allowed(host, port)
    except AddressRefused as exc:
        raise ValidationError(str(exc), code="address_refused") from None
    except (OSError, UnicodeError):
        return


def connect_checked(host: str, port: int, timeout: float | None) -> socket.socket:
    """A socket connected to an allowed address of ``host``: the one lookup that is checked is used."""
    last_error: OSError | None = None
    for family, sockaddr in resolve_allowed(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        return sock
    raise last_error or OSError(f"Could not connect to {host}:{port}.")
