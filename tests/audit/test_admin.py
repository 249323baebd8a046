"""The audit trail in a tenant's admin: read-only, Admins only, an object's history by filter."""

from __future__ import annotations

from apps.audit.services import audit_record

CHANGELIST = "/admin/audit/auditentry/"


def test_admin_sees_an_objects_history(tenant, tenant_client, admin_user):
    audit_record(action="test.history", object_type="test.thing", object_id="42")
    audit_record(action="test.elsewhere", object_type="test.thing", object_id="43")
    tenant_client.force_login(admin_user)
    response = tenant_client.get(CHANGELIST, {"object_type": "test.thing", "object_id": "42"})
    assert response.status_code == 200
    assert [entry.action for entry in response.context["cl"].result_list] == ["test.history"]


def test_entries_cannot_be_added_changed_or_deleted_in_the_admin(tenant, tenant_client, admin_user):
    entry = audit_record(action="test.history")
    assert entry is not None
    tenant_client.force_login(admin_user)
    assert tenant_client.get(f"{CHANGELIST}add/").status_code == 403
    assert tenant_client.post(f"{CHANGELIST}{entry.seq}/delete/", {"post": "yes"}).status_code == 403
    detail = tenant_client.get(f"{CHANGELIST}{entry.seq}/change/")
    assert detail.status_code == 200
    assert detail.context["has_change_permission"] is False


def test_staff_who_are_not_admins_do_not_see_the_trail(tenant, tenant_client, manager_user):
    manager_user.is_staff = True
    manager_user.save()
    tenant_client.force_login(manager_user)
    assert tenant_client.get(CHANGELIST).status_code == 403
