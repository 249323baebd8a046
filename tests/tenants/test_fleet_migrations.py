"""``migrate_schemas`` across the fleet, run as ops run it: a separate process on committed schemas.

One tenant's failing migration is reported and the others are still migrated; schemas already at
the latest migration are not touched.
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
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


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


def make_tenant(conn: psycopg.Connection, made: list[str], schema: str) -> None:
    made.append(schema)
    conn.execute("SELECT clone_schema('tenant_template', %s, 'DATA')", [schema])
    conn.execute(
        "INSERT INTO public.tenants_tenant (schema_name, slug, name, region, plan, status, language, time_zone,"
        " currency, owner_email, created_at, updated_at) VALUES (%s, %s, %s, 'global', 'free', 'active', 'en',"
        " 'UTC', 'USD', '', now(), now())",
        [schema, schema.replace("_", "-"), schema],
    )


def test_one_failing_tenant_is_reported_and_the_others_are_migrated(committed):
    conn, made = committed
    make_tenant(conn, made, "fleet_ok")
    make_tenant(conn, made, "fleet_bad")
    forget = "DELETE FROM {}.django_migrations WHERE app = 'identity' AND name = '0002_apikey'"
    # fleet_ok lacks the migration and its table: migrating brings both back.
    conn.execute(sql.SQL("DROP TABLE {}.identity_apikey").format(sql.Identifier("fleet_ok")))
    conn.execute(sql.SQL(forget).format(sql.Identifier("fleet_ok")))
    # fleet_bad lacks the migration but still has the table: migrating it fails.
    conn.execute(sql.SQL(forget).format(sql.Identifier("fleet_bad")))

    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DB_CONN_MAX_AGE", "REDIS_URL", "BROKER_URL"}},
        "DJANGO_SETTINGS_MODULE": "monopod.settings.development",
        "SECRET_KEY": "fleet-" + "k" * 60,
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--tenant"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "3 schemas up to date, 2 to migrate." in result.stdout
    assert "fleet_bad: " in result.stderr
    assert "CommandError: 1 of 2 schemas failed to migrate: fleet_bad" in result.stderr
    applied = conn.execute(
        "SELECT count(*) FROM fleet_ok.django_migrations WHERE app = 'identity' AND name = '0002_apikey'"
    ).fetchone()
    assert applied == (1,)
    assert conn.execute("SELECT to_regclass('fleet_ok.identity_apikey') IS NOT NULL").fetchone() == (True,)
