"""Self-service signup: the checks shared by the web form and the API, and the one service they call."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.request import split_domain_port
from rest_framework.throttling import AnonRateThrottle

from apps.identity.accounts import email_verification_send
from apps.identity.models import User
from apps.tenants.models import Tenant
from apps.tenants.provisioning import TAKEN, Provisioned, tenant_login_url, tenant_provision
from apps.tenants.slugs import validate_slug

SIGNUP_FIELDS = ("name", "slug", "region", "admin_email", "password")


class SignupThrottle(AnonRateThrottle):
    """Signups per client IP address (``DEFAULT_THROTTLE_RATES["signup"]``), for the form and the API."""

    scope = "signup"


def clean_slug(slug: str) -> str:
    validate_slug(slug)
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError(TAKEN, code="taken")
    return slug


def clean_password(password: str, *, email: str) -> str:
    validate_password(password, user=User(email=email))
    return password


def signup(*, name: str, slug: str, region: str, admin_email: str, password: str) -> Provisioned:
    """Provision the tenant a visitor asked for; they become its first admin, once they verify their address."""
    result = tenant_provision(slug=slug, name=name, region=region, admin_email=admin_email, admin_password=password)
    email_verification_send(tenant=result.tenant, email=admin_email)
    return result


def login_url_for(request: HttpRequest, result: Provisioned) -> str:
    """The new tenant's login address, on the scheme and port the visitor used."""
    _, port = split_domain_port(request.get_host())
    default = "443" if request.is_secure() else "80"
    shown = int(port) if port and port != default else None
    return tenant_login_url(result.tenant, scheme=request.scheme or "https", port=shown)
