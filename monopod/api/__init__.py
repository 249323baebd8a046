"""API conventions shared by every app: errors, pagination, filters, throttles, the resource viewset.

Settings name the submodules (``monopod.api.parsers.JSONParser``): DRF imports them while its own
views are being defined, before this package has finished importing.

See docs/api.md for how a new resource uses them.
"""

from monopod.api.errors import (
    bad_request,
    error_body,
    error_response,
    exception_handler,
    page_not_found,
    permission_denied,
    server_error,
)
from monopod.api.exceptions import Conflict, PayloadTooLarge
from monopod.api.filters import FilterSet, OrderingFilter, SearchFilter, StrictDjangoFilterBackend
from monopod.api.pagination import CursorPagination, PageNumberPagination
from monopod.api.parsers import JSONParser
from monopod.api.serializers import (
    ModelSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictIntegerField,
)
from monopod.api.throttling import TenantPlanRateThrottle
from monopod.api.viewsets import TenantModelViewSet

__all__ = [
    "Conflict",
    "CursorPagination",
    "FilterSet",
    "JSONParser",
    "ModelSerializer",
    "OrderingFilter",
    "PageNumberPagination",
    "PayloadTooLarge",
    "SearchFilter",
    "StrictBooleanField",
    "StrictCharField",
    "StrictDecimalField",
    "StrictDjangoFilterBackend",
    "StrictIntegerField",
    "TenantModelViewSet",
    "TenantPlanRateThrottle",
    "bad_request",
    "error_body",
    "error_response",
    "exception_handler",
    "page_not_found",
    "permission_denied",
    "server_error",
]
