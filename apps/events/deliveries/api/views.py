"""Deliveries over the API: read by anyone who may view them, replayed by Admins only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from apps.events.deliveries.api.serializers import DeliverySerializer
from apps.events.deliveries.filtersets import DeliveryFilterSet
from apps.events.deliveries.models import Delivery
from apps.events.deliveries.selectors import deliveries_visible_to
from apps.events.deliveries.services import DeliveryNotReplayable, delivery_replay
from monopod.api import Conflict, CursorPagination, TenantModelViewSet
from monopod.api.schema import ErrorEnvelopeSerializer


class MayReplay(BasePermission):
    """Replaying needs ``replay_delivery``, which only the Admin role holds."""

    message = _("Only the tenant's Admins may replay deliveries.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return view.action != "replay" or bool(request.user.has_perm("event_deliveries.replay_delivery"))


class DeliveryViewSet(TenantModelViewSet):
    """Deliveries of events to subscribers, newest first; filter by status, subscriber and event type."""

    queryset = Delivery.objects.order_by("-pk")
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    pagination_class = CursorPagination
    api_scope = "events"
    extra_permission_classes = [MayReplay]

    def get_queryset(self) -> QuerySet[Delivery]:
        return deliveries_visible_to(self.request.user, super().get_queryset())

    @extend_schema(
        request=None,
        responses={
            200: DeliverySerializer,
            409: OpenApiResponse(ErrorEnvelopeSerializer, description="The delivery is done: it is not run again."),
        },
    )
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        """Reset a dead delivery to pending, with its attempts at zero, and queue it again."""
        try:
            delivery = delivery_replay(delivery=self.get_object())
        except DeliveryNotReplayable as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(delivery).data)
