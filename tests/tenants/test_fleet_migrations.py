"""``migrate_schemas`` across the fleet, run as ops run it: a separate process on committed schemas.

One tenant's failing migration is reported and the others are still migrated; schemas already at
the latest migration are not touched.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from tests.tenants.committed import run_manage

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


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
    # 0002_apikey and the identity migrations after it, which depend on it.
    forget = "DELETE FROM {}.django_migrations WHERE app = 'identity' AND name >= '0002_apikey'"
    # fleet_ok lacks the migration and its table: migrating brings both back.
    conn.execute(sql.SQL("DROP TABLE {}.identity_apikey").format(sql.Identifier("fleet_ok")))
    conn.execute(sql.SQL(forget).format(sql.Identifier("fleet_ok")))
    # fleet_bad lacks the migration but still has the table: migrating it fails.
    conn.execute(sql.SQL(forget).format(sql.Identifier("fleet_bad")))

    result = run_manage("migrate_schemas", "--tenant")

    assert result.returncode == 1, result.stderr
    assert "3 schemas up to date, 2 to migrate." in result.stdout
    assert "fleet_bad: " in result.stderr
    assert "CommandError: 1 of 2 schemas failed to migrate: fleet_bad" in result.stderr
    applied = conn.execute(
        "SELECT count(*) FROM fleet_ok.django_migrations WHERE app = 'identity' AND name = '0002_apikey'"
    ).fetchone()
    assert applied == (1,)
    assert conn.execute("SELECT to_regclass('fleet_ok.identity_apikey') IS NOT NULL").fetchone() == (True,)
