"""The viewset every resource builds on: a model, a filterset, a serializer and a few lines."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import perform_import

from monopod.api.filters import OrderingFilter, SearchFilter, StrictDjangoFilterBackend
from monopod.api.pagination import PageNumberPagination


@cache
def resource_permission_classes() -> tuple[type[BasePermission], ...]:
    """``API_RESOURCE_PERMISSION_CLASSES``: authenticated, role permissions on the model, API key scopes.

    Named in settings because the classes belong to identity, which the framework does not import.
    """
    classes = perform_import(settings.API_RESOURCE_PERMISSION_CLASSES, "API_RESOURCE_PERMISSION_CLASSES")
    return tuple(classes or ())


class TenantModelViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """CRUD over one tenant model, with the API's conventions wired in.

    A subclass declares ``queryset``, ``serializer_class``, ``filterset_class``, ``api_scope`` (API keys
    then need ``<scope>:read`` to read and ``<scope>:write`` to write), and optionally ``search_fields``
    and ``ordering_fields`` (the allow-list: without it, ``?ordering=`` is refused). Roles decide the
    rest (``view_``/``add_``/``change_``/``delete_<model>``). The OpenAPI tag is the module's path
    segment (``/api/v1/<module>/...``).
    """

    pagination_class = PageNumberPagination
    filter_backends = [StrictDjangoFilterBackend, SearchFilter, OrderingFilter]
    search_fields: Sequence[str] = ()
    ordering_fields: Sequence[str] = ()
    api_scope: str | None = None
    # Checks a resource adds to the standard ones, which it cannot drop.
    extra_permission_classes: Sequence[type[BasePermission]] = ()

    def get_permissions(self) -> list[BasePermission]:
        return [permission() for permission in (*resource_permission_classes(), *self.extra_permission_classes)]

    @property
    def required_scopes(self) -> tuple[str, ...] | None:
        """What ``ApiKeyScopes`` asks of an API key; a view without ``api_scope`` is closed to keys."""
        if self.api_scope is None:
            return None
        access = "read" if self.request.method in SAFE_METHODS else "write"
        return (f"{self.api_scope}:{access}",)

    def get_object(self) -> Any:
        self._check_lookup_type()
        return super().get_object()

    def _check_lookup_type(self) -> None:
        """A lookup of the wrong type (``/groups/abc/`` for an integer key) is a 400 naming it."""
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs.get(lookup_url_kwarg)
        model: type[Model] = self.get_queryset().model
        field = model._meta.pk if self.lookup_field == "pk" else model._meta.get_field(self.lookup_field)
        if not isinstance(field, Field):  # a relation's reverse side: nothing to convert
            return
        try:
            field.to_python(value)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({lookup_url_kwarg: exc.messages}) from None
