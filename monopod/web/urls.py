"""URL patterns of a model's generic pages, named ``<model>_<action>`` in the app label's namespace."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path

from monopod.web.views import ObjectView


def object_urls(
    prefix: str,
    *,
    list_view: type[ObjectView] | None = None,
    detail_view: type[ObjectView] | None = None,
    edit_view: type[ObjectView] | None = None,
    delete_view: type[ObjectView] | None = None,
    bulk_delete_view: type[ObjectView] | None = None,
    pk_converter: str = "int",
) -> list[URLPattern]:
    """``<prefix>/``, ``<prefix>/add/``, ``<prefix>/<pk>/``, ``.../edit/``, ``.../delete/``, ``<prefix>/delete/``.

    Include them under the app label as namespace: ``path("", include((patterns, "catalog")))``.
    """
    views: list[tuple[str, type[ObjectView] | None, str]] = [
        ("", list_view, "list"),
        ("add/", edit_view, "add"),
        ("delete/", bulk_delete_view, "bulk_delete"),
        (f"<{pk_converter}:pk>/", detail_view, "detail"),
        (f"<{pk_converter}:pk>/edit/", edit_view, "edit"),
        (f"<{pk_converter}:pk>/delete/", delete_view, "delete"),
    ]
    patterns = []
    for suffix, view, action in views:
        if view is None:
            continue
        model: Any = view.queryset.model
        patterns.append(path(f"{prefix}/{suffix}", view.as_view(), name=f"{model._meta.model_name}_{action}"))
    return patterns
