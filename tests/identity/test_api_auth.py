"""API authentication: JWTs bound to their tenant, scoped API keys, the token throttle and /me/."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.exceptions import AuthenticationFailed, ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken

from apps.identity.authentication import TenantJWTAuthentication
from apps.identity.models import ApiKey, User
from apps.identity.roles import ADMIN, MANAGER
from apps.identity.services import api_key_create, api_key_revoke
from apps.identity.tokens import TenantAccessToken, TenantRefreshToken
from tests.identity.factories import DEFAULT_PASSWORD, UserFactory

ACME_HOST = "acme.localhost"
GLOBEX_HOST = "globex.localhost"
TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
ME_URL = "/api/v1/auth/me/"


def authentication_failed(message: str, reason: str) -> dict:
    """The envelope of a 401 for bad credentials: the precise reason in its one detail."""
    return {
        "code": "AUTHENTICATION_FAILED",
        "message": message,
        "details": [{"field": None, "message": message, "code": reason}],
    }


BAD_CREDENTIALS = authentication_failed("No active account found with the given credentials", "no_active_account")
OTHER_TENANT = authentication_failed("Token was issued for another tenant", "token_not_valid")
BLACKLISTED = authentication_failed("Token is blacklisted", "token_not_valid")
INVALID_API_KEY = authentication_failed("Invalid API key.", "api_key_invalid")


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    # Throttle counters live in the cache, which outlives each test's database transaction.
    cache.clear()


@pytest.fixture
def acme_client(tenant) -> APIClient:
    """An anonymous API client on acme's host."""
    return APIClient(HTTP_HOST=ACME_HOST)


@pytest.fixture
def globex_client(other_tenant) -> APIClient:
    return APIClient(HTTP_HOST=GLOBEX_HOST)


def obtain(client: APIClient, email: str, password: str = DEFAULT_PASSWORD, **extra) -> Response:
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json", **extra)


def twin_in(other_tenant, user: User) -> User:
    """The same user id, e-mail and password in the other tenant: the case a tenant claim must decide."""
    with tenant_context(other_tenant):
        User.objects.filter(pk=user.pk).delete()
        return UserFactory(id=user.pk, email=user.email)


def error_of(response: Response) -> dict:
    """The error envelope's content, once its request id is checked against the response's."""
    body = response.json()
    assert list(body) == ["error"]
    error = dict(body["error"])
    assert error.pop("request_id") == response["X-Request-ID"]
    return error


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api_key_header(raw_key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"}


# --- Obtaining tokens


def test_token_pair_carries_the_tenant_and_the_users_roles(acme_client, manager_user):
    response = obtain(acme_client, manager_user.email)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    access = TenantAccessToken(response.json()["access"])
    refresh = TenantRefreshToken(response.json()["refresh"])
    assert access["tenant"] == "acme"
    assert access["roles"] == [MANAGER]
    assert access["user_id"] == str(manager_user.pk)
    assert refresh["tenant"] == "acme"
    assert OutstandingToken.objects.filter(user=manager_user, jti=refresh["jti"]).count() == 1
    manager_user.refresh_from_db()
    assert manager_user.last_login is not None


def test_email_matches_regardless_of_case(acme_client, manager_user):
    response = obtain(acme_client, "Manager@ACME.test")

    assert response.status_code == 200
    assert TenantAccessToken(response.json()["access"])["user_id"] == str(manager_user.pk)


def test_wrong_password_is_401_with_a_json_error_and_issues_nothing(acme_client, manager_user):
    response = obtain(acme_client, manager_user.email, "not-the-password")

    assert response.status_code == 401
    assert error_of(response) == BAD_CREDENTIALS
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert OutstandingToken.objects.count() == 0
    manager_user.refresh_from_db()
    assert manager_user.last_login is None


def test_unknown_email_is_401_like_a_wrong_password(acme_client):
    response = obtain(acme_client, "nobody@acme.test")

    assert response.status_code == 401
    assert error_of(response) == BAD_CREDENTIALS


def test_inactive_user_gets_no_token(acme_client):
    user = UserFactory(email="gone@acme.test", is_active=False)

    response = obtain(acme_client, user.email)

    assert response.status_code == 401
    assert error_of(response) == BAD_CREDENTIALS
    assert OutstandingToken.objects.count() == 0


def test_missing_field_is_400_naming_it(acme_client):
    response = acme_client.post(TOKEN_URL, {"email": "owner@acme.test"}, format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": "password: This field is required.",
        "details": [{"field": "password", "message": "This field is required.", "code": "required"}],
    }


def test_malformed_email_is_400_naming_the_field(acme_client):
    response = acme_client.post(TOKEN_URL, {"email": "owner", "password": "x"}, format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": "email: Enter a valid email address.",
        "details": [{"field": "email", "message": "Enter a valid email address.", "code": "invalid"}],
    }


def test_body_that_is_not_json_is_400(acme_client):
    response = acme_client.post(TOKEN_URL, '{"email": ', content_type="application/json")

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["details"]) == ("PARSE_ERROR", [])
    assert error["message"].startswith("JSON parse error")


# --- Using, refreshing and revoking tokens


def test_access_token_authenticates_me(acme_client, manager_user):
    access = obtain(acme_client, manager_user.email).json()["access"]

    response = acme_client.get(ME_URL, **bearer(access))

    assert response.status_code == 200
    assert response.json() == {
        "id": manager_user.pk,
        "email": "manager@acme.test",
        "tenant": "acme",
        "roles": [MANAGER],
    }


def test_me_without_credentials_is_401(acme_client):
    response = acme_client.get(ME_URL)

    assert response.status_code == 401
    assert error_of(response) == {
        "code": "NOT_AUTHENTICATED",
        "message": "Authentication credentials were not provided.",
        "details": [],
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_me_answers_a_session_too(api_client, admin_user):
    response = api_client.get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {"id": admin_user.pk, "email": "owner@acme.test", "tenant": "acme", "roles": [ADMIN]}


def test_token_without_tenant_claim_is_401(acme_client, manager_user):
    unbound = AccessToken.for_user(manager_user)

    response = acme_client.get(ME_URL, **bearer(str(unbound)))

    assert response.status_code == 401
    assert error_of(response) == OTHER_TENANT


def test_access_token_of_a_deleted_user_is_401(acme_client):
    user = UserFactory(email="leaver@acme.test")
    access = obtain(acme_client, user.email).json()["access"]
    user.delete()

    response = acme_client.get(ME_URL, **bearer(access))

    assert response.status_code == 401
    assert error_of(response) == authentication_failed("User not found", "user_not_found")


def test_refresh_answers_a_new_pair_and_retires_the_refresh_token_used(acme_client, manager_user):
    old_refresh = obtain(acme_client, manager_user.email).json()["refresh"]

    response = acme_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    new_refresh = response.json()["refresh"]
    assert new_refresh != old_refresh
    assert TenantRefreshToken(new_refresh)["tenant"] == "acme"
    assert acme_client.get(ME_URL, **bearer(response.json()["access"])).status_code == 200
    again = acme_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")
    assert again.status_code == 401
    assert error_of(again) == BLACKLISTED
    assert acme_client.post(REFRESH_URL, {"refresh": new_refresh}, format="json").status_code == 200


def test_refreshed_access_token_carries_the_current_roles(acme_client, viewer_user):
    refresh = obtain(acme_client, viewer_user.email).json()["refresh"]
    viewer_user.groups.add(Group.objects.get(name=MANAGER))

    access = acme_client.post(REFRESH_URL, {"refresh": refresh}, format="json").json()["access"]

    assert TenantAccessToken(access)["roles"] == [MANAGER, "Viewer"]


def test_revoked_refresh_token_cannot_be_refreshed(acme_client, manager_user):
    refresh = obtain(acme_client, manager_user.email).json()["refresh"]

    response = acme_client.post(REVOKE_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    jti = TenantRefreshToken(refresh, verify=False)["jti"]
    assert BlacklistedToken.objects.filter(token__jti=jti, token__user=manager_user).count() == 1
    refused = acme_client.post(REFRESH_URL, {"refresh": refresh}, format="json")
    assert refused.status_code == 401
    assert error_of(refused) == BLACKLISTED


def test_refresh_for_a_deleted_user_is_401(acme_client):
    user = UserFactory(email="leaver@acme.test")
    refresh = obtain(acme_client, user.email).json()["refresh"]
    user.delete()

    response = acme_client.post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert error_of(response) == authentication_failed(
        "No active account found for the given token.", "no_active_account"
    )


def test_refresh_without_the_field_is_400_naming_it(acme_client):
    response = acme_client.post(REFRESH_URL, {}, format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": "refresh: This field is required.",
        "details": [{"field": "refresh", "message": "This field is required.", "code": "required"}],
    }


# --- Tenant isolation: acme's credentials are refused on globex, even for the same user id


def test_acme_access_token_is_401_on_globex_where_the_same_user_id_exists(
    acme_client, globex_client, admin_user, tenant, other_tenant
):
    access = obtain(acme_client, admin_user.email).json()["access"]
    twin = twin_in(other_tenant, admin_user)
    assert (twin.pk, twin.email) == (admin_user.pk, admin_user.email)

    response = globex_client.get(ME_URL, **bearer(access))

    assert response.status_code == 401
    assert error_of(response) == OTHER_TENANT
    assert acme_client.get(ME_URL, **bearer(access)).status_code == 200


def test_acme_refresh_token_is_401_on_globex_and_leaves_no_trace_there(
    acme_client, globex_client, admin_user, tenant, other_tenant
):
    refresh = obtain(acme_client, admin_user.email).json()["refresh"]
    twin_in(other_tenant, admin_user)

    refreshed = globex_client.post(REFRESH_URL, {"refresh": refresh}, format="json")
    revoked = globex_client.post(REVOKE_URL, {"refresh": refresh}, format="json")

    assert (refreshed.status_code, error_of(refreshed)) == (401, OTHER_TENANT)
    assert (revoked.status_code, error_of(revoked)) == (401, OTHER_TENANT)
    with tenant_context(other_tenant):
        assert OutstandingToken.objects.count() == 0
        assert BlacklistedToken.objects.count() == 0
    with tenant_context(tenant):
        assert BlacklistedToken.objects.count() == 0
    assert acme_client.post(REFRESH_URL, {"refresh": refresh}, format="json").status_code == 200


def test_globex_user_cannot_sign_in_on_acme(acme_client, other_tenant):
    with tenant_context(other_tenant):
        UserFactory(email="staff@globex.test")

    response = obtain(acme_client, "staff@globex.test")

    assert response.status_code == 401
    assert error_of(response) == BAD_CREDENTIALS


def test_acme_api_key_is_401_on_globex_where_the_same_user_id_exists(globex_client, admin_user, tenant, other_tenant):
    api_key, raw_key = api_key_create(name="erp", scopes=["ims:read"], user=admin_user)
    twin_in(other_tenant, admin_user)

    response = globex_client.get(ME_URL, **api_key_header(raw_key))

    assert response.status_code == 401
    assert error_of(response) == INVALID_API_KEY
    with tenant_context(tenant):
        api_key.refresh_from_db()
    assert api_key.last_used_at is None


# --- Throttling the token endpoint per client address


def test_token_endpoint_answers_429_after_five_attempts_from_one_address(acme_client, manager_user):
    statuses = [obtain(acme_client, manager_user.email, "wrong-password").status_code for _ in range(5)]

    response = obtain(acme_client, manager_user.email)

    assert statuses == [401] * 5
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert error_of(response) == {
        "code": "THROTTLED",
        "message": "Request was throttled. Expected available in 60 seconds.",
        "details": [],
    }
    assert OutstandingToken.objects.count() == 0
    assert obtain(acme_client, manager_user.email, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_throttle_keys_on_the_address_the_proxy_saw_not_on_what_the_client_claims(acme_client, manager_user):
    def through_proxy(claimed: str) -> int:
        # The proxy appends the address it saw to whatever X-Forwarded-For the client sent.
        forwarded = f"{claimed}, 198.51.100.20"
        return obtain(acme_client, manager_user.email, "wrong-password", HTTP_X_FORWARDED_FOR=forwarded).status_code

    statuses = [through_proxy(f"203.0.113.{n}") for n in range(6)]
    elsewhere = obtain(acme_client, manager_user.email, HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.21")

    assert statuses == [401] * 5 + [429]
    assert elsewhere.status_code == 200


# --- API keys


def test_api_key_create_returns_the_raw_key_and_stores_only_its_hash(admin_user):
    api_key, raw_key = api_key_create(name="n8n", scopes=["ims:read", "crm:write", "ims:read"], user=admin_user)

    prefix, _, secret = raw_key.partition(".")
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert stored["prefix"] == prefix
    assert stored["hashed_key"] == "sha512$$" + hashlib.sha512(raw_key.encode()).hexdigest()
    assert [column for column, value in stored.items() if secret in str(value)] == []
    assert stored["scopes"] == ["crm:write", "ims:read"]
    assert stored["user_id"] == admin_user.pk
    assert stored["last_used_at"] is None
    assert stored["revoked"] is False


def test_api_key_create_refuses_a_malformed_scope(admin_user):
    with pytest.raises(ValidationError) as excinfo:
        api_key_create(name="n8n", scopes=["IMS read"], user=admin_user)

    assert list(excinfo.value.message_dict) == ["scopes"]
    assert ApiKey.objects.count() == 0


def test_api_key_authenticates_as_its_user_and_records_its_use(acme_client, manager_user):
    api_key, raw_key = api_key_create(name="erp", scopes=["ims:read"], user=manager_user)
    before = timezone.now()

    response = acme_client.get(ME_URL, **api_key_header(raw_key))

    assert response.status_code == 200
    assert response.json() == {
        "id": manager_user.pk,
        "email": "manager@acme.test",
        "tenant": "acme",
        "roles": [MANAGER],
    }
    api_key.refresh_from_db()
    assert before <= api_key.last_used_at <= timezone.now()


def test_last_used_at_is_written_at_most_once_a_minute(acme_client, manager_user):
    api_key, raw_key = api_key_create(name="erp", scopes=[], user=manager_user)
    acme_client.get(ME_URL, **api_key_header(raw_key))
    api_key.refresh_from_db()
    first_use = api_key.last_used_at

    acme_client.get(ME_URL, **api_key_header(raw_key))
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use

    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first_use - timedelta(minutes=2))
    acme_client.get(ME_URL, **api_key_header(raw_key))
    api_key.refresh_from_db()
    assert api_key.last_used_at > first_use


def test_unknown_api_key_is_401(acme_client, manager_user):
    _, raw_key = api_key_create(name="erp", scopes=[], user=manager_user)
    prefix, _, secret = raw_key.partition(".")

    for wrong in (f"{prefix}.{secret[::-1]}", "nonsense", f"{prefix}."):
        response = acme_client.get(ME_URL, **api_key_header(wrong))
        assert response.status_code == 401
        assert error_of(response) == INVALID_API_KEY
    assert ApiKey.objects.get().last_used_at is None


def test_revoked_api_key_is_401(acme_client, manager_user):
    api_key, raw_key = api_key_create(name="erp", scopes=[], user=manager_user)

    api_key_revoke(api_key=api_key)
    response = acme_client.get(ME_URL, **api_key_header(raw_key))

    assert response.status_code == 401
    assert error_of(response) == INVALID_API_KEY
    api_key.refresh_from_db()
    assert (api_key.revoked, api_key.last_used_at) == (True, None)


def test_expired_api_key_is_401(acme_client, manager_user):
    api_key, raw_key = api_key_create(
        name="erp", scopes=[], user=manager_user, expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = acme_client.get(ME_URL, **api_key_header(raw_key))

    assert response.status_code == 401
    assert error_of(response) == authentication_failed("API key has expired.", "api_key_expired")
    api_key.refresh_from_db()
    assert api_key.last_used_at is None


def test_api_key_of_an_inactive_user_is_401(acme_client, manager_user):
    _, raw_key = api_key_create(name="erp", scopes=[], user=manager_user)
    User.objects.filter(pk=manager_user.pk).update(is_active=False)

    response = acme_client.get(ME_URL, **api_key_header(raw_key))

    assert response.status_code == 401
    assert error_of(response) == authentication_failed("User is inactive.", "user_inactive")


class ReadStock(APIView):
    required_scopes = ("ims:read",)

    def get(self, request):
        return Response({"ok": True})


class WriteStock(ReadStock):
    required_scopes = ("ims:read", "ims:write")


class Unscoped(APIView):
    def get(self, request):
        return Response({"ok": True})


def call(view: type[APIView], raw_key: str) -> Response:
    request = APIRequestFactory().get("/", HTTP_HOST=ACME_HOST, **api_key_header(raw_key))
    return view.as_view()(request)


def test_api_key_reaches_only_views_whose_scopes_it_holds(manager_user):
    _, raw_key = api_key_create(name="erp", scopes=["ims:read"], user=manager_user)

    allowed, lacking, unscoped = (call(view, raw_key) for view in (ReadStock, WriteStock, Unscoped))

    assert (allowed.status_code, allowed.data) == (200, {"ok": True})
    assert lacking.status_code == 403
    assert lacking.data["error"]["code"] == "PERMISSION_DENIED"
    assert lacking.data["error"]["message"] == "This API key does not have the scopes this endpoint requires."
    assert unscoped.status_code == 403


def test_scopes_do_not_limit_signed_in_users(manager_user):
    request = APIRequestFactory().get("/", HTTP_HOST=ACME_HOST)
    force_authenticate(request, user=manager_user)

    assert Unscoped.as_view()(request).status_code == 200


# --- The tenant admin console


def test_admin_creates_a_key_shows_it_once_and_keeps_only_its_hash(tenant_client, admin_user):
    tenant_client.force_login(admin_user)

    response = tenant_client.post(
        "/admin/identity/apikey/add/",
        {
            "name": "n8n",
            "user": admin_user.pk,
            "scopes": "ims:read,crm:write",
            "expiry_date_0": "",
            "expiry_date_1": "",
        },
        follow=True,
    )

    assert response.status_code == 200
    shown = re.findall(r"is ([A-Za-z0-9]{8}\.[A-Za-z0-9]{32}) ", response.content.decode())
    assert len(shown) == 1
    raw_key = shown[0]
    api_key = ApiKey.objects.get_from_key(raw_key)
    assert (api_key.name, api_key.scopes, api_key.user) == ("n8n", ["crm:write", "ims:read"], admin_user)
    secret = raw_key.partition(".")[2]
    assert secret not in tenant_client.get("/admin/identity/apikey/").content.decode()
    assert secret not in tenant_client.get(f"/admin/identity/apikey/{api_key.pk}/change/").content.decode()
    assert [
        entry.pk for entry in LogEntry.objects.all() if secret in f"{entry.object_repr}{entry.change_message}"
    ] == []
    assert [s.pk for s in Session.objects.all() if secret in str(s.get_decoded())] == []


def test_admin_revokes_selected_keys(tenant_client, admin_user):
    tenant_client.force_login(admin_user)
    api_key_create(name="kept", scopes=[], user=admin_user)
    revoked, raw_key = api_key_create(name="revoked", scopes=[], user=admin_user)

    response = tenant_client.post(
        "/admin/identity/apikey/", {"action": "revoke_selected", "_selected_action": [revoked.pk]}
    )

    assert response.status_code == 302
    assert sorted(ApiKey.objects.values_list("name", "revoked")) == [("kept", False), ("revoked", True)]
    assert APIClient(HTTP_HOST=ACME_HOST).get(ME_URL, **api_key_header(raw_key)).status_code == 401


def test_token_records_are_in_the_tenant_admin_only(tenant_client, admin_user, public_client):
    tenant_client.force_login(admin_user)
    assert tenant_client.get("/admin/token_blacklist/outstandingtoken/").status_code == 200

    connection.set_schema_to_public()
    operator = User.objects.create_superuser("operator@monopod.test", "operator-password-1")
    public_client.force_login(operator)

    assert "token_blacklist" not in public_client.get("/admin/").content.decode()
    assert public_client.get("/admin/token_blacklist/outstandingtoken/").status_code == 404
    assert public_client.get("/admin/token_blacklist/blacklistedtoken/").status_code == 404


def test_jwt_authentication_checks_the_host_tenant_too(manager_user, other_tenant):
    access = str(TenantRefreshToken.for_user(manager_user).access_token)
    request = APIRequestFactory().get("/", **bearer(access))
    request.tenant = other_tenant  # as if the host were globex's while the connection stayed on acme

    with pytest.raises(AuthenticationFailed) as excinfo:
        TenantJWTAuthentication().authenticate(Request(request))

    assert excinfo.value.detail == ErrorDetail("Token was issued for another tenant", code="token_not_valid")
