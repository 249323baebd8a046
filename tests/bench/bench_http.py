"""``/health/live`` through MonoPod's full middleware stack, under ASGI (uvicorn) and WSGI (gunicorn).

The view does no I/O, but the stack does: django-tenants' middleware looks the host's Domain up
in the database on every request (``localhost`` is not a tenant, so /health/ falls back to the public
schema). Servers run ``monopod.settings.development`` with DEBUG off against the bench database,
with LOG_LEVEL=WARNING (no per-request access line); one more pair runs with LOG_LEVEL=INFO so the
cost of the JSON access log is visible.

A diagnostic pair runs the same stack with ``CONN_MAX_AGE = 0`` (``apps/monopod_conn0_settings.py``).
Django's ASGI handler gives every request a thread of its own and database connections belong to a
thread, so under ASGI a persistent connection is never reused: each request opens one, and with
``CONN_MAX_AGE > 0`` it is not closed when the request ends either. The pair shows how much of the
ASGI figure is that, and how much is the server and Django's sync/async bridging.
"""

from __future__ import annotations

from tests.bench import benchdb
from tests.bench.calibration import DJANGO_ASGI, DJANGO_WSGI
from tests.bench.harness import BenchRun, gunicorn, uvicorn

TITLE = "http"
GROUP = "http: /health/live, full MonoPod stack"
PATH = "/health/live"

ASGI = "http.live.asgi"
WSGI = "http.live.wsgi"
ASGI_INFO = "http.live.asgi.info"
WSGI_INFO = "http.live.wsgi.info"
ASGI_CONN0 = "http.live.asgi.conn0"
WSGI_CONN0 = "http.live.wsgi.conn0"
CONN0_SETTINGS = "tests.bench.apps.monopod_conn0_settings"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    workers = bench.config.workers

    def env(log_level: str, settings: str) -> dict[str, str]:
        return {
            **database.server_env(),
            "DJANGO_SETTINGS_MODULE": settings,
            "DEBUG": "false",
            "LOG_LEVEL": log_level,
        }

    variants = (
        ("LOG_LEVEL=WARNING", "WARNING", "monopod.settings.development", ASGI, WSGI),
        ("LOG_LEVEL=INFO", "INFO", "monopod.settings.development", ASGI_INFO, WSGI_INFO),
        ("WARNING, CONN_MAX_AGE=0", "WARNING", CONN0_SETTINGS, ASGI_CONN0, WSGI_CONN0),
    )
    counter = benchdb.ConnectionCounter(database)
    try:
        for variant, level, settings, asgi_key, wsgi_key in variants:
            label = f"MonoPod {PATH}, {variant}"
            detail = {"log_level": level, "settings": settings}
            for spec, key in (
                (uvicorn("monopod.asgi:application", workers=workers, env=env(level, settings)), asgi_key),
                (gunicorn("monopod.wsgi:application", workers=workers, env=env(level, settings)), wsgi_key),
            ):
                bench.measure_http(
                    spec, key=key, group=GROUP, label=label, path=PATH, detail=detail, db_connections=counter
                )
    finally:
        counter.close()

    bench.compare(ASGI, DJANGO_ASGI, "MonoPod ASGI vs bare Django ASGI (uvicorn both)")
    bench.compare(WSGI, DJANGO_WSGI, "MonoPod WSGI vs bare Django WSGI (gunicorn both)")
    bench.compare(ASGI, DJANGO_WSGI, "MonoPod ASGI vs bare Django WSGI")
    bench.compare(ASGI, WSGI, "MonoPod ASGI (uvicorn) vs MonoPod WSGI (gunicorn)")
    bench.compare(ASGI_INFO, ASGI, "MonoPod ASGI: LOG_LEVEL=INFO vs WARNING (access log cost)")
    bench.compare(WSGI_INFO, WSGI, "MonoPod WSGI: LOG_LEVEL=INFO vs WARNING (access log cost)")
    bench.compare(ASGI_CONN0, WSGI_CONN0, "CONN_MAX_AGE=0: MonoPod ASGI vs MonoPod WSGI")
    bench.compare(ASGI_CONN0, ASGI, "MonoPod ASGI: CONN_MAX_AGE=0 vs 60 (as configured)")
    bench.compare(WSGI_CONN0, WSGI, "MonoPod WSGI: CONN_MAX_AGE=0 vs 60 (as configured)")
