"""A real browser (headless Chromium) opens a tenant's page over HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_browser_sees_the_tenant_page(browser, live_url):
    from selenium.webdriver.common.by import By

    browser.get(live_url)

    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Acme Ltd"
    assert heading.get_attribute("data-tenant") == "acme"
    assert browser.title == "Acme Ltd · MonoPod"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"


def test_visitor_signs_up_in_the_browser_and_gets_the_login_address(browser, live_port, committed):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    conn, made = committed
    made.append("browserco")
    browser.get(f"http://localhost:{live_port}/signup/")
    browser.find_element(By.NAME, "name").send_keys("Browser Co")
    browser.find_element(By.NAME, "slug").send_keys("browserco")
    Select(browser.find_element(By.NAME, "region")).select_by_value("gulf")
    browser.find_element(By.NAME, "admin_email").send_keys("founder@browserco.test")
    browser.find_element(By.NAME, "password").send_keys("a-strong-passphrase-42")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    link = WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "a.login-url"))
    )
    assert link.get_attribute("href") == f"http://browserco.localhost:{live_port}/admin/login/"
    assert conn.execute("SELECT status, region FROM public.tenants_tenant WHERE slug = 'browserco'").fetchone() == (
        "active",
        "gulf",
    )
