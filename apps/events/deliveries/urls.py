"""Routes under /api/v1/events/: deliveries are read and replayed, never written otherwise."""

from django.urls import URLPattern, re_path

from apps.events.deliveries.api.views import DeliveryViewSet

# Named one by one rather than by a router: the viewset has no create, update or delete routes.
LOOKUP = r"(?P<pk>[^/.]+)"

urlpatterns: list[URLPattern] = [
    re_path(r"^deliveries/$", DeliveryViewSet.as_view({"get": "list"}), name="event-delivery-list"),
    re_path(
        rf"^deliveries/{LOOKUP}/$",
        DeliveryViewSet.as_view({"get": "retrieve"}, detail=True),
        name="event-delivery-detail",
    ),
    re_path(
        rf"^deliveries/{LOOKUP}/replay/$",
        DeliveryViewSet.as_view({"post": "replay"}, detail=True),
        name="event-delivery-replay",
    ),
]
