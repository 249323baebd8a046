"""Who may do what with the inventory: InventoryManager and Admin write, Viewer reads, other roles see nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission

from apps.identity.models import User
from apps.identity.roles import role_group
from tests.identity.factories import UserFactory

IMS_MODELS = sorted(model._meta.model_name for model in apps.get_app_config("ims").get_models())
ACTIONS = ("view", "add", "change", "delete")


def user_with(role):
    user = UserFactory()
    user.groups.add(role_group(role))
    return user


def granted(user, model):
    return {action for action in ACTIONS if user.has_perm(f"ims.{action}_{model}")}


def test_every_inventory_model_has_its_permissions(tenant):
    assert IMS_MODELS == [
        "category",
        "location",
        "numbersequence",
        "product",
        "purchaseorder",
        "purchaseorderline",
        "reorderrule",
        "stocklevel",
        "stockmovement",
        "supplier",
        "warehouse",
    ]
    assert Permission.objects.filter(content_type__app_label="ims").count() == 4 * len(IMS_MODELS)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Admin", {"view", "add", "change", "delete"}),
        ("InventoryManager", {"view", "add", "change", "delete"}),
        ("Manager", set()),
        ("Viewer", {"view"}),
        ("SalesRep", set()),
        ("Accountant", set()),
        ("Clinician", set()),
        ("ComplianceOfficer", set()),
    ],
)
def test_roles_reach_every_inventory_model_alike(tenant, role, expected):
    user = user_with(role)

    assert {model: granted(user, model) for model in IMS_MODELS} == dict.fromkeys(IMS_MODELS, expected)


def test_a_module_role_still_sees_the_platform(tenant):
    user = user_with("SalesRep")

    assert user.has_perm("identity.view_user") is True
    assert user.has_module_perms("ims") is False


def test_a_manager_who_runs_the_inventory_too_holds_both_roles(tenant):
    user = user_with("Manager")
    user.groups.add(role_group("InventoryManager"))
    user = User.objects.get(pk=user.pk)  # permissions are cached per instance

    assert granted(user, "product") == {"view", "add", "change", "delete"}
    assert user.has_perm("catalog.add_product") is True


def test_a_user_without_a_role_sees_nothing_of_the_inventory(tenant):
    assert granted(UserFactory(), "product") == set()
