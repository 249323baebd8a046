"""Calibration, measured first in every run: what this machine and the bare stacks can do.

* the database's single-row INSERT rate (each row its own transaction);
* a raw ASGI callable under uvicorn: the floor of the ASGI server;
* a bare Django view (no middleware, no database) under gunicorn (WSGI) and under uvicorn (ASGI).

Benchmarks compare against these, so their figures are ratios within one run on one machine.
"""

from __future__ import annotations

from tests.bench import benchdb
from tests.bench.harness import BenchRun, Measurement, gunicorn, uvicorn

TITLE = "calibration"
GROUP = "calibration"

INSERT_MAX_ROWS = 20_000
INSERT_MAX_SECONDS = 3.0

DB_INSERT = "calibration.db_insert"
ASGI_HELLO = "calibration.asgi_hello"
DJANGO_WSGI = "calibration.django_wsgi"
DJANGO_ASGI = "calibration.django_asgi"


def _percentile_ms(ordered: list[float], fraction: float) -> float:
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index] * 1000


def measure_inserts(run: BenchRun) -> None:
    database = benchdb.for_run(run)
    rows, seconds, latencies = benchdb.insert_rate(database, max_rows=INSERT_MAX_ROWS, max_seconds=INSERT_MAX_SECONDS)
    ordered = sorted(latencies)
    run.record(
        Measurement(
            key=DB_INSERT,
            group=GROUP,
            label="db: single-row INSERT, autocommit",
            server="psycopg, 1 connection",
            unit="rows/s",
            rate=rows / seconds if seconds > 0 else 0.0,
            p50_ms=_percentile_ms(ordered, 0.50) if ordered else None,
            p95_ms=_percentile_ms(ordered, 0.95) if ordered else None,
            count=rows,
            seconds=seconds,
            detail={
                "synchronous_commit": benchdb.synchronous_commit(database),
                "embedded_cluster": database.embedded,
            },
        )
    )


def run(bench: BenchRun) -> None:
    workers = bench.config.workers
    measure_inserts(bench)
    bench.measure_http(
        uvicorn("tests.bench.apps.hello_asgi:app", workers=workers),
        key=ASGI_HELLO,
        group=GROUP,
        label="raw ASGI hello world",
        path="/",
    )
    bench.measure_http(
        gunicorn("tests.bench.apps.bare_django:wsgi_application", workers=workers),
        key=DJANGO_WSGI,
        group=GROUP,
        label="bare Django view (no middleware, no DB)",
        path="/ok",
    )
    bench.measure_http(
        uvicorn("tests.bench.apps.bare_django:asgi_application", workers=workers),
        key=DJANGO_ASGI,
        group=GROUP,
        label="bare Django view (no middleware, no DB)",
        path="/ok",
    )
    bench.compare(DJANGO_ASGI, DJANGO_WSGI, "bare Django: ASGI (uvicorn) vs WSGI (gunicorn)")
    bench.compare(DJANGO_ASGI, ASGI_HELLO, "bare Django ASGI vs raw ASGI hello (uvicorn both)")
