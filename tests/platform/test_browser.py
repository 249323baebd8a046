"""A real browser (headless Chromium) opens a tenant's page over HTTP."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application

from tests.services import require

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def live_port(tenant) -> Iterator[int]:
    """MonoPod served over real HTTP on a free port, in a thread with its own (committing) connection."""
    server = make_server("127.0.0.1", 0, get_wsgi_application(), ThreadingWSGIServer, QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_url(live_port) -> str:
    return f"http://acme.localhost:{live_port}/"


@pytest.fixture
def browser() -> Iterator[object]:
    require(bool(CHROMIUM and CHROMEDRIVER), "headless Chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    profile = tempfile.mkdtemp(prefix="monopod-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


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
