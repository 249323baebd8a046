"""Web sign-in through allauth in every tenant: verified addresses, TOTP, rate limits, invitations.

Every link and every session belongs to one tenant's host: used on another tenant's host it does nothing.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.identity.accounts import email_verification_send, staff_invite
from apps.identity.models import User
from apps.identity.roles import ADMIN, VIEWER
from monopod.settings import env
from tests.identity.factories import DEFAULT_PASSWORD, UserFactory

CONFIRM_LINK = r"(https?)://([a-z.:0-9]+)(/accounts/confirm-email/[^/\s]+/)"
INVITATION_LINK = r"(https?)://([a-z.:0-9]+)(/accounts/password/reset/key/[^/\s]+/)"
NEW_PASSWORD = "a-brand-new-password-42"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(tenant) -> User:
    """A member of acme with a verified address."""
    user = UserFactory(email="member@acme.test", is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def sign_in(client: Client, email: str, password: str = DEFAULT_PASSWORD, next_url: str = "/admin/"):
    return client.post(f"/accounts/login/?next={next_url}", {"login": email, "password": password})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Sign-in and sessions


def test_member_signs_in_with_email_and_password(tenant_client, member):
    response = sign_in(tenant_client, member.email)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in_user_id(tenant_client) == str(member.pk)


def test_session_cookie_is_host_only(tenant_client, member):
    response = sign_in(tenant_client, member.email)

    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert "Domain=" not in cookie.output()


def test_wrong_password_signs_nobody_in(tenant_client, member):
    response = sign_in(tenant_client, member.email, password="not-the-password")

    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content
    assert signed_in_user_id(tenant_client) is None


def test_user_of_one_tenant_cannot_sign_in_on_another(member, other_tenant):
    intruder = Client(HTTP_HOST="globex.localhost")

    response = sign_in(intruder, member.email)

    assert response.status_code == 200
    assert signed_in_user_id(intruder) is None


def test_logout_ends_the_session(tenant_client, member):
    sign_in(tenant_client, member.email)

    response = tenant_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert signed_in_user_id(tenant_client) is None
    assert tenant_client.get("/admin/").status_code == 302


def test_nobody_registers_themselves_on_a_tenant(tenant_client, tenant):
    users = User.objects.count()

    page = tenant_client.get("/accounts/signup/")
    response = tenant_client.post(
        "/accounts/signup/", {"email": "walk-in@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert page.status_code == 200
    assert b"Sign Up Closed" in page.content
    assert b"Sign Up Closed" in response.content
    assert User.objects.count() == users
    assert EmailAddress.objects.filter(email="walk-in@example.test").exists() is False


def test_operator_signs_in_on_the_public_site(db):
    connection.set_schema_to_public()
    operator = UserFactory(email="ops@monopod.test", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=operator, email=operator.email, primary=True, verified=True)
    client = Client(HTTP_HOST="localhost")

    response = sign_in(client, operator.email)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- The admin console signs in through allauth


def test_admin_login_hands_over_to_allauth_and_ignores_posted_credentials(tenant_client, member):
    response = tenant_client.post(
        "/admin/login/?next=/admin/", {"username": member.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert signed_in_user_id(tenant_client) is None


def test_signed_in_member_without_staff_access_is_refused_by_the_console(tenant_client, member):
    member.is_staff = False
    member.save(update_fields=["is_staff"])
    sign_in(tenant_client, member.email)

    assert tenant_client.get("/admin/login/").status_code == 403


# --- Rate limits


def test_failed_logins_are_rate_limited_even_with_the_right_password_afterwards(tenant_client, member):
    failures = [sign_in(tenant_client, member.email, password=f"wrong-{n}").status_code for n in range(5)]

    response = sign_in(tenant_client, member.email)

    assert failures == [200] * 5
    assert response.status_code == 200
    assert b"Too many failed login attempts. Try again later." in response.content
    assert signed_in_user_id(tenant_client) is None


def test_failed_login_limit_of_one_tenant_does_not_lock_out_another(tenant_client, member, other_tenant):
    for n in range(5):
        sign_in(tenant_client, member.email, password=f"wrong-{n}")
    with schema_context(other_tenant.schema_name):
        same_address = UserFactory(email=member.email, is_staff=True)
        EmailAddress.objects.create(user=same_address, email=same_address.email, primary=True, verified=True)
    globex = Client(HTTP_HOST="globex.localhost")

    response = sign_in(globex, member.email)

    assert response.status_code == 302
    assert signed_in_user_id(globex) == str(same_address.pk)


# --- E-mail verification


def test_unverified_user_is_told_to_verify_and_is_not_signed_in(tenant_client, tenant, mailoutbox):
    user = UserFactory(email="new@acme.test", is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)

    response = sign_in(tenant_client, user.email)
    page = tenant_client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert b"Verify Your Email Address" in page.content
    assert signed_in_user_id(tenant_client) is None
    assert [message.to for message in mailoutbox] == [["new@acme.test"]]
    assert re.search(CONFIRM_LINK, mailoutbox[0].body)[2] == "acme.localhost"


def test_verification_mail_links_to_the_tenant_host_outside_any_request(tenant, mailoutbox):
    address = email_verification_send(tenant=tenant, email="Founder@Acme.test")

    assert address.verified is False
    assert address.email == "founder@acme.test"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["founder@acme.test"]
    assert re.search(CONFIRM_LINK, mailoutbox[0].body).group(1, 2) == ("https", "acme.localhost")


def test_verification_mail_is_not_sent_again_once_verified(tenant, mailoutbox):
    address = email_verification_send(tenant=tenant, email="founder@acme.test")
    address.verified = True
    address.save()

    email_verification_send(tenant=tenant, email="founder@acme.test")

    assert len(mailoutbox) == 1
    assert EmailAddress.objects.filter(email="founder@acme.test").count() == 1


def test_verification_link_verifies_the_founder_on_their_tenant_only(tenant, other_tenant, mailoutbox):
    email_verification_send(tenant=tenant, email="founder@acme.test")
    with schema_context(other_tenant.schema_name):
        email_verification_send(tenant=other_tenant, email="founder@globex.test")
    acme_path = re.search(CONFIRM_LINK, mailoutbox[0].body)[3]

    on_globex = Client(HTTP_HOST="globex.localhost").post(acme_path)
    verified_after_globex = {}
    for schema in (tenant.schema_name, other_tenant.schema_name):
        with schema_context(schema):
            verified_after_globex[schema] = EmailAddress.objects.filter(verified=True).count()
    on_acme = Client(HTTP_HOST="acme.localhost").post(acme_path)
    connection.set_tenant(tenant)

    assert on_globex.status_code == 404
    assert verified_after_globex == {"acme": 0, "globex": 0}
    assert on_acme.status_code == 302
    assert EmailAddress.objects.get(email="founder@acme.test").verified is True
    with schema_context(other_tenant.schema_name):
        assert EmailAddress.objects.get(email="founder@globex.test").verified is False


# --- TOTP


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_user_with_totp_must_give_a_valid_code_after_the_password(tenant_client, member):
    secret = generate_totp_secret()
    TOTP.activate(member, secret)

    after_password = sign_in(tenant_client, member.email)
    wrong_code = "000000" if current_code(secret) != "000000" else "111111"
    wrong = tenant_client.post("/accounts/2fa/authenticate/", {"code": wrong_code})
    still_anonymous = signed_in_user_id(tenant_client)
    right = tenant_client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    assert after_password.status_code == 302
    assert after_password["Location"] == "/accounts/2fa/authenticate/"
    assert wrong.status_code == 200
    assert b"Incorrect code." in wrong.content
    assert still_anonymous is None
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert signed_in_user_id(tenant_client) == str(member.pk)


def test_totp_code_alone_cannot_skip_the_password(tenant_client, member):
    secret = generate_totp_secret()
    TOTP.activate(member, secret)

    response = tenant_client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert signed_in_user_id(tenant_client) is None


# --- Staff invitations


def invitation_link(mail) -> tuple[str, str, str]:
    match = re.search(INVITATION_LINK, mail.body)
    assert match is not None
    return match.group(1, 2, 3)


def accept_invitation(client: Client, path: str, password: str = NEW_PASSWORD):
    """Follow the link (allauth moves the key into the session) and set the password."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"password1": password, "password2": password})


def test_invitation_creates_a_member_without_password_and_mails_a_link_on_the_tenant_host(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_invite(email="New.Hire@Example.test", role=VIEWER, invited_by=admin_user)

    assert user.email == "new.hire@example.test"
    assert user.has_usable_password() is False
    assert user.is_staff is True
    assert list(user.groups.values_list("name", flat=True)) == [VIEWER]
    assert EmailAddress.objects.get(user=user).verified is False
    assert [message.to for message in mailoutbox] == [["new.hire@example.test"]]
    assert f"{admin_user.get_full_name()} invited you to acme.localhost as Viewer." in mailoutbox[0].body
    assert invitation_link(mailoutbox[0])[:2] == ("https", "acme.localhost")


def test_invitee_sets_a_password_once_and_then_signs_in(admin_user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_invite(email="hire@example.test", role=VIEWER, invited_by=admin_user)
    _, _, path = invitation_link(mailoutbox[0])
    browser = Client(HTTP_HOST="acme.localhost")

    accepted = accept_invitation(browser, path)
    reused = browser.get(path)
    user.refresh_from_db()
    signed_in = sign_in(Client(HTTP_HOST="acme.localhost"), user.email, password=NEW_PASSWORD)

    assert accepted.status_code == 302
    assert accepted["Location"] == "/accounts/password/reset/key/done/"
    assert user.check_password(NEW_PASSWORD) is True
    assert EmailAddress.objects.get(user=user).verified is True
    assert reused.status_code == 200
    assert b"Bad Token" in reused.content
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"


def test_invitation_link_does_nothing_on_another_tenant(
    admin_user, other_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_invite(email="hire@example.test", role=VIEWER, invited_by=admin_user)
    with schema_context(other_tenant.schema_name):
        namesake = UserFactory(email="hire@example.test")
    _, _, path = invitation_link(mailoutbox[0])

    response = accept_invitation(Client(HTTP_HOST="globex.localhost"), path)
    with schema_context(other_tenant.schema_name):
        namesake.refresh_from_db()
    with schema_context("acme"):
        user.refresh_from_db()

    assert response.status_code == 200
    assert b"Bad Token" in response.content
    assert namesake.check_password(NEW_PASSWORD) is False
    assert user.has_usable_password() is False


def test_invitation_rolled_back_sends_nothing(admin_user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        staff_invite(email="hire@example.test", role=VIEWER, invited_by=admin_user)

    mails = [callback.__qualname__ for callback in callbacks if callback.__module__ == "apps.identity.accounts"]
    assert mails == ["staff_invite.<locals>.send"]
    assert mailoutbox == []


def test_inviting_an_existing_member_or_an_unknown_role_sends_nothing(admin_user, mailoutbox):
    users = User.objects.count()

    with pytest.raises(ValidationError, match=r"owner@acme\.test is already a member\."):
        staff_invite(email="OWNER@acme.test", role=VIEWER, invited_by=admin_user)
    with pytest.raises(ValidationError, match=r"Unknown role Overlord\."):
        staff_invite(email="new@example.test", role="Overlord", invited_by=admin_user)

    assert User.objects.count() == users
    assert mailoutbox == []


def test_admin_invites_from_the_console(tenant_client, admin_user, mailoutbox, django_capture_on_commit_callbacks):
    tenant_client.force_login(admin_user)

    page = tenant_client.get("/admin/identity/user/invite/")
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client.post("/admin/identity/user/invite/", {"email": "hire@example.test", "role": ADMIN})

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/admin/identity/user/"
    assert list(User.objects.get(email="hire@example.test").groups.values_list("name", flat=True)) == [ADMIN]
    assert len(mailoutbox) == 1


def test_staff_without_access_control_rights_cannot_invite(tenant_client, tenant, mailoutbox):
    viewer = UserFactory(email="staff-viewer@acme.test", is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    tenant_client.force_login(viewer)

    response = tenant_client.post("/admin/identity/user/invite/", {"email": "hire@example.test", "role": ADMIN})

    assert response.status_code == 403
    assert User.objects.filter(email="hire@example.test").exists() is False
    assert mailoutbox == []


# --- EMAIL_URL


def test_email_url_becomes_django_settings(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://mailer:s3cret@mail.example.com:587")

    assert env.email(default=None) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
    }


def test_email_url_defaults_to_the_console_when_allowed(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)

    assert env.email(default="consolemail://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_email_url_is_required_without_a_default(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)

    with pytest.raises(env.ConfigError, match=r"^EMAIL_URL must be set in production, like smtp"):
        env.email(default=None)


def test_email_url_with_an_unknown_scheme_is_refused_without_echoing_it(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "http://user:s3cret@mail.example.com")

    with pytest.raises(env.ConfigError) as error:
        env.email(default=None)

    assert str(error.value).endswith("(got 'scheme http')")
    assert "s3cret" not in str(error.value)
