"""A real browser (headless Chromium): the consent banner in an eu tenant and not in a usa one, and an
africa tenant's dashboard light enough for slow networks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from apps.features.constants import CONSENT_VERSION
from monopod.tenancy import tenant_cache
from tests.browser import founder_signed_in_and_restored
from tests.conftest import FOUNDER_PASSWORD, OTHER_TENANT_SLUG, TENANT_SLUG

pytestmark = pytest.mark.browser

SCHEMAS = (TENANT_SLUG, OTHER_TENANT_SLUG)
# What an africa tenant's dashboard may weigh, everything it loads counted.
LOW_BANDWIDTH_BUDGET = 60 * 1024
# Every byte the page loaded: the document and each resource, counted even when served from the cache.
PAGE_WEIGHT_JS = """
const entries = performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"));
return entries.map(e => [e.name, Math.max(e.transferSize || 0, e.encodedBodySize || 0)]);
"""


@pytest.fixture
def served(committed: Any) -> Iterator[Any]:
    """Founders who can sign in to both tenants, and afterwards the database as it was: regions,
    sessions, consents, last logins and the trail entries the served pages committed."""
    conn, _made = committed
    regions = dict(
        conn.execute(
            "SELECT schema_name, region FROM public.tenants_tenant WHERE schema_name = ANY(%s)", [list(SCHEMAS)]
        ).fetchall()
    )

    def set_region(schema: str, region: str) -> None:
        conn.execute("UPDATE public.tenants_tenant SET region = %s WHERE schema_name = %s", [region, schema])
        tenant_cache.clear()  # the served pages run in this process

    with ExitStack() as restoring:
        for schema in SCHEMAS:
            restoring.enter_context(founder_signed_in_and_restored(conn, schema, {"audit_auditentry": "seq"}))
        yield set_region
    for schema in SCHEMAS:
        set_region(schema, regions[schema])
        conn.execute(f"DELETE FROM {schema}.features_consent")  # noqa: S608


def _sign_in(browser: Any, base_url: str, slug: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "accounts/login/?next=/")
    browser.find_element(By.ID, "id_login").send_keys(f"founder@{slug}.test")
    browser.find_element(By.ID, "id_password").send_keys(FOUNDER_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 20).until(ec.url_to_be(base_url))


def test_an_eu_member_sees_the_consent_banner_and_accepts_it_without_javascript(browser, live_port, served, committed):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    conn, _made = committed
    base_url = f"http://{TENANT_SLUG}.localhost:{live_port}/"
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    _sign_in(browser, base_url, TENANT_SLUG)

    banner = browser.find_element(By.CSS_SELECTOR, "aside.consent-banner")
    assert banner.get_attribute("data-consent-version") == CONSENT_VERSION
    banner.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The form posts and the answer redirects back: the page it was on is gone once that has happened.
    WebDriverWait(browser, 20).until(ec.staleness_of(banner))
    WebDriverWait(browser, 20).until(ec.url_to_be(base_url))

    assert browser.current_url == base_url
    assert browser.find_elements(By.CSS_SELECTOR, "aside.consent-banner") == []
    rows = conn.execute(f"SELECT version FROM {TENANT_SLUG}.features_consent").fetchall()  # noqa: S608
    assert rows == [(CONSENT_VERSION,)]


def test_a_usa_member_sees_no_consent_banner(browser, live_port, served):
    from selenium.webdriver.common.by import By

    base_url = f"http://{OTHER_TENANT_SLUG}.localhost:{live_port}/"
    _sign_in(browser, base_url, OTHER_TENANT_SLUG)

    assert browser.find_element(By.TAG_NAME, "h1").text == "Globex Corp"
    assert browser.find_elements(By.CSS_SELECTOR, "aside.consent-banner") == []


def test_an_africa_tenants_dashboard_weighs_under_60_kb(browser, live_port, served):
    from selenium.webdriver.common.by import By

    served(TENANT_SLUG, "africa")
    base_url = f"http://{TENANT_SLUG}.localhost:{live_port}/"
    _sign_in(browser, base_url, TENANT_SLUG)
    browser.get(base_url)

    assert browser.find_element(By.TAG_NAME, "h1").text == "Acme Ltd"
    loaded = browser.execute_script(PAGE_WEIGHT_JS)
    total = sum(size for _name, size in loaded)
    assert total > 0
    assert total < LOW_BANDWIDTH_BUDGET, loaded
    assert not any(name.endswith(("htmx.min.js", "live.js")) for name, _size in loaded)
