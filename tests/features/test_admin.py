"""Overrides in the tenant's admin console: Admins only, every change on the audit trail."""

from __future__ import annotations

from apps.audit.models import AuditEntry
from apps.features.caching import overrides_get
from apps.features.models import FeatureOverride


def _entries() -> list[tuple[str, dict]]:
    entries = AuditEntry.objects.filter(object_type="features.featureoverride").order_by("seq")
    return [
        (entry.action, {key: value for key, value in entry.changes.items() if key != "updated_at"}) for entry in entries
    ]


def test_every_change_of_an_override_is_on_the_trail(tenant):
    override = FeatureOverride.objects.create(name="data-export", enabled=False, note="Legal asked.")
    override.enabled = True
    override.save()
    pk = override.pk
    override.delete()

    assert _entries() == [
        (
            "create",
            {"id": [None, pk], "name": [None, "data-export"], "enabled": [None, False], "note": [None, "Legal asked."]},
        ),
        ("update", {"enabled": [False, True]}),
        (
            "delete",
            {"id": [pk, None], "name": ["data-export", None], "enabled": [True, None], "note": ["Legal asked.", None]},
        ),
    ]


def test_the_admin_adds_an_override_in_the_console(tenant_client, admin_user):
    tenant_client.force_login(admin_user)

    page = tenant_client.get("/admin/features/featureoverride/add/")
    response = tenant_client.post(
        "/admin/features/featureoverride/add/", {"name": "low-bandwidth", "enabled": "on", "note": "Slow office line."}
    )

    assert page.status_code == 200
    assert b'<option value="gdpr-consent">gdpr-consent: Ask signed-in members' in page.content
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/features/featureoverride/")
    assert list(FeatureOverride.objects.values_list("name", "enabled", "note")) == [
        ("low-bandwidth", True, "Slow office line.")
    ]
    assert overrides_get() == {"low-bandwidth": True}
    assert [(action, changes["name"]) for action, changes in _entries()] == [("create", [None, "low-bandwidth"])]
    entry = AuditEntry.objects.get(object_type="features.featureoverride")
    assert entry.actor_label == "owner@acme.test"


def test_an_unknown_flag_is_refused_in_the_console(tenant_client, admin_user):
    tenant_client.force_login(admin_user)

    response = tenant_client.post("/admin/features/featureoverride/add/", {"name": "no-such-flag", "enabled": "on"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": ["Select a valid choice. no-such-flag is not one of the available choices."]
    }
    assert FeatureOverride.objects.count() == 0


def test_a_staff_manager_may_not_see_the_overrides(tenant_client, manager_user):
    manager_user.is_staff = True
    manager_user.save()
    tenant_client.force_login(manager_user)

    assert tenant_client.get("/admin/features/featureoverride/").status_code == 403
    assert tenant_client.post("/admin/features/featureoverride/add/", {"name": "data-export"}).status_code == 403
    assert FeatureOverride.objects.count() == 0


def test_the_consents_are_read_only_in_the_console(tenant_client, admin_user):
    tenant_client.force_login(admin_user)

    assert tenant_client.get("/admin/features/consent/").status_code == 200
    assert tenant_client.get("/admin/features/consent/add/").status_code == 403
