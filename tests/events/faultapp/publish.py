"""Publish probe events in committed transactions: ``python -m tests.events.faultapp.publish``.

Arguments: tenant schema, batch label, first n, count, events per transaction, seconds between
transactions, and ``rollback`` to end every transaction with a rollback instead.
"""

from __future__ import annotations

import sys
import time

import django


class RolledBack(Exception):
    pass


def main(schema: str, batch: str, first: int, count: int, per_transaction: int, pause: float, rollback: bool) -> None:
    django.setup()
    from django.db import transaction
    from django_tenants.utils import schema_context

    from apps.events.services import publish

    with schema_context(schema):
        for start in range(first, first + count, per_transaction):
            try:
                with transaction.atomic():
                    for n in range(start, min(start + per_transaction, first + count)):
                        publish("faults.probe.happened", {"n": n, "batch": batch})
                    if rollback:
                        raise RolledBack
            except RolledBack:
                pass
            if pause:
                time.sleep(pause)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]), len(a) > 6 and a[6] == "rollback")
