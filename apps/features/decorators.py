"""Views behind a feature flag."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

View = TypeVar("View", bound=Callable[..., HttpResponse])


def feature_required(name: str) -> Callable[[View], View]:
    """The view answers 404 unless flag ``name`` is on for the request's tenant: an off feature does not exist."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            features = getattr(request, "features", None)
            if features is None or not features.is_active(name):
                raise Http404(_("This feature is not available."))
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
