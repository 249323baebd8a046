"""Translation tests run on the tenant URLs with the catalog resource and its pages added."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import clear_url_caches, set_urlconf


@pytest.fixture(autouse=True)
def _catalog_urls(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.catalog.urls"
    clear_url_caches()
    set_urlconf(None)
    cache.clear()  # throttle counters outlive each test's transaction
    yield
    clear_url_caches()
    set_urlconf(None)
    cache.clear()
