"""Routes under /api/v1/features/."""

from django.urls import path

from apps.features.api.views import FeatureListView, RegionView

urlpatterns = [
    path("", FeatureListView.as_view(), name="features-list"),
    path("region/", RegionView.as_view(), name="features-region"),
]
