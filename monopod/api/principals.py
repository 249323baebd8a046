"""Who a request acts as, for keys that must never be shared between clients."""

from __future__ import annotations

from django.db import models
from rest_framework.request import Request


def principal_key(request: Request) -> str | None:
    """``user:<pk>``, or ``<app.model>:<pk>`` of the API key a request was made with; None if anonymous."""
    if isinstance(request.auth, models.Model):  # a stored credential: an API key
        return f"{request.auth._meta.label_lower}:{request.auth.pk}"
    if request.user is not None and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None
