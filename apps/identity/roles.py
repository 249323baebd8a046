"""Roles: Django groups with permission sets, present in every tenant schema.

Each role is declared once here and turned into permissions from whatever models are installed, so a
domain app that lands later is covered by its module role without touching this file. Access control
itself (users, groups, API keys, sessions, tokens) is writable by Admins only: a Manager who could
edit users could make themselves superuser.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

ADMIN = "Admin"
MANAGER = "Manager"
VIEWER = "Viewer"
INVENTORY_MANAGER = "InventoryManager"
SALES_REP = "SalesRep"
ACCOUNTANT = "Accountant"
CLINICIAN = "Clinician"
COMPLIANCE_OFFICER = "ComplianceOfficer"

# Apps whose data decides who may do what, or where the tenant's data is sent; only Admins write them.
ACCESS_CONTROL_APPS = (
    "auth",
    "identity",
    "sessions",
    "token_blacklist",
    "rest_framework_api_key",
    "contenttypes",
    "admin",
    "account",
    "mfa",
    "webhooks",
)
# Business domains, each run by its module role (InventoryManager for ims): Admin and Viewer see them all,
# every other role only the domains it works in (docs/decisions/0007-domain-module-access.md).
DOMAIN_APPS = (
    "ims",
    "crm",
    "booking",
    "commerce",
    "billing",
    "reports",
    "analytics",
    "automation",
    "agents",
    "healthcare",
    "banking",
)
# Secrets, even hashed: only Admins see them.
SECRET_MODELS = (
    ("identity", "apikey"),
    ("rest_framework_api_key", "apikey"),
    ("sessions", "session"),
    ("token_blacklist", "outstandingtoken"),
    ("token_blacklist", "blacklistedtoken"),
    ("mfa", "authenticator"),
)


@dataclass(frozen=True)
class Role:
    """What a role may do: view everything (but secrets and other domains), and write within ``writes`` apps.

    A role with ``reads_all_domains`` views every domain app; one without views only the domain apps
    it writes. ``writes_all_business_apps`` writes every app but access control and the domains it
    does not see.
    """

    name: str
    description: str
    writes: tuple[str, ...] = ()
    writes_all_business_apps: bool = False
    may_delete: bool = False
    everything: bool = False
    reads_all_domains: bool = False


ROLE_DEFINITIONS = (
    Role(ADMIN, "Everything, including users, roles and API keys.", everything=True),
    Role(
        MANAGER,
        "Runs the shared business data: adds and changes everything but access control and the domain "
        "modules, which their own roles run; deletes nothing.",
        writes_all_business_apps=True,
    ),
    Role(VIEWER, "Looks at everything but secrets; never writes.", reads_all_domains=True),
    Role(INVENTORY_MANAGER, "Manages inventory.", writes=("ims",), may_delete=True),
    Role(SALES_REP, "Works customers, orders and bookings.", writes=("crm", "commerce", "booking")),
    Role(ACCOUNTANT, "Works invoices, payments and reports.", writes=("billing", "reports", "banking")),
    Role(CLINICIAN, "Works patient records.", writes=("healthcare",)),
    Role(COMPLIANCE_OFFICER, "Reviews the audit trail and compliance records.", writes=("audit",)),
)
ROLES = tuple(role.name for role in ROLE_DEFINITIONS)
_BY_NAME = {role.name: role for role in ROLE_DEFINITIONS}


def _secret() -> Q:
    return reduce(or_, (Q(content_type__app_label=app, content_type__model=model) for app, model in SECRET_MODELS))


def role_permissions(role: str) -> QuerySet[Permission]:
    """The permissions ``role`` grants among those installed in the current schema."""
    definition = _BY_NAME[role]
    permissions = Permission.objects.all()
    if definition.everything:
        return permissions
    grant = Q(codename__startswith="view_") & ~_secret()
    hidden = [] if definition.reads_all_domains else [app for app in DOMAIN_APPS if app not in definition.writes]
    grant &= ~Q(content_type__app_label__in=hidden)
    if definition.writes_all_business_apps:
        writable = ~Q(content_type__app_label__in=[*ACCESS_CONTROL_APPS, *hidden])
    else:
        writable = Q(content_type__app_label__in=definition.writes)
    actions = ("add_", "change_", "delete_") if definition.may_delete else ("add_", "change_")
    if definition.writes or definition.writes_all_business_apps:
        grant |= writable & reduce(or_, (Q(codename__startswith=action) for action in actions))
    return permissions.filter(grant)


def ensure_roles() -> QuerySet[Group]:
    """Create the role groups in the current schema and (re)grant their permissions; idempotent."""
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
    return Group.objects.filter(name__in=ROLES)


def role_group(role: str) -> Group:
    """The group of ``role`` in the current schema, creating the roles if a schema lacks them."""
    group = Group.objects.filter(name=role).first()
    return group if group is not None else ensure_roles().get(name=role)


def sync_roles_after_migrate(sender: AppConfig, app_config: AppConfig, **kwargs: Any) -> None:
    """After ``migrate`` (in whichever schema it ran), grant new permissions to the roles.

    ``post_migrate`` is sent once per app; permissions of every app exist by the last one.
    """
    if app_config is list(apps.get_app_configs())[-1]:
        ensure_roles()


def domains_hidden_from(user: Any) -> frozenset[str]:
    """The installed domain apps ``user`` holds no permission in, in the current schema: their data,
    their events included, must not reach the user (docs/decisions/0007-domain-module-access.md)."""
    installed = {config.label for config in apps.get_app_configs()}
    return frozenset(app for app in DOMAIN_APPS if app in installed and not user.has_module_perms(app))
