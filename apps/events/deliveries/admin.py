"""Deliveries in each tenant's admin: read-only, with the dead ones a filter away and a Replay action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.events.deliveries.models import Delivery
from apps.events.deliveries.selectors import deliveries_visible_to
from apps.events.deliveries.services import delivery_replay
from monopod.admin_site import ReadOnlyAdminMixin


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """``?status__exact=dead`` lists the dead letters; Replay queues the chosen ones again."""

    list_display = ["id", "created_at", "event_type", "subscriber", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "subscriber", "event_type", "created_at"]
    search_fields = ["=event_id", "subscriber", "event_type", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["replay"]
    show_full_result_count = False

    @admin.action(description="Replay the chosen deliveries", permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        replayable = [delivery for delivery in queryset if delivery.can_replay()]
        for delivery in replayable:
            delivery_replay(delivery=delivery, actor=request.user)
        skipped = len(queryset) - len(replayable)
        self.message_user(request, f"{len(replayable)} queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} done already: not run again.", messages.WARNING)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return deliveries_visible_to(request.user, super().get_queryset(request))

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("event_deliveries.replay_delivery"))
