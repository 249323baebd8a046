"""The events benchmark's worker: ``python -m tests.bench.apps.eventsbench.worker <command>``.

Runs with ``tests.bench.apps.events_settings`` on the bench database (``bench_events.py`` starts it).
Commands, each printing one ``BENCH_JSON`` line:

* ``prepare --slug S``: the tenant's bench tables (items, received events), the items seeded;
* ``txn --slug S --seconds T``: transactions updating one item, without and with one ``publish()``;
* ``relay --events N``: N pending outbox rows drained by a raw claim-and-mark loop, then (filled again)
  by ``relay_run()`` to the broker with ``deliveries_enqueue`` replaced by a no-op;
* ``path --slug S --seconds T --rate R``: a Celery worker on the bench queue; commits publishing events
  from ``PUBLISHERS`` threads, as fast as they can (sustained), then at ``R`` a second between them
  (latency), each event timed from ``publish()`` to the subscriber.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.bench.harness import LOGS_DIR, PROJECT_ROOT
from tests.bench.tenants_worker import django_setup, emit_result, say

ITEMS = 1000
CLAIM_BATCH = 500
SUSTAINED_EVENTS_PER_COMMIT = 10
# Threads publishing at once, each with its own connection: one could not offer 500 commits a second
# on this machine (a commit with publish() costs about 1.2 ms, and waits on its round trips).
PUBLISHERS = 2
CELERY_CONCURRENCY = 4
READY_TIMEOUT_SECONDS = 60.0
DRAIN_TIMEOUT_SECONDS = 120.0


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through ``finally``, which stops the Celery worker


@contextmanager
def in_tenant(slug: str) -> Iterator[str]:
    from django_tenants.utils import schema_context

    from apps.tenants.models import Tenant

    schema = Tenant.objects.get(slug=slug).schema_name
    with schema_context(schema):
        yield schema


def execute(statement: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def scalar(statement: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return row[0] if row else None


def outbox_reset() -> None:
    from apps.events.models import AggregateSequence, OutboxEvent

    execute(f"TRUNCATE public.{OutboxEvent._meta.db_table}, public.{AggregateSequence._meta.db_table}")


def prepare(slug: str) -> dict[str, Any]:
    from tests.bench.apps.eventsbench.events import ITEM_TABLE, RECEIVED_TABLE

    with in_tenant(slug) as schema:
        execute(
            f"CREATE TABLE IF NOT EXISTS {ITEM_TABLE} (id bigint PRIMARY KEY, n bigint NOT NULL, "
            "updated_at timestamptz NOT NULL DEFAULT now())"
        )
        execute(
            f"INSERT INTO {ITEM_TABLE} (id, n) SELECT g, 0 FROM generate_series(1, %s) g "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [ITEMS],
        )
        execute(
            f"CREATE TABLE IF NOT EXISTS {RECEIVED_TABLE} (event_id uuid PRIMARY KEY, "
            "published_at double precision NOT NULL, received_at double precision NOT NULL)"
        )
    return {"schema": schema}


def one_transaction(publishing: bool) -> None:
    from django.db import transaction

    from apps.events.services import publish
    from tests.bench.apps.eventsbench.events import ITEM_TABLE, ITEM_UPDATED

    item = random.randint(1, ITEMS)
    with transaction.atomic():
        execute(f"UPDATE {ITEM_TABLE} SET n = n + 1, updated_at = now() WHERE id = %s", [item])  # noqa: S608
        if publishing:
            publish(ITEM_UPDATED.name, {"n": item, "at": time.time()}, aggregate=("eventsbench.item", item))


def transactions(slug: str, seconds: float) -> dict[str, Any]:
    """Alternating windows without and with ``publish()`` (four each), so drift hits both alike."""
    import resource

    windows = 8
    counts = {False: 0, True: 0}
    elapsed = {False: 0.0, True: 0.0}
    cpu = {False: 0.0, True: 0.0}
    outbox_reset()
    with in_tenant(slug):
        for publishing in (False, True):  # warm-up: imports, prepared plans, the wake flag
            for _ in range(200):
                one_transaction(publishing)
        for window in range(windows):
            publishing = window % 2 == 1
            usage = resource.getrusage(resource.RUSAGE_SELF)
            before_cpu = usage.ru_utime + usage.ru_stime
            started = time.perf_counter()
            deadline = started + seconds / windows * 2
            done = 0
            while time.perf_counter() < deadline and done < 200_000:
                one_transaction(publishing)
                done += 1
            elapsed[publishing] += time.perf_counter() - started
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu[publishing] += usage.ru_utime + usage.ru_stime - before_cpu
            counts[publishing] += done
    outbox_reset()
    return {
        name: {
            "transactions": counts[flag],
            "seconds": elapsed[flag],
            "rate": counts[flag] / elapsed[flag],
            "cpu_ms": cpu[flag] * 1000 / counts[flag],
        }
        for name, flag in (("plain", False), ("publish", True))
    }


def outbox_fill(schema: str, events: int) -> None:
    from apps.events.models import OutboxEvent
    from tests.bench.apps.eventsbench.events import ITEM_UPDATED

    outbox_reset()
    execute(
        f"INSERT INTO public.{OutboxEvent._meta.db_table} (event_id, event_type, tenant_schema, aggregate_type, "  # noqa: S608
        "aggregate_id, sequence, envelope, created_at, attempts, last_error) "
        "SELECT u, %(type)s, %(schema)s, '', '', NULL, jsonb_build_object('eventId', u::text, 'eventType', "
        "%(type)s, 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "'tenantId', %(schema)s, 'userId', NULL, 'aggregate', NULL, 'data', jsonb_build_object('n', g, 'at', 0), "
        "'metadata', jsonb_build_object('traceId', NULL, 'source', 'monopod.eventsbench')), now(), 0, '' "
        "FROM (SELECT g, gen_random_uuid() AS u FROM generate_series(1, %(n)s) g) s",
        {"type": ITEM_UPDATED.name, "schema": schema, "n": events},
    )
    execute(f"ANALYZE public.{OutboxEvent._meta.db_table}")


def raw_claim() -> int:
    """Claim and mark sent, batch by batch, as the relay does, without publishing anything."""
    from django.db import connection, transaction

    from apps.events.models import OutboxEvent
    from apps.events.relay import RELAY_LOCK_KEY

    table = f"public.{OutboxEvent._meta.db_table}"
    claimed, after = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RELAY_LOCK_KEY])
            cursor.execute(
                f"SELECT * FROM {table} WHERE sent_at IS NULL AND id > %s ORDER BY id "  # noqa: S608
                "LIMIT %s FOR UPDATE SKIP LOCKED",
                [after, CLAIM_BATCH],
            )
            rows = cursor.fetchall()
            if rows:
                ids = [row[0] for row in rows]
                cursor.execute(f"UPDATE {table} SET sent_at = now() WHERE id = ANY(%s)", [ids])  # noqa: S608
                after = ids[-1]
                claimed += len(ids)
        if len(rows) < CLAIM_BATCH:
            return claimed


def relay(slug: str, events: int) -> dict[str, Any]:
    from django.conf import settings

    from apps.events import delivery
    from apps.events.models import OutboxEvent
    from apps.events.relay import relay_run

    with in_tenant(slug) as schema:
        pass
    result: dict[str, Any] = {"events": events, "broker": settings.BROKER_URL.split("@")[-1]}
    outbox_fill(schema, events)
    started = time.perf_counter()
    claimed = raw_claim()
    result["raw"] = {"events": claimed, "seconds": time.perf_counter() - started}

    outbox_fill(schema, events)
    delivery.deliveries_enqueue = lambda envelope, **options: 0  # no subscriber work: the relay and the broker alone
    started = time.perf_counter()
    run = relay_run(broker_url=settings.BROKER_URL)
    seconds = time.perf_counter() - started
    pending = OutboxEvent.objects.filter(sent_at__isnull=True).count()
    result["relay"] = {
        "events": run.published,
        "seconds": seconds,
        "failed": run.failed,
        "broker_down": run.broker_down,
        "pending_after": pending,
    }
    outbox_reset()
    return result


# --- The whole path ------------------------------------------------------------------------------


def queue_purge() -> None:
    from django.conf import settings

    from monopod.celery import app

    with app.connection_for_write() as conn:
        channel = conn.channel()
        try:
            channel.queue_purge(settings.BENCH_QUEUE)
        except Exception as exc:  # noqa: BLE001 - no queue yet: nothing to purge
            say(f"purge: {type(exc).__name__}: {exc}")


@contextmanager
def celery_worker() -> Iterator[subprocess.Popen[bytes]]:
    from django.conf import settings

    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOGS_DIR / "events.celery.log"
    argv = [
        sys.executable, "-m", "celery", "-A", "monopod", "worker", "-Q", settings.BENCH_QUEUE,
        "--concurrency", str(CELERY_CONCURRENCY), "--pool", "prefork", "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-events-{os.getpid()}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=15)


def received_count() -> int:
    from tests.bench.apps.eventsbench.events import RECEIVED_TABLE

    return int(scalar(f"SELECT count(*) FROM {RECEIVED_TABLE}"))  # noqa: S608


def wait_received(count: int, timeout: float, process: subprocess.Popen[bytes]) -> float:
    """Wait until ``count`` events were received; returns when the last one was (Unix seconds)."""
    from tests.bench.apps.eventsbench.events import RECEIVED_TABLE

    deadline = time.monotonic() + timeout
    while received_count() < count:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited ({process.returncode}); see results/logs/events.celery.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {received_count()} of {count} events reached the subscriber in {timeout:.0f}s")
        time.sleep(0.05)
    return float(scalar(f"SELECT max(received_at) FROM {RECEIVED_TABLE}"))  # noqa: S608


def path_reset() -> None:
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    from apps.events.deliveries.models import Delivery
    from apps.events.wake import WAKE_FLAG_KEY
    from tests.bench.apps.eventsbench.events import RECEIVED_TABLE

    execute(f"TRUNCATE {RECEIVED_TABLE}, {Delivery._meta.db_table}")
    with schema_context("public"):
        outbox_reset()
        cache.delete(WAKE_FLAG_KEY)


def publish_batch(events: int) -> None:
    from django.db import transaction

    from apps.events.services import publish
    from tests.bench.apps.eventsbench.events import ITEM_TABLE, ITEM_UPDATED

    # In item order: the publishers' transactions then lock items and their aggregates' sequence rows
    # in one order, and never deadlock.
    with transaction.atomic():
        for item in sorted(random.randint(1, ITEMS) for _ in range(events)):
            execute(f"UPDATE {ITEM_TABLE} SET n = n + 1 WHERE id = %s", [item])  # noqa: S608
            publish(ITEM_UPDATED.name, {"n": item, "at": time.time()}, aggregate=("eventsbench.item", item))


def latencies_ms() -> list[float]:
    from django.db import connection

    from tests.bench.apps.eventsbench.events import RECEIVED_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (received_at - published_at) * 1000 FROM {RECEIVED_TABLE}")  # noqa: S608
        return sorted(float(row[0]) for row in cursor.fetchall())


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def in_publishers(schema: str, work: Any) -> list[int]:
    """``work(index)`` in each of ``PUBLISHERS`` threads, in the tenant's schema; what each returned."""
    import threading

    from django.db import connection
    from django_tenants.utils import schema_context

    results = [0] * PUBLISHERS
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with schema_context(schema):
                results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(PUBLISHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


def path(slug: str, seconds: float, rate: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "concurrency": CELERY_CONCURRENCY,
        "events_per_commit": SUSTAINED_EVENTS_PER_COMMIT,
        "publishers": PUBLISHERS,
    }
    with in_tenant(slug) as schema:
        path_reset()
        queue_purge()
        with celery_worker() as process:
            started = time.monotonic()
            publish_batch(1)
            wait_received(1, READY_TIMEOUT_SECONDS, process)
            result["worker_ready_s"] = time.monotonic() - started
            for _ in range(3):  # warm every worker process
                publish_batch(SUSTAINED_EVENTS_PER_COMMIT)
            wait_received(1 + 3 * SUSTAINED_EVENTS_PER_COMMIT, DRAIN_TIMEOUT_SECONDS, process)

            # Sustained: commits of 10 events as fast as the publishers go, then the drain.
            path_reset()
            begun = time.time()
            deadline = time.monotonic() + seconds

            def sustained(_index: int) -> int:
                count = 0
                while time.monotonic() < deadline:
                    publish_batch(SUSTAINED_EVENTS_PER_COMMIT)
                    count += SUSTAINED_EVENTS_PER_COMMIT
                return count

            published = sum(in_publishers(schema, sustained))
            publishing_s = time.time() - begun
            last = wait_received(published, DRAIN_TIMEOUT_SECONDS, process)
            ordered = latencies_ms()
            result["sustained"] = {
                "events": published,
                "publish_s": publishing_s,
                "publish_rate": published / publishing_s,
                "seconds": last - begun,
                "rate": published / (last - begun),
                "p50_ms": statistics.median(ordered),
                "p95_ms": percentile(ordered, 0.95),
            }

            # Latency at ``rate`` events a second offered, one event per commit, the publishers
            # taking turns (each offers rate / PUBLISHERS, staggered).
            path_reset()
            begun = time.monotonic()
            share = int(rate * seconds) // PUBLISHERS

            def paced(index: int) -> int:
                for number in range(share):
                    due = begun + (number * PUBLISHERS + index) / rate
                    now = time.monotonic()
                    if due > now:
                        time.sleep(due - now)
                    publish_batch(1)
                return share

            published = sum(in_publishers(schema, paced))
            offered_s = time.monotonic() - begun
            wait_received(published, DRAIN_TIMEOUT_SECONDS, process)
            ordered = latencies_ms()
            result["latency"] = {
                "events": published,
                "offered_rate": rate,
                "achieved_rate": published / offered_s,
                "p50_ms": statistics.median(ordered),
                "p95_ms": percentile(ordered, 0.95),
                "p99_ms": percentile(ordered, 0.99),
                "max_ms": ordered[-1],
            }
        path_reset()
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.apps.eventsbench.worker")
    parser.add_argument("command", choices=["prepare", "txn", "relay", "path"])
    parser.add_argument("--slug", required=True)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=500.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    django_setup()

    def produce() -> dict[str, Any]:
        if args.command == "prepare":
            return prepare(args.slug)
        if args.command == "txn":
            return transactions(args.slug, min(args.seconds, 60))
        if args.command == "relay":
            return relay(args.slug, max(1, min(args.events, 200_000)))
        return path(args.slug, min(args.seconds, 60), max(1.0, min(args.rate, 5000.0)))

    return emit_result(produce)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
