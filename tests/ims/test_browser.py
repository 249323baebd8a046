"""A real browser (headless Chromium) adds a warehouse and a product, receives stock and sees it everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import founder_signed_in_and_restored
from tests.conftest import FOUNDER_PASSWORD, TENANT_SLUG

pytestmark = pytest.mark.browser

# Rows the served pages commit in the tenant's schema, by their increasing key; removed afterwards so
# the rest of the run sees the database as it was.
KEYED_TABLES = {
    "ims_stockmovement": "id",
    "ims_stocklevel": "id",
    "ims_product": "id",
    "ims_warehouse": "id",
    "event_deliveries_delivery": "id",
    "audit_auditentry": "seq",
}


@pytest.fixture
def restored(committed: Any) -> Iterator[None]:
    conn, _made = committed
    schema = TENANT_SLUG
    outbox = conn.execute("SELECT coalesce(max(id), 0) FROM public.events_outboxevent").fetchone()[0]
    with founder_signed_in_and_restored(conn, schema, KEYED_TABLES):
        yield
    conn.execute("DELETE FROM public.events_outboxevent WHERE id > %s AND tenant_schema = %s", [outbox, schema])
    conn.execute(
        "DELETE FROM public.events_aggregatesequence WHERE tenant_schema = %s AND aggregate_type LIKE 'ims.%%'",
        [schema],
    )


def test_a_member_adds_a_product_receives_stock_and_sees_its_badge_change(browser, live_url, restored):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    browser.set_window_size(1280, 900)

    browser.get(live_url + "accounts/login/")
    browser.find_element(By.ID, "id_login").send_keys(f"founder@{TENANT_SLUG}.test")
    browser.find_element(By.ID, "id_password").send_keys(FOUNDER_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[data-card=welcome]")))

    nav = browser.find_element(By.CSS_SELECTOR, "nav.side-nav")
    nav.find_element(By.LINK_TEXT, "Warehouses").click()
    wait.until(ec.title_is("Warehouses · MonoPod"))
    browser.find_element(By.CSS_SELECTOR, "a.button[href='/ims/warehouses/add/']").click()
    wait.until(ec.presence_of_element_located((By.ID, "id_code"))).send_keys("BRW")
    browser.find_element(By.ID, "id_name").send_keys("Browser depot")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.title_is("BRW Browser depot · MonoPod"))

    browser.find_element(By.CSS_SELECTOR, "nav.side-nav").find_element(By.LINK_TEXT, "Products").click()
    wait.until(ec.title_is("Products · MonoPod"))
    browser.find_element(By.CSS_SELECTOR, "a.button[href='/ims/products/add/']").click()
    wait.until(ec.presence_of_element_located((By.ID, "id_sku"))).send_keys("BRW-1")
    browser.find_element(By.ID, "id_name").send_keys("Browser bolt")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.title_is("BRW-1 Browser bolt · MonoPod"))
    assert "Created BRW-1 Browser bolt." in browser.find_element(By.CSS_SELECTOR, ".messages").text

    browser.find_element(By.LINK_TEXT, "Adjust stock").click()
    quantity = wait.until(ec.presence_of_element_located((By.ID, "id_quantity")))
    Select(browser.find_element(By.ID, "id_warehouse")).select_by_visible_text("BRW Browser depot")
    Select(browser.find_element(By.ID, "id_kind")).select_by_value("issue")
    quantity.send_keys("2")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    error = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[data-field=quantity] .errorlist")))
    assert error.text == "Only 0.000 of BRW-1 is available in BRW."

    Select(browser.find_element(By.ID, "id_kind")).select_by_value("receipt")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait.until(ec.title_is("BRW-1 Browser bolt · MonoPod"))
    assert (
        "Stock of BRW-1 Browser bolt in BRW Browser depot updated."
        in browser.find_element(By.CSS_SELECTOR, ".messages").text
    )
    sections = browser.find_elements(By.CSS_SELECTOR, "section.related")
    stock_row = [cell.text for cell in sections[0].find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")]
    assert stock_row[:4] == ["Browser depot", "2.000", "0.000", "2.000"]
    assert stock_row[5] == "In stock"
    movement_row = [cell.text for cell in sections[1].find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")]
    assert movement_row[1:5] == ["Receipt", "BRW", "2.000", "2.000"]

    browser.get(live_url + "ims/products/?q=BRW-1")
    badge = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#object-table .stock-badge")))
    assert (badge.text, badge.get_attribute("class")) == ("In stock", "stock-badge stock-ok")
