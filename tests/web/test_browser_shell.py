"""A real browser (headless Chromium) signs in, uses the catalog's generic pages and switches to Arabic."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import founder_signed_in_and_restored
from tests.conftest import FOUNDER_PASSWORD, TENANT_SLUG

pytestmark = pytest.mark.browser

# The README's screenshots are taken anew with MONOPOD_SCREENSHOTS=1; other runs keep theirs apart.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("MONOPOD_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "monopod-screenshots"
)
# Rows the served pages commit in the tenant's schema (products, their audit entries), removed afterwards
# so the rest of the run sees the database as it was.
KEYED_TABLES = {
    "catalog_product": "id",
    "audit_auditentry": "seq",
}


@pytest.fixture
def restored(committed: Any) -> Iterator[None]:
    conn, _made = committed
    with founder_signed_in_and_restored(conn, TENANT_SLUG, KEYED_TABLES):
        yield


def test_member_signs_in_manages_a_product_and_reads_the_dashboard_in_arabic(browser, live_url, restored):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    # An element looked up while the next page replaces the document goes stale: look again.
    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    browser.set_window_size(1280, 800)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    browser.get(live_url + "accounts/login/")
    browser.find_element(By.ID, "id_login").send_keys(f"founder@{TENANT_SLUG}.test")
    browser.find_element(By.ID, "id_password").send_keys(FOUNDER_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[data-card=welcome]")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Acme Ltd"
    assert browser.title == "Acme Ltd · MonoPod"
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-en.png"))

    browser.find_element(By.CSS_SELECTOR, "nav.side-nav").find_element(By.LINK_TEXT, "Products").click()
    wait.until(ec.title_is("Products · MonoPod"))
    # Sorting swaps only the table (htmx): the page, and this marker on it, stay.
    browser.execute_script("window.shellMarker = 'kept'")
    browser.find_element(By.LINK_TEXT, "Unit price").click()
    wait.until(ec.url_contains("sort=unit_price"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "th[aria-sort=ascending]")))
    assert browser.execute_script("return window.shellMarker") == "kept"
    assert len(browser.find_elements(By.ID, "object-table")) == 1  # replaced, not nested in the old one
    browser.find_element(By.CSS_SELECTOR, "a.button[href='/catalog/products/add/']").click()
    wait.until(ec.presence_of_element_located((By.ID, "id_sku")))
    browser.find_element(By.ID, "id_sku").send_keys("BRW-1")
    browser.find_element(By.ID, "id_name").send_keys("Browser bolt")
    Select(browser.find_element(By.ID, "id_category")).select_by_value("software")
    browser.find_element(By.ID, "id_unit_price").send_keys("12.50")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.title_is("BRW-1 Browser bolt · MonoPod"))
    assert "Created BRW-1 Browser bolt." in browser.find_element(By.CSS_SELECTOR, ".messages").text

    browser.find_element(By.LINK_TEXT, "Edit").click()
    name = wait.until(ec.presence_of_element_located((By.ID, "id_name")))
    name.clear()
    name.send_keys("Browser bolt XL")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.title_is("BRW-1 Browser bolt XL · MonoPod"))
    assert "Saved BRW-1 Browser bolt XL." in browser.find_element(By.CSS_SELECTOR, ".messages").text
    browser.find_element(By.LINK_TEXT, "History").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.history")))
    actions = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table.history tbody td:nth-of-type(2)")]
    assert actions == ["update", "create"]

    browser.get(live_url)
    Select(browser.find_element(By.ID, "language-select")).select_by_value("ar")
    browser.find_element(By.CSS_SELECTOR, "form.language button[type=submit]").click()
    wait.until(lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar")
    html = browser.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("dir"), html.get_attribute("lang")) == ("rtl", "ar")
    nav = browser.find_element(By.CSS_SELECTOR, "nav.side-nav").rect
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert nav["x"] >= width / 2
    assert nav["x"] + nav["width"] == pytest.approx(width, abs=1)
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-ar.png"))
