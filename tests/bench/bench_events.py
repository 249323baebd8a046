"""The event backbone: what ``publish()`` costs a transaction, how fast the relay drains, the whole path.

The work runs in ``tests/bench/apps/eventsbench/worker.py``, a process of its own on the bench database
with ``tests.bench.apps.events_settings`` (RabbitMQ at ``BENCH_BROKER_URL``, Redis at ``BENCH_REDIS_URL``,
tasks on a queue of their own), in the tenant ``bench-events`` (made once and kept). The event type
``eventsbench.item.updated`` and its one no-op subscriber live in ``tests/bench/apps/eventsbench/``.

* **publish**: transactions updating one row of a bench table in the tenant's schema, without and with
  one ``publish()`` (aggregate numbered, wake after commit), in alternating windows; one connection.
* **relay**: N pending outbox rows drained by ``relay_run()`` to the ``monopod.events`` exchange with
  publisher confirms (``deliveries_enqueue`` a no-op), against the raw claim of the same number of rows
  (``SELECT ... FOR UPDATE SKIP LOCKED`` of a batch, ``UPDATE ... SET sent_at``, commit; no publish).
* **path**: a Celery worker on the bench queue; commits publishing events, woken relay, broker,
  ``events.deliver``, subscriber; two publisher threads (one could not offer 500 commits a second
  here). Sustained: commits of 10 events for the measured seconds, rate up to the last event
  received. Latency: one event per commit offered at 500 a second, from ``publish()`` (``data.at``) to
  the subscriber's clock.

Goals: publish ratio >= 0.5; relay >= 5,000 events/s; path >= 1,000 events/s sustained and p95 < 250 ms
at 500 events/s offered.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from tests.bench import benchdb
from tests.bench.harness import BenchError, BenchRun, Failure, Measurement, progress
from tests.bench.tenants_worker import run_worker
from tests.services import reachable

TITLE = "events"
SETTINGS = "tests.bench.apps.events_settings"
WORKER = "tests.bench.apps.eventsbench.worker"
TENANT_SLUG = "bench-events"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
RELAY_EVENTS = 20_000
LATENCY_RATE = 500.0
GOAL_PUBLISH_RATIO = 0.5
GOAL_RELAY_RATE = 5000.0
GOAL_PATH_RATE = 1000.0
GOAL_P95_MS = 250.0

GROUP_PUBLISH = "events: a transaction updating one row, without and with publish()"
GROUP_RELAY = "events: outbox rows drained, relay to the broker vs raw claim"
GROUP_PATH = "events: commit -> relay -> broker -> Celery worker -> subscriber"
PLAIN, PUBLISH = "events.txn.plain", "events.txn.publish"
RAW, RELAY = "events.relay.raw", "events.relay.broker"
SUSTAINED, LATENCY = "events.path.sustained", "events.path.latency"


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    broker = os.environ.get("BENCH_BROKER_URL") or DEFAULT_BROKER_URL
    redis = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    if not reachable(broker, 5672):
        raise BenchError(
            f"no RabbitMQ at {urlsplit(broker).hostname}:{urlsplit(broker).port or 5672} (BENCH_BROKER_URL)"
        )
    if not reachable(redis, 6379):
        raise BenchError(f"no Redis at {urlsplit(redis).netloc} (BENCH_REDIS_URL): the relay's wake flag needs it")
    env = {**database.server_env(), "BENCH_BROKER_URL": broker, "BENCH_REDIS_URL": redis}
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--slug", TENANT_SLUG],
        database_env=database.server_env(),
        name="events.ensure",
        timeout=300,
    )
    progress(f"  tenant {TENANT_SLUG}: {'made' if made['made'] else 'reused'} ({seconds:.1f}s)")

    def worker(command: str, *args: str, timeout: float = 300) -> dict[str, Any]:
        argv = ["-m", WORKER, command, "--slug", TENANT_SLUG, *args]
        result, _ = run_worker(argv, database_env=env, name=f"events.{command}", timeout=timeout, settings=SETTINGS)
        return result

    worker("prepare")
    duration = f"{max(2.0, bench.config.duration):g}"
    for step in (measure_publish, measure_relay, measure_path):
        try:
            step(bench, worker, duration)
        except BenchError as exc:  # one measurement failing does not stop the others
            bench.failures.append(Failure(module=f"{TITLE} {step.__name__}", message=str(exc)))
            progress(f"  {step.__name__} FAILED: {exc}")


def measure_publish(bench: BenchRun, worker: Any, duration: str) -> None:
    result = worker("txn", "--seconds", str(2 * float(duration)))
    for key, name, label in ((PLAIN, "plain", "UPDATE one row"), (PUBLISH, "publish", "UPDATE one row + publish()")):
        line = result[name]
        bench.record(
            Measurement(
                key=key,
                group=GROUP_PUBLISH,
                label=label,
                server="in-process, 1 conn",
                unit="tx/s",
                rate=line["rate"],
                cpu_ms=line["cpu_ms"],
                count=line["transactions"],
                seconds=line["seconds"],
            )
        )
    ratio = result["publish"]["rate"] / result["plain"]["rate"]
    bench.compare(PUBLISH, PLAIN, f"publish() vs plain transaction (goal >={GOAL_PUBLISH_RATIO:g}: "
                  f"{met(ratio >= GOAL_PUBLISH_RATIO)})")  # fmt: skip


def measure_relay(bench: BenchRun, worker: Any, duration: str) -> None:
    result = worker("relay", "--events", str(RELAY_EVENTS))
    broker = result["broker"]
    raw, relay = result["raw"], result["relay"]
    if relay["broker_down"] or relay["events"] != RELAY_EVENTS:
        raise BenchError(f"the relay sent {relay['events']} of {RELAY_EVENTS} events: {relay}")
    bench.record(
        Measurement(
            key=RAW,
            group=GROUP_RELAY,
            label=f"raw claim + mark sent, {RELAY_EVENTS:,} rows",
            server="in-process, batch 500",
            unit="ev/s",
            rate=raw["events"] / raw["seconds"],
            count=raw["events"],
            seconds=raw["seconds"],
        )
    )
    rate = relay["events"] / relay["seconds"]
    bench.record(
        Measurement(
            key=RELAY,
            group=GROUP_RELAY,
            label=f"relay_run() to RabbitMQ, confirms, {RELAY_EVENTS:,}",
            server="in-process, batch 500",
            unit="ev/s",
            rate=rate,
            count=relay["events"],
            seconds=relay["seconds"],
            detail={"broker": broker, "deliveries_enqueue": "no-op"},
        )
    )
    bench.compare(RELAY, RAW, f"relay to broker vs raw claim (goal >={GOAL_RELAY_RATE:,.0f} ev/s: "
                  f"{met(rate >= GOAL_RELAY_RATE)}, {rate:,.0f})")  # fmt: skip


def measure_path(bench: BenchRun, worker: Any, duration: str) -> None:
    result = worker("path", "--seconds", duration, "--rate", f"{LATENCY_RATE:g}", timeout=600)
    sustained, latency = result["sustained"], result["latency"]
    server = f"celery prefork x{result['concurrency']}"
    bench.record(
        Measurement(
            key=SUSTAINED,
            group=GROUP_PATH,
            label=f"sustained, {result['events_per_commit']} events per commit",
            server=server,
            unit="ev/s",
            rate=sustained["rate"],
            p50_ms=sustained["p50_ms"],
            p95_ms=sustained["p95_ms"],
            count=sustained["events"],
            seconds=sustained["seconds"],
            detail={"publish_rate": sustained["publish_rate"], "worker_ready_s": result["worker_ready_s"]},
        )
    )
    bench.record(
        Measurement(
            key=LATENCY,
            group=GROUP_PATH,
            label=f"{LATENCY_RATE:g} ev/s offered, 1 per commit",
            server=server,
            unit="ev/s",
            rate=latency["achieved_rate"],
            p50_ms=latency["p50_ms"],
            p95_ms=latency["p95_ms"],
            count=latency["events"],
            detail={"p99_ms": latency["p99_ms"], "max_ms": latency["max_ms"], "offered_rate": LATENCY_RATE},
        )
    )
    rate_ok = sustained["rate"] >= GOAL_PATH_RATE
    p95_ok = latency["p95_ms"] < GOAL_P95_MS and latency["achieved_rate"] >= 0.95 * LATENCY_RATE
    bench.compare(
        LATENCY,
        SUSTAINED,
        f"path, latency run vs sustained: >={GOAL_PATH_RATE:,.0f} ev/s sustained {met(rate_ok)} "
        f"({sustained['rate']:,.0f}); "
        f"p95 <{GOAL_P95_MS:g} ms at {LATENCY_RATE:g}/s {met(p95_ok)} ({latency['p95_ms']:.0f} ms)",
    )
