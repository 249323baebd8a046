"""Committed state for tests that run MonoPod in another process, as ops do, and clean up after.

Everything else in the suite runs inside a rolled-back transaction; these tests need rows and schemas
that another process can see, so they write through a separate autocommit connection and remove
what they made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or settings.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{settings['NAME']}?host={host}"
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[tuple[psycopg.Connection, list[str]]]:
    """An autocommit connection to the test database; what it makes is removed afterwards."""
    with django_db_blocker.unblock():
        settings = connection.settings_dict
        conn = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings.get("PASSWORD") or None,
            host=settings["HOST"] or settings.get("OPTIONS", {}).get("host") or None,
            port=settings["PORT"] or None,
            autocommit=True,
        )
    made: list[str] = []
    try:
        yield conn, made
    finally:
        for schema in made:
            conn.execute(
                "DELETE FROM public.tenants_domain WHERE tenant_id IN "
                "(SELECT id FROM public.tenants_tenant WHERE schema_name = %s)",
                [schema],
            )
            conn.execute("DELETE FROM public.tenants_tenant WHERE schema_name = %s", [schema])
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.close()


def run_manage(*args: str, python: str | None = None) -> subprocess.CompletedProcess[str]:
    """``manage.py <args>`` (or a Python snippet) in a fresh process on the test database."""
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DB_CONN_MAX_AGE", "REDIS_URL", "BROKER_URL"}},
        "DJANGO_SETTINGS_MODULE": "monopod.settings.development",
        "SECRET_KEY": "committed-" + "k" * 60,
        "DATABASE_URL": database_url(),
    }
    argv = [sys.executable, "-c", python] if python else [sys.executable, "manage.py", *args]
    return subprocess.run(
        argv, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
