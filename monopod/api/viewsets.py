"""The viewset every resource builds on: a model, a filterset, a serializer and a few lines."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Field, Model, QuerySet
from rest_framework import exceptions, status, viewsets
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import perform_import

from monopod.api.conditional import if_match_allows, if_none_match_hits, representation_etag
from monopod.api.exceptions import PreconditionFailed, PreconditionRequired
from monopod.api.filters import (
    OrderingFilter,
    SearchFilter,
    StrictDjangoFilterBackend,
    refuse_unknown_parameters,
)
from monopod.api.pagination import PageNumberPagination
from monopod.idempotency.services import idempotent

# Actions that change one object: it is locked while If-Match is checked and the change is made.
OBJECT_WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})


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

    Concurrency comes with it: object responses carry an ``ETag``; ``If-None-Match`` on a read
    answers 304 while the client's copy is current; ``If-Match`` on PUT, PATCH and DELETE answers
    412 when the object changed since (``require_if_match`` makes it mandatory: 428 without). Every
    POST honours ``Idempotency-Key`` (``require_idempotency_key`` makes it mandatory, for POSTs
    that move money or stock).
    """

    pagination_class: type[BasePagination] | None = PageNumberPagination
    filter_backends = [StrictDjangoFilterBackend, SearchFilter, OrderingFilter]
    search_fields: Sequence[str] = ()
    ordering_fields: Sequence[str] = ()
    api_scope: str | None = None
    # Checks a resource adds to the standard ones, which it cannot drop.
    extra_permission_classes: Sequence[type[BasePermission]] = ()
    require_if_match = False
    require_idempotency_key = False

    def get_permissions(self) -> list[BasePermission]:
        return [permission() for permission in (*resource_permission_classes(), *self.extra_permission_classes)]

    @property
    def required_scopes(self) -> tuple[str, ...] | None:
        """What ``ApiKeyScopes`` asks of an API key; a view without ``api_scope`` is closed to keys."""
        if self.api_scope is None:
            return None
        access = "read" if self.request.method in SAFE_METHODS else "write"
        return (f"{self.api_scope}:{access}",)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # DRF looks the handler up after initial(): wrapped here, it runs only once the request is
        # authenticated, so the key is the principal's own. A route without POST stays a 405.
        handler = getattr(self, "post", None) if request.method == "POST" else None
        if handler is not None:
            self.post = idempotent(handler, request, required=self.require_idempotency_key)

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset()
        if self.action in OBJECT_WRITE_ACTIONS:
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.detail:  # one object, found by its key: list parameters mean nothing here
            refuse_unknown_parameters(self.request)
            return queryset
        filtered: QuerySet[Any] = super().filter_queryset(queryset)
        return filtered

    def get_object(self) -> Any:
        self._check_lookup_type()
        instance = super().get_object()
        if self.action in OBJECT_WRITE_ACTIONS:
            self._check_if_match(instance)
        return instance

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        if isinstance(self.paginator, PageNumberPagination):
            # Rows as dictionaries when the serializer shows columns as they are: no model instances.
            plain_columns = getattr(self.get_serializer_class(), "plain_columns", None)
            columns = plain_columns() if plain_columns is not None else None
            if columns is not None:
                queryset = queryset.values(*columns)
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        etag = self._tag(response)
        if if_none_match_hits(request.headers.get("If-None-Match", ""), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        self._tag(response)
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        self._tag(response)
        return response

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def _tag(self, response: Response) -> str:
        etag = representation_etag(response.data)
        response["ETag"] = etag
        return etag

    def _check_if_match(self, instance: Model) -> None:
        header = self.request.headers.get("If-Match")
        if header is None:
            if self.require_if_match:
                raise PreconditionRequired()
            return
        if not if_match_allows(header, representation_etag(self.get_serializer(instance).data)):
            raise PreconditionFailed()

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
