"""The request's region: its bundle, time zone, language and flags."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

from apps.features.formatting import current_region_var
from apps.features.regions import Region, region_get
from apps.features.resolver import FeatureResolver
from monopod.api.errors import API_PREFIX


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_choose(request: HttpRequest, region: Region) -> str:
    """The member's own choice (the language cookie), then for the API the Accept-Language header,
    then the region's default language."""
    chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    if request.path.startswith(API_PREFIX):
        for code, _quality in trans_real.parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            if code == "*":
                break
            chosen = _supported(code)
            if chosen:
                return chosen
    return region.default_language


def region_of(tenant: Any) -> Region:
    """The tenant's region bundle; the platform's default (``settings.REGION``) for the public site."""
    name = getattr(tenant, "region", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public" or not name:
        name = settings.REGION
    return region_get(name)


class RegionMiddleware:
    """Attaches ``request.region`` and ``request.features``, activates the region's time zone (for pages;
    the API stays in UTC) and the chosen language for the request. Runs after the tenant is known; takes
    the place of Django's LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        region = region_of(tenant)
        request.region = region  # type: ignore[attr-defined]
        request.features = FeatureResolver(tenant=tenant, region=region)  # type: ignore[attr-defined]
        language = language_choose(request, region)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        # The API answers in UTC whatever the region: its times are ISO 8601 with "Z", for machines.
        if not request.path.startswith(API_PREFIX):
            timezone.activate(_zone(region.time_zone))
        token = current_region_var.set(region)
        try:
            response = self.get_response(request)
        finally:
            current_region_var.reset(token)
            timezone.deactivate()
        # The answer depends on the language cookie and, for the API, on Accept-Language.
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers["Content-Language"] = language
        return response
