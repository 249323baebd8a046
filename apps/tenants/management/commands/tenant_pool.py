from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.tenants.models import PooledSchema
from apps.tenants.provisioning import pool_fill


class Command(BaseCommand):
    help = "Fill the warm pool of migrated schemas that new tenants take, up to --size."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, required=True)

    def handle(self, *args: Any, size: int, **options: Any) -> None:
        if not 0 <= size <= 1000:
            raise CommandError("--size must be between 0 and 1000.")
        made = pool_fill(size=size)
        self.stdout.write(f"Warm pool: {PooledSchema.objects.count()} schemas ({made} made).")
