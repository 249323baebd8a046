"""Writes on sign-in accounts (allauth): e-mail verification and staff invitations.

Every link these mails carry points at the tenant's own host: its sessions, users and keys live in
its schema, so a link is only good there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils.translation import gettext as _
from django_tenants.utils import get_tenant_domain_model, schema_context

from apps.identity.models import User
from apps.identity.roles import ROLES, role_group

if TYPE_CHECKING:
    from django_tenants.models import TenantMixin


class _HostRequest(HttpRequest):
    """A stand-in request on a tenant's host, for mails sent while serving another host (or none)."""

    def __init__(self, *, scheme: str, host: str) -> None:
        super().__init__()
        self._host_scheme = scheme
        self.META["HTTP_HOST"] = host

    def _get_scheme(self) -> str:
        return self._host_scheme


def _request_on(host: str) -> HttpRequest:
    """The current request when it is on ``host``; otherwise one on ``host`` with its scheme and port."""
    current: HttpRequest | None = allauth_context.request
    if current is None:
        return _HostRequest(scheme="https", host=host)
    domain, port = split_domain_port(current.get_host())
    if domain == host:
        return current
    default_port = "443" if current.is_secure() else "80"
    shown = f"{host}:{port}" if port and port != default_port else host
    return _HostRequest(scheme=current.scheme or "https", host=shown)


def _primary_host(schema_name: str) -> str:
    domain = get_tenant_domain_model().objects.get(tenant__schema_name=schema_name, is_primary=True)
    return str(domain.domain)


def email_address_ensure(*, user: User, verified: bool = False) -> EmailAddress:
    """The user's primary allauth address for ``user.email``; marked verified when ``verified``."""
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True, "verified": verified}
    )
    if verified and not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return address


def email_verification_send(*, tenant: TenantMixin, email: str) -> EmailAddress:
    """Send ``email``'s user in ``tenant`` allauth's confirmation mail, linking to the tenant's host.

    Nothing is sent when the address is verified already.
    """
    host = _primary_host(tenant.schema_name)
    with schema_context(tenant.schema_name):
        user = User.objects.get(email__iexact=email)
        address = email_address_ensure(user=user)
        if not address.verified:
            request = _request_on(host)
            with allauth_context.request_context(request):
                address.send_confirmation(request, signup=True)
    return address


@transaction.atomic
def staff_invite(*, email: str, role: str, invited_by: User) -> User:
    """Add a member to the current tenant with ``role``, and mail them a one-time link to set their password.

    The invitee has no usable password until they follow the link; following it proves their address.
    """
    if role not in ROLES:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role}, code="role")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member.") % {"email": email}, code="taken")
    user = User.objects.create_user(email, password=None, is_staff=True)
    user.groups.add(role_group(role))
    email_address_ensure(user=user)

    request = _request_on(_primary_host(connection.schema_name))  # type: ignore[attr-defined]
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    with allauth_context.request_context(request):
        adapter = get_adapter(request)
        context = {
            "user": user,
            "invited_by": invited_by,
            "role": role,
            "invitation_url": adapter.get_reset_password_from_key_url(f"{user_pk_to_url_str(user)}-{token}"),
        }

    def send() -> None:
        with allauth_context.request_context(request):
            adapter.send_mail("account/email/staff_invitation", email, context)

    # Only an invitation that was saved is mailed.
    transaction.on_commit(send)
    return user


def email_verified_by_password_reset(*, user: User) -> None:
    """A password set through a mailed link proves the user's address."""
    email_address_ensure(user=user, verified=True)
