"""Browser test fixtures: MonoPod served over real HTTP and a headless Chromium driven by Selenium."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connections

from tests.services import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # Each request has a thread, and so a database connection, of its own: close it with the thread,
        # or the test database cannot be dropped at the end of the run.
        try:
            super().process_request_thread(request, client_address)
        finally:
            connections.close_all()


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


# Append-only tables and their triggers, held off while a test removes the rows its pages committed.
APPEND_ONLY_TRIGGERS = {
    "ims_stockmovement": "ims_stock_movement_append_only",
    "audit_auditentry": "audit_entry_append_only",
}


@contextmanager
def founder_signed_in_and_restored(conn: Any, schema: str, keyed_tables: Mapping[str, str]) -> Iterator[None]:
    """While it lasts, the founder of ``schema`` can sign in (a verified address); afterwards the schema
    is as it was: the rows the served pages committed in ``keyed_tables`` (table: its increasing key,
    listed so that a table comes before what it refers to), the sessions and the founder's last login.

    ``conn`` commits (``tests.tenants.committed``), as the served pages do.
    """
    before = {
        table: conn.execute(f"SELECT coalesce(max({key}), 0) FROM {schema}.{table}").fetchone()[0]  # noqa: S608
        for table, key in keyed_tables.items()
    }
    sessions = [row[0] for row in conn.execute(f"SELECT session_key FROM {schema}.django_session")]  # noqa: S608
    founder = f"founder@{schema}.test"
    last_login = conn.execute(
        f"SELECT last_login FROM {schema}.identity_user WHERE email = %s",  # noqa: S608
        [founder],
    ).fetchone()[0]
    # Signing in needs a verified address; the founder's is still waiting for its confirmation.
    verify = f"UPDATE {schema}.account_emailaddress SET verified = %s WHERE email = %s"  # noqa: S608
    conn.execute(verify, [True, founder])
    yield
    conn.execute(verify, [False, founder])
    for table, key in keyed_tables.items():
        trigger = APPEND_ONLY_TRIGGERS.get(table)
        if trigger:
            conn.execute(f"ALTER TABLE {schema}.{table} DISABLE TRIGGER {trigger}")
        conn.execute(f"DELETE FROM {schema}.{table} WHERE {key} > %s", [before[table]])  # noqa: S608
        if trigger:
            conn.execute(f"ALTER TABLE {schema}.{table} ENABLE TRIGGER {trigger}")
    conn.execute(f"DELETE FROM {schema}.django_session WHERE NOT (session_key = ANY(%s))", [sessions])  # noqa: S608
    conn.execute(f"UPDATE {schema}.identity_user SET last_login = %s WHERE email = %s", [last_login, founder])  # noqa: S608
