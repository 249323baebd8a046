"""``migrate_schemas`` for a fleet: every tenant, the template and the warm pool, in parallel.

Schemas already at the latest migration are skipped without starting a migration. One failing schema
is reported and does not stop the others; the command then exits non-zero naming every failure.
With a ``--schema`` or explicit app/migration arguments, django-tenants' own behaviour applies.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors.base import run_migrations
from django_tenants.migration_executors.multiproc import get_pool
from django_tenants.utils import schema_exists

from apps.tenants import schemas
from apps.tenants.choices import TenantStatus
from apps.tenants.models import PooledSchema, Tenant


def _migrate_one(args: tuple[Any, ...], options: dict[str, Any], schema_name: str) -> tuple[str, str | None]:
    """Migrate one schema in a worker process; report its error instead of raising it."""
    try:
        run_migrations(args, options, "fleet", schema_name, allow_atomic=False)
    except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the fleet
        return schema_name, f"{type(exc).__name__}: {exc}"
    return schema_name, None


class Command(MigrateSchemasCommand):
    help = MigrateSchemasCommand.help + " Skips schemas already migrated; one failure does not stop the rest."

    def handle(self, *args: Any, **options: Any) -> None:
        sync_public = options.get("shared") or not options.get("tenant")
        sync_tenants = options.get("tenant") or not options.get("shared")
        fleet = sync_tenants and not any(
            options.get(name) for name in ("schema_name", "app_label", "migration_name", "fake")
        )
        if not fleet:
            super().handle(*args, **options)
            return
        if sync_public:
            super().handle(*args, **{**options, "shared": True, "tenant": False})
        self.migrate_fleet(args, options)

    def fleet_schemas(self) -> list[str]:
        schemas.use_public_schema()
        names = list(
            Tenant.objects.exclude(schema_name="public")
            .exclude(status=TenantStatus.DELETED)
            .values_list("schema_name", flat=True)
        )
        names.append(schemas.TEMPLATE_SCHEMA)
        names.extend(PooledSchema.objects.values_list("schema_name", flat=True))
        return [name for name in names if schema_exists(name)]

    def migrate_fleet(self, args: tuple[Any, ...], options: dict[str, Any]) -> None:
        candidates = self.fleet_schemas()
        stale = [name for name in candidates if not schemas.schema_is_current(name)]
        verbosity = int(options.get("verbosity", 1))
        if verbosity >= 1:
            self.stdout.write(f"{len(candidates) - len(stale)} schemas up to date, {len(stale)} to migrate.")
        if not stale:
            return
        connection.close()
        migrate = functools.partial(_migrate_one, args, {**options, "verbosity": max(verbosity - 1, 0)})
        with get_pool() as pool:
            results = list(pool.imap_unordered(migrate, stale, chunksize=1))
        failures = sorted((name, error) for name, error in results if error)
        for name, error in failures:
            self.stderr.write(f"{name}: {error}")
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(stale)} schemas failed to migrate: {', '.join(n for n, _ in failures)}"
            )
