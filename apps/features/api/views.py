"""The features API: the tenant's flags, and its region (changed by Admins only)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.features.api.serializers import FeatureListSerializer, RegionChangeSerializer, RegionSerializer
from apps.features.flags import flags_all
from apps.features.permissions import AdminWrites
from apps.features.regions import region_get
from apps.features.resolver import FeatureResolver
from apps.features.services import region_change
from apps.identity.permissions import ApiKeyScopes


class FeatureListView(APIView):
    """Every feature flag for the tenant: whether it is on, and which source decided (tenant, plan,
    region or default)."""

    required_scopes = ("features:read",)

    @extend_schema(responses=FeatureListSerializer)
    def get(self, request: Request) -> Response:
        features = cast(FeatureResolver, request._request.features)  # type: ignore[attr-defined]
        flags = flags_all()
        results = [
            {
                "name": item.name,
                "description": flags[item.name].description,
                "enabled": item.enabled,
                "source": item.source,
            }
            for item in features.all()
        ]
        return Response(FeatureListSerializer({"count": len(results), "results": results}).data)


class RegionView(APIView):
    """The tenant's region and its bundle; Admins move the tenant to another region with PATCH."""

    permission_classes = [IsAuthenticated, ApiKeyScopes, AdminWrites]

    @property
    def required_scopes(self) -> tuple[str, ...]:
        return ("features:read",) if self.request.method in SAFE_METHODS else ("features:write",)

    @extend_schema(responses=RegionSerializer)
    def get(self, request: Request) -> Response:
        return Response(RegionSerializer(request._request.region).data)  # type: ignore[attr-defined]

    @extend_schema(request=RegionChangeSerializer, responses=RegionSerializer)
    def patch(self, request: Request) -> Response:
        # A partial update, as PATCH is: without a region, nothing changes.
        serializer = RegionChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant: Any = request.tenant  # type: ignore[attr-defined]
        if "region" in serializer.validated_data:
            region_change(tenant=tenant, region=serializer.validated_data["region"], actor=request.user)
        return Response(RegionSerializer(region_get(tenant.region)).data)
