"""Module roles, the DRF permission class and the view mixin: roles decide, Viewer never writes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework import generics, serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.identity.mixins import RolePermissionMixin
from apps.identity.permissions import ModelRolePermission
from apps.identity.roles import ROLES, ensure_roles, role_group
from tests.identity.factories import UserFactory


@pytest.fixture
def inventory_permissions(tenant) -> None:
    """Permissions of a domain model, as its app installs them."""
    product, _ = ContentType.objects.get_or_create(app_label="ims", model="product")
    for action in ("view", "add", "change", "delete"):
        Permission.objects.get_or_create(
            content_type=product, codename=f"{action}_product", defaults={"name": f"Can {action} product"}
        )
    ensure_roles()


def user_with(role: str):
    user = UserFactory()
    user.groups.add(role_group(role))
    return user


def test_every_module_role_exists(tenant):
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Admin",
        "Manager",
        "Viewer",
        "InventoryManager",
        "SalesRep",
        "Accountant",
        "Clinician",
        "ComplianceOfficer",
    }
    assert len(ROLES) == 8


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("Admin", {"view", "add", "change", "delete"}),
        ("Manager", set()),
        ("InventoryManager", {"view", "add", "change", "delete"}),
        ("SalesRep", set()),
        ("Viewer", {"view"}),
    ],
)
def test_domain_permissions_follow_the_role(inventory_permissions, role, granted):
    user = user_with(role)

    assert {a for a in ("view", "add", "change", "delete") if user.has_perm(f"ims.{a}_product")} == granted


@pytest.mark.parametrize("role", ["Manager", "InventoryManager", "SalesRep", "Viewer"])
def test_only_admins_touch_access_control(tenant, role):
    user = user_with(role)

    assert user.has_perm("identity.change_user") is False
    assert user.has_perm("auth.change_group") is False
    assert user.has_perm("identity.view_apikey") is False
    assert user.has_perm("identity.view_user") is True


def test_roles_follow_new_permissions_after_migrate(tenant):
    from django.apps import apps

    from apps.identity.roles import sync_roles_after_migrate

    thing = ContentType.objects.create(app_label="crm", model="lead")
    Permission.objects.create(content_type=thing, codename="change_lead", name="Can change lead")

    last = list(apps.get_app_configs())[-1]
    sync_roles_after_migrate(sender=last, app_config=last)

    assert user_with("SalesRep").has_perm("crm.change_lead") is True
    assert user_with("Viewer").has_perm("crm.change_lead") is False


class GroupSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Group
        fields = ["id", "name"]


class GroupList(generics.ListCreateAPIView):  # type: ignore[type-arg]
    queryset = Group.objects.order_by("name")
    serializer_class = GroupSerializer
    permission_classes = [ModelRolePermission]


@pytest.mark.parametrize(("role", "read", "write"), [("Admin", 200, 201), ("Manager", 200, 403), ("Viewer", 200, 403)])
def test_api_permission_class_checks_roles(tenant, role, read, write):
    user = user_with(role)
    factory = APIRequestFactory()
    get = factory.get("/groups/")
    post = factory.post("/groups/", {"name": "Night shift"}, format="json")
    force_authenticate(get, user=user)
    force_authenticate(post, user=user)

    assert GroupList.as_view()(get).status_code == read
    assert GroupList.as_view()(post).status_code == write
    assert Group.objects.filter(name="Night shift").exists() is (write == 201)


def test_api_permission_class_refuses_reading_without_view_permission(tenant):
    user = UserFactory()
    request = APIRequestFactory().get("/groups/")
    force_authenticate(request, user=user)

    assert GroupList.as_view()(request).status_code == 403


class ProductPage(RolePermissionMixin, View):
    permission_required = "ims.view_product"

    def get(self, request):
        return HttpResponse("list")

    def post(self, request):
        return HttpResponse("saved")


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("InventoryManager", 200, 200), ("Manager", 403, 403), ("Viewer", 200, 403), ("SalesRep", 403, 403)],
)
def test_view_mixin_checks_roles(inventory_permissions, role, read, write):
    user = user_with(role)
    get = RequestFactory().get("/products/")
    post = RequestFactory().post("/products/")
    get.user = post.user = user

    def status(request):
        try:
            return ProductPage.as_view()(request).status_code
        except PermissionDenied:  # Django's handler turns it into 403
            return 403

    assert status(get) == read
    assert status(post) == write
