"""The layout every page shares, the dashboard, and the sign-in pages in the same look."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from apps.audit.models import AuditEntry


def test_dashboard_for_a_visitor_asks_to_sign_in(tenant_client):
    response = tenant_client.get("/")

    assert response.status_code == 200
    assert b'<h1 data-tenant="acme">Acme Ltd</h1>' in response.content
    assert b"<title>Acme Ltd \xc2\xb7 MonoPod</title>" in response.content
    assert b'href="/accounts/login/?next=/"' in response.content
    assert b'data-card="' not in response.content
    assert b'<nav class="side-nav"' not in response.content


def test_dashboard_of_an_admin_shows_welcome_and_recent_activity(admin_client, admin_user):
    response = admin_client.get("/")

    assert [item["card"].name for item in response.context["cards"]] == ["welcome", "audit-recent"]
    assert b"Signed in as owner@acme.test." in response.content
    recent = response.context["cards"][1]["context"]["entries"]
    assert [e.seq for e in recent] == list(AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[:8])
    assert b'href="/admin/"' in response.content


def test_dashboard_of_a_viewer_has_no_audit_card(viewer_client):
    response = viewer_client.get("/")

    assert [item["card"].name for item in response.context["cards"]] == ["welcome"]
    assert b"Recent activity" not in response.content
    assert b'href="/admin/"' not in response.content


def test_other_tenants_dashboard_shows_only_its_own_name(other_tenant):
    response = Client(HTTP_HOST="globex.localhost").get("/")

    assert response.status_code == 200
    assert b'<h1 data-tenant="globex">Globex Corp</h1>' in response.content
    assert b"Acme" not in response.content


def test_layout_has_landmarks_skip_link_nav_and_user_menu(viewer_client):
    content = viewer_client.get("/catalog/products/").content.decode()

    assert '<a class="skip-link" href="#main">Skip to content</a>' in content
    assert '<main id="main" class="content" tabindex="-1">' in content
    assert '<span class="tenant-name">Acme Ltd</span>' in content
    assert '<span class="user-email">viewer@acme.test</span>' in content
    assert '<a href="/catalog/products/" class="active" aria-current="page">' in content
    assert '<a href="/">' in content
    assert 'action="/accounts/logout/"' in content
    assert 'action="/i18n/setlang/"' in content
    assert 'aria-live="polite"' in content
    assert content.index("</header>") < content.index('<div class="shell')


def test_live_script_and_htmx_are_loaded_for_members(viewer_client):
    content = viewer_client.get("/").content

    assert b'src="/static/js/live.js"' in content
    assert b'src="/static/vendor/htmx/htmx.min.js"' in content


def test_low_bandwidth_pages_drop_the_scripts(viewer_user):
    request = RequestFactory().get("/", HTTP_HOST="acme.localhost")
    request.user = viewer_user

    content = render_to_string("base.html", {"low_bandwidth": True}, request=request)

    assert "htmx.min.js" not in content
    assert "live.js" not in content
    assert 'class="skip-link"' in content


def test_switching_to_arabic_turns_the_page_right_to_left(viewer_client):
    response = viewer_client.post("/i18n/setlang/", {"language": "ar", "next": "/catalog/products/"})

    assert response.status_code == 302
    assert response["Location"] == "/catalog/products/"
    assert b'<html lang="ar" dir="rtl">' in viewer_client.get("/catalog/products/").content


def test_login_page_has_the_shell_look_and_labelled_fields(tenant_client):
    response = tenant_client.get("/accounts/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/monopod.css">' in content
    assert '<main id="main" class="content entrance" tabindex="-1">' in content
    assert '<label for="id_login">' in content
    assert '<label for="id_password">' in content


def test_signing_in_without_a_next_page_lands_on_the_dashboard(tenant_client, viewer_user):
    from allauth.account.models import EmailAddress

    from tests.identity.factories import DEFAULT_PASSWORD

    EmailAddress.objects.create(user=viewer_user, email=viewer_user.email, verified=True, primary=True)

    response = tenant_client.post("/accounts/login/", {"login": viewer_user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_keeps_the_page_asked_for(tenant_client):
    page = tenant_client.get("/accounts/login/", {"next": "/catalog/products/"})

    assert b'name="next" value="/catalog/products/"' in page.content
    assert page.content.count(b'name="next"') == 2  # the sign-in form's and the language switcher's


def test_password_reset_page_has_the_shell_look(tenant_client):
    response = tenant_client.get("/accounts/password/reset/")

    assert response.status_code == 200
    assert b'class="content entrance"' in response.content


def test_mfa_page_has_the_shell_look(viewer_client):
    response = viewer_client.get("/accounts/2fa/")

    assert response.status_code == 200
    assert b'<a class="skip-link" href="#main">' in response.content


def test_signup_page_has_the_shell_look(public_client):
    response = public_client.get("/signup/")

    assert response.status_code == 200
    assert b'<a class="skip-link" href="#main">' in response.content
    assert b"live.js" not in response.content
