"""What lands on the trail: model changes with field diffs, authentication events, denials; and what does not."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.audit.chain import CHAINED_FIELDS, entry_hash
from apps.audit.models import AuditEntry
from apps.audit.services import MASK
from apps.identity.accounts import email_address_ensure
from apps.identity.models import User
from apps.identity.services import api_key_create, api_key_revoke
from tests.audit.conftest import entries
from tests.identity.factories import DEFAULT_PASSWORD, UserFactory

HOST = "acme.localhost"


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    cache.clear()


def _latest() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq")[0]


def test_creating_a_model_records_its_fields_with_the_password_masked(tenant):
    user = UserFactory(email="new@acme.test", full_name="New Person")
    (entry,) = entries(action="create", object_type="identity.user", object_id=str(user.pk))
    assert entry.actor_type == "system"
    assert entry.changes["email"] == [None, "new@acme.test"]
    assert entry.changes["full_name"] == [None, "New Person"]
    assert entry.changes["password"] == [None, MASK]
    assert "last_login" not in entry.changes


def test_updating_records_only_the_changed_fields_before_and_after(tenant):
    user = UserFactory(email="new@acme.test", full_name="Old Name")
    user.full_name = "New Name"
    user.save()
    (entry,) = entries(action="update", object_type="identity.user", object_id=str(user.pk))
    assert entry.changes == {"full_name": ["Old Name", "New Name"]}


def test_a_save_that_changes_nothing_records_nothing(tenant):
    user = UserFactory(email="new@acme.test")
    before = AuditEntry.objects.count()
    user.save()
    assert AuditEntry.objects.count() == before


def test_a_password_change_is_recorded_masked(tenant):
    user = UserFactory(email="new@acme.test")
    user.set_password("another-password-5678")
    user.save(update_fields=["password"])
    (entry,) = entries(action="update", object_type="identity.user", object_id=str(user.pk))
    assert entry.changes == {"password": [MASK, MASK]}


def test_deleting_records_the_last_values(tenant):
    user = UserFactory(email="gone@acme.test")
    user_id = user.pk
    user.delete()
    (entry,) = entries(action="delete", object_type="identity.user", object_id=str(user_id))
    assert entry.changes["email"] == ["gone@acme.test", None]


def test_group_membership_is_recorded(tenant):
    user = UserFactory(email="member@acme.test")
    group = Group.objects.create(name="Testers")
    user.groups.add(group)
    assert entries(action="update", object_type="identity.user", object_id=str(user.pk))[-1].changes == {
        "groups": {"added": [group.pk]}
    }


def test_api_key_creation_and_revocation_are_recorded_without_the_secret(tenant, admin_user):
    api_key, raw_key = api_key_create(name="n8n", scopes=["audit:read"], user=admin_user)
    api_key_revoke(api_key=api_key)
    created, revoked = entries(action__startswith="auth.api_key_")
    assert (created.action, created.object_type, created.object_id) == (
        "auth.api_key_created",
        "identity.apikey",
        api_key.prefix,
    )
    assert created.changes == {"scopes": [None, ["audit:read"]]}
    assert (revoked.action, revoked.object_id) == ("auth.api_key_revoked", api_key.prefix)
    (create,) = entries(action="create", object_type="identity.apikey")
    assert create.changes["hashed_key"] == [None, MASK]
    assert create.changes["id"] == [None, MASK]
    stored = "".join(str(entry.changes) for entry in entries())
    assert raw_key not in stored
    assert api_key.hashed_key not in stored


def test_request_context_is_recorded_with_the_acting_user(tenant, admin_user):
    client = APIClient(HTTP_HOST=HOST, HTTP_USER_AGENT="curl/8.5", REMOTE_ADDR="10.0.0.9")
    client.force_login(admin_user)
    before = AuditEntry.objects.count()
    response = client.get("/api/v1/audit/entries/", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.4")
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before
    response = client.post(
        "/api/v1/auth/token/",
        {"email": admin_user.email, "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.4",
        HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef",
    )
    assert response.status_code == 200
    entry = _latest()
    assert (entry.action, entry.actor_type, entry.actor_id, entry.actor_label) == (
        "auth.token_obtained",
        "user",
        str(admin_user.pk),
        "owner@acme.test",
    )
    assert (entry.object_type, entry.object_id) == ("identity.user", str(admin_user.pk))
    assert (entry.ip, entry.user_agent, entry.request_id) == (
        "198.51.100.4",
        "curl/8.5",
        "0123456789abcdef0123456789abcdef",
    )
    assert len(entry.trace_id) == 32


def test_failed_token_login_is_recorded_with_the_address_tried(tenant):
    client = APIClient(HTTP_HOST=HOST)
    response = client.post("/api/v1/auth/token/", {"email": "who@acme.test", "password": "wrong"}, format="json")
    assert response.status_code == 401
    entry = _latest()
    assert (entry.action, entry.actor_type, entry.actor_label, entry.changes) == (
        "auth.login_failed",
        "anonymous",
        "who@acme.test",
        {},
    )


def test_token_revocation_is_recorded(tenant, manager_user):
    client = APIClient(HTTP_HOST=HOST)
    refresh = client.post(
        "/api/v1/auth/token/", {"email": manager_user.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()["refresh"]
    assert client.post("/api/v1/auth/token/revoke/", {"refresh": refresh}, format="json").status_code == 200
    entry = _latest()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "auth.token_revoked",
        "identity.user",
        str(manager_user.pk),
    )


def test_session_login_and_logout_are_recorded(tenant, admin_user):
    client = APIClient(HTTP_HOST=HOST)
    client.force_login(admin_user)
    login = _latest()
    client.logout()
    logout = _latest()
    assert (login.action, login.actor_id) == ("auth.login", str(admin_user.pk))
    assert (logout.action, logout.actor_id) == ("auth.logout", str(admin_user.pk))


def test_a_permission_denial_is_recorded(tenant, viewer_user):
    client = APIClient(HTTP_HOST=HOST)
    client.force_login(viewer_user)
    response = client.get("/api/v1/audit/entries/?action=create")
    assert response.status_code == 403
    entry = _latest()
    assert (entry.action, entry.actor_type, entry.actor_label, entry.changes) == (
        "auth.permission_denied",
        "user",
        "viewer@acme.test",
        {"method": [None, "GET"], "path": [None, "/api/v1/audit/entries/"]},
    )


def test_a_request_that_changes_nothing_does_not_touch_the_trail(tenant, admin_user):
    client = APIClient(HTTP_HOST=HOST)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/auth/me/").status_code == 200
    assert [query["sql"] for query in queries if "audit" in query["sql"]] == []


def test_recording_one_entry_is_one_round_trip_taking_the_lock_then_appending(tenant):
    from apps.audit.services import audit_record

    with CaptureQueriesContext(connection) as queries:
        entry = audit_record(action="test.event")
    statements = [query["sql"] for query in queries if not query["sql"].startswith("SET search_path")]
    assert len(statements) == 1
    lock, append = (part.strip() for part in statements[0].split(";"))
    assert lock.startswith("SELECT pg_advisory_xact_lock(")
    assert append.startswith("INSERT INTO audit_auditentry")
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert (entry.previous_hash, entry.hash) == (stored.previous_hash, stored.hash)
    assert entry.hash == entry_hash({field: getattr(stored, field) for field in CHAINED_FIELDS})


def test_users_of_another_tenant_are_recorded_in_its_own_trail(tenant, other_tenant):
    connection.set_tenant(other_tenant)
    user = User.objects.create_user("twin@globex.test", "password-1234-abcd")
    assert len(entries(action="create", object_type="identity.user", object_id=str(user.pk))) == 1
    connection.set_tenant(tenant)
    assert entries(action="create", object_type="identity.user", actor_label="twin@globex.test") == []


def test_a_sign_in_stamp_alone_reads_and_writes_nothing_on_the_trail(tenant):
    user = UserFactory(email="stamp@acme.test")
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        user.save(update_fields=["last_login"])
    assert len([query for query in queries if query["sql"].startswith("UPDATE")]) == 1
    assert len(queries) == 1
    assert AuditEntry.objects.count() == before


def test_schema_set_up_by_migrations_is_not_on_the_trail(tenant):
    assert entries(object_type__in=["auth.group", "auth.permission", "contenttypes.contenttype"]) == []


def test_activating_and_removing_totp_are_recorded_with_their_recovery_codes(
    tenant, admin_user, django_capture_on_commit_callbacks
):
    email_address_ensure(user=admin_user, verified=True)
    browser = Client(HTTP_HOST=HOST)
    signed_in = browser.post("/accounts/login/", {"login": admin_user.email, "password": DEFAULT_PASSWORD})
    reauthenticated = browser.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    assert (signed_in.status_code, reauthenticated.status_code) == (302, 302)
    browser.get("/accounts/2fa/totp/activate/")
    secret = browser.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    with django_capture_on_commit_callbacks(execute=True):
        activated = browser.post("/accounts/2fa/totp/activate/", {"code": code})
    with django_capture_on_commit_callbacks(execute=True):
        deactivated = browser.post("/accounts/2fa/totp/deactivate/", {})

    assert (activated.status_code, deactivated.status_code) == (302, 302)
    mfa = AuditEntry.objects.filter(action__startswith="auth.mfa").order_by("seq")
    assert list(mfa.values_list("action", "actor_id", "object_id", "changes")) == [
        ("auth.mfa_added", str(admin_user.pk), str(admin_user.pk), {"type": [None, "totp"]}),
        ("auth.mfa_added", str(admin_user.pk), str(admin_user.pk), {"type": [None, "recovery_codes"]}),
        ("auth.mfa_removed", str(admin_user.pk), str(admin_user.pk), {"type": [None, "totp"]}),
        ("auth.mfa_removed", str(admin_user.pk), str(admin_user.pk), {"type": [None, "recovery_codes"]}),
    ]
