from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tenants.api.serializers import SignupResultSerializer, SignupSerializer
from apps.tenants.provisioning import ProvisioningError
from apps.tenants.signup import SignupThrottle, login_url_for, signup


class SignupView(APIView):
    """Create an organisation and its first admin; answers the new tenant's login URL."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupThrottle]

    @extend_schema(request=SignupSerializer, responses={201: SignupResultSerializer})
    def post(self, request: Request) -> Response:
        incoming = SignupSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            result = signup(**incoming.validated_data)
        except ProvisioningError as exc:
            raise serializers.ValidationError({exc.field or "non_field_errors": [str(exc)]}) from None
        tenant = result.tenant
        body = {
            "slug": tenant.slug,
            "name": tenant.name,
            "region": tenant.region,
            "status": tenant.status,
            "login_url": login_url_for(request, result),
        }
        return Response(SignupResultSerializer(body).data, status=status.HTTP_201_CREATED)
