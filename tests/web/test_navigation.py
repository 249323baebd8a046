"""The navigation registry: each user sees the entries and cards their permissions and flags allow."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from monopod.web.navigation import DashboardCard, NavEntry, Registry


class Features:
    def __init__(self, *active: str) -> None:
        self.active = set(active)

    def is_active(self, name: str) -> bool:
        return name in self.active


def request_for(user: Any, path: str = "/", features: Features | None = None) -> Any:
    request = RequestFactory().get(path)
    request.user = user
    if features is not None:
        request.features = features
    return request


@pytest.fixture
def registry() -> Registry:
    made = Registry()
    made.add_entry(NavEntry(label="Dashboard", url_name="tenant-home", order=0))
    made.add_entry(NavEntry(label="Products", url_name="catalog:product_list", permission="catalog.view_product"))
    made.add_entry(NavEntry(label="Beta", url_name="api-docs", feature="beta", order=200))
    made.add_entry(NavEntry(label="Gone", url_name="no-such-page", order=300))
    made.add_card(DashboardCard(name="open", template_name="open.html"))
    made.add_card(DashboardCard(name="audit", template_name="audit.html", permission="catalog.delete_product"))
    made.add_card(DashboardCard(name="flagged", template_name="flagged.html", feature="beta"))
    return made


def labels(registry: Registry, request: Any) -> list[str]:
    return [str(shown.label) for shown in registry.entries_for(request)]


def test_viewer_sees_entries_they_have_the_permission_for(registry, viewer_user):
    assert labels(registry, request_for(viewer_user)) == ["Dashboard", "Products"]


def test_member_without_the_permission_does_not_see_the_entry(registry, tenant):
    from tests.identity.factories import UserFactory

    assert labels(registry, request_for(UserFactory(email="nobody@acme.test"))) == ["Dashboard"]


def test_visitor_sees_no_navigation(registry, tenant):
    assert labels(registry, request_for(AnonymousUser())) == []


def test_flagged_entry_is_hidden_without_a_feature_set(registry, admin_user):
    assert "Beta" not in labels(registry, request_for(admin_user))


def test_flagged_entry_is_hidden_when_its_flag_is_off(registry, admin_user):
    assert "Beta" not in labels(registry, request_for(admin_user, features=Features("other")))


def test_flagged_entry_is_shown_when_its_flag_is_on(registry, admin_user):
    assert labels(registry, request_for(admin_user, features=Features("beta"))) == ["Dashboard", "Products", "Beta"]


def test_entry_of_a_page_not_served_is_left_out(registry, admin_user):
    assert "Gone" not in labels(registry, request_for(admin_user))


def test_the_current_page_entry_is_marked_active(registry, admin_user):
    shown = registry.entries_for(request_for(admin_user, path="/catalog/products/12/edit/"))

    assert [(str(s.label), s.url, s.active) for s in shown] == [
        ("Dashboard", "/", False),
        ("Products", "/catalog/products/", True),
    ]


def test_dashboard_entry_is_active_only_on_the_dashboard(registry, admin_user):
    shown = registry.entries_for(request_for(admin_user, path="/"))

    assert [s.active for s in shown] == [True, False]


def test_entries_are_grouped_by_section_in_order(admin_user):
    made = Registry()
    made.add_entry(NavEntry(label="B", url_name="tenant-home", section="Sales", order=2))
    made.add_entry(NavEntry(label="A", url_name="catalog:product_list", section="Catalog", order=1))

    sections = made.sections_for(request_for(admin_user))

    assert [(s.label, [str(e.label) for e in s.entries]) for s in sections] == [("Catalog", ["A"]), ("Sales", ["B"])]


def test_an_entry_is_registered_once(registry):
    registry.add_entry(NavEntry(label="Products again", url_name="catalog:product_list"))

    assert [e.url_name for e in registry.entries].count("catalog:product_list") == 1


def test_cards_are_filtered_by_permission_and_flag(registry, viewer_user, admin_user):
    assert [c.name for c in registry.cards_for(request_for(viewer_user))] == ["open"]
    assert [c.name for c in registry.cards_for(request_for(admin_user, features=Features("beta")))] == [
        "audit",
        "flagged",
        "open",
    ]
