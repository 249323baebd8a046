"""Low-level schema operations: existence, migration state, rename, clone, drop.

Schema names reach SQL only as quoted identifiers (psycopg's ``sql.Identifier``), never by string
formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists
from psycopg import sql

TEMPLATE_SCHEMA = "tenant_template"
POOL_PREFIX = "pool_"


def _execute(statement: sql.Composable, params: Sequence[str] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(), params)
        return list(cursor.fetchall()) if cursor.description else []


@cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration of the project: a tenant schema records them all once migrated."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def applied_migrations(schema_name: str) -> frozenset[tuple[str, str]]:
    rows = _execute(sql.SQL("SELECT app, name FROM {}.django_migrations").format(sql.Identifier(schema_name)))
    return frozenset((str(app), str(name)) for app, name in rows)


def schema_is_current(schema_name: str) -> bool:
    """True when the schema exists and every migration of the project is recorded in it."""
    if not schema_exists(schema_name):
        return False
    has_table = _execute(
        sql.SQL("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'django_migrations'"),
        [schema_name],
    )
    if not has_table:
        return False
    return expected_migrations() <= applied_migrations(schema_name)


def schema_create_migrated(schema_name: str) -> None:
    """Create (if needed) and migrate a tenant schema the slow, always-possible way."""
    _execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name)))
    migrate(schema_name)


def migrate(schema_name: str) -> None:
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    use_public_schema()


def use_public_schema() -> None:
    """Point the default connection at the public schema (django-tenants' connection wrapper)."""
    cast(Any, connection).set_schema_to_public()


def schema_clone(source: str, target: str) -> None:
    """Copy ``source`` (structure and data, with its migration records) to a new schema ``target``."""
    CloneSchema().clone_schema(source, target, set_connection=True)


def schema_rename(source: str, target: str) -> None:
    _execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(source), sql.Identifier(target)))


def schema_drop(schema_name: str) -> None:
    _execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name)))


def template_ensure() -> None:
    """Keep the template schema, from which tenants and pool schemas are cloned, fully migrated."""
    if not schema_is_current(TEMPLATE_SCHEMA):
        schema_create_migrated(TEMPLATE_SCHEMA)
