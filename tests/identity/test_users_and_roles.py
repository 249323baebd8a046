"""Users sign in by e-mail, unique regardless of case; roles are groups with fixed permission sets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from apps.identity.models import User
from apps.identity.roles import ROLES, ensure_roles
from tests.identity.factories import UserFactory


def test_email_is_normalised_to_lower_case(tenant):
    user = User.objects.create_user("Ana.Perez@Example.COM", "pw-123456789")

    assert user.email == "ana.perez@example.com"


def test_email_is_unique_regardless_of_case(tenant):
    UserFactory(email="ana@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANA@example.com")


def test_same_email_may_exist_in_two_tenants(tenant, other_tenant):
    UserFactory(email="shared@example.com")
    with tenant_context(other_tenant):
        assert User.objects.filter(email="shared@example.com").exists() is False
        UserFactory(email="shared@example.com")
        assert User.objects.filter(email="shared@example.com").count() == 1

    assert User.objects.filter(email="shared@example.com").count() == 1


def test_every_tenant_has_the_standard_roles(tenant, other_tenant):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)
    with tenant_context(other_tenant):
        assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)


def test_viewer_may_only_view(viewer_user):
    codenames = set(Permission.objects.filter(group__name="Viewer").values_list("codename", flat=True))

    assert codenames
    assert all(code.startswith("view_") for code in codenames)
    assert viewer_user.has_perm("identity.view_user") is True
    assert viewer_user.has_perm("identity.change_user") is False
    assert viewer_user.has_perm("identity.delete_user") is False


def test_manager_may_see_but_not_edit_users(manager_user):
    assert manager_user.has_perm("identity.view_user") is True
    assert manager_user.has_perm("identity.change_user") is False
    assert manager_user.has_perm("identity.delete_user") is False


def test_admin_has_every_permission(admin_user):
    assert admin_user.groups.get().permissions.count() == Permission.objects.count()
    assert admin_user.has_perm("identity.delete_user") is True


def test_ensure_roles_is_idempotent(tenant):
    ensure_roles()
    ensure_roles()

    assert Group.objects.count() == len(ROLES)


def test_admin_console_login_works_for_tenant_admin(tenant_client, admin_user):
    from allauth.account.models import EmailAddress

    from tests.identity.factories import DEFAULT_PASSWORD

    EmailAddress.objects.create(user=admin_user, email=admin_user.email, primary=True, verified=True)

    # The console's own login page hands over to allauth's, keeping where to go next.
    handover = tenant_client.get("/admin/login/?next=/admin/")
    response = tenant_client.post(
        "/accounts/login/?next=/admin/", {"login": admin_user.email, "password": DEFAULT_PASSWORD}
    )

    assert handover.status_code == 302
    assert handover["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert tenant_client.get("/admin/").status_code == 200


def test_tenant_admin_cannot_use_session_on_other_tenant(tenant_client, admin_user, other_tenant):
    from django.test import Client

    tenant_client.force_login(admin_user)
    stolen = tenant_client.cookies["sessionid"].value

    intruder = Client(HTTP_HOST="globex.localhost")
    intruder.cookies["sessionid"] = stolen
    response = intruder.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_passwords_are_hashed_with_argon2id_at_owasp_minimum(settings):
    from django.contrib.auth.hashers import check_password, make_password

    from monopod.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("correct-horse-battery-staple")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("correct-horse-battery-staple", encoded) is True
    assert check_password("wrong", encoded) is False
