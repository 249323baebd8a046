"""What every template knows of the region: ``region``, ``low_bandwidth`` and ``consent``."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from apps.features.caching import consent_versions_get
from apps.features.constants import CONSENT_VERSION


class ConsentState:
    """Whether the request's member still has to accept the current privacy notice; asked lazily."""

    version = CONSENT_VERSION

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def required(self) -> bool:
        features = getattr(self.request, "features", None)
        user = getattr(self.request, "user", None)
        if features is None or user is None or not user.is_authenticated:
            return False
        if not features.is_active("gdpr-consent"):
            return False
        return CONSENT_VERSION not in consent_versions_get(user.pk)

    def __bool__(self) -> bool:
        return self.required


class LowBandwidth:
    """Whether pages leave out their heavy parts (the ``low-bandwidth`` flag); asked lazily."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def active(self) -> bool:
        features = getattr(self.request, "features", None)
        return bool(features is not None and features.is_active("low-bandwidth"))

    def __bool__(self) -> bool:
        return self.active

    def __str__(self) -> str:
        return str(self.active)


def region(request: HttpRequest) -> dict[str, Any]:
    return {
        "region": getattr(request, "region", None),
        "low_bandwidth": LowBandwidth(request),
        "consent": ConsentState(request),
    }
