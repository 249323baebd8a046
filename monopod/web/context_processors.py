"""What every page's layout needs from the shell: the navigation the current user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from monopod.web.navigation import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that draw no navigation (the admin, API errors) pay nothing for it.
    return {
        "shell_nav": SimpleLazyObject(lambda: registry.sections_for(request)),
    }
