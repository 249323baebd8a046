"""``/health/live`` through MonoPod's full middleware stack, under ASGI (uvicorn) and WSGI (gunicorn).

Servers run ``monopod.settings.development`` with DEBUG off against the bench database, with
LOG_LEVEL=WARNING (no per-request access line); one more pair runs with LOG_LEVEL=INFO so the cost of
the JSON access log is visible. gunicorn runs sync workers, like the bare Django baseline, and once
more with gthread workers (4 threads, keep-alive), the web process's settings in
``deploy/gunicorn.conf.py``. Each server runs as its entry point configures it: ``monopod/asgi.py``
turns persistent database connections off under ASGI.

The view does no I/O. Whether the stack does (django-tenants' host lookup) shows in the ``db conns``
column: operational paths (``/health/``, ``/metrics``) skip the lookup, so it reads 0.
"""

from __future__ import annotations

from tests.bench import benchdb
from tests.bench.calibration import DJANGO_ASGI, DJANGO_WSGI
from tests.bench.harness import BenchError, BenchRun, Failure, ServerSpec, gunicorn, progress, uvicorn

TITLE = "http"
GROUP = "http: /health/live, full MonoPod stack"
PATH = "/health/live"
SETTINGS = "monopod.settings.development"
GTHREAD_THREADS = 4  # deploy/gunicorn.conf.py's default (GUNICORN_THREADS)

ASGI = "http.live.asgi"
WSGI = "http.live.wsgi"
WSGI_GTHREAD = "http.live.wsgi.gthread"
ASGI_INFO = "http.live.asgi.info"
WSGI_INFO = "http.live.wsgi.info"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    workers = bench.config.workers

    def env(log_level: str) -> dict[str, str]:
        return {**database.server_env(), "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false", "LOG_LEVEL": log_level}

    def asgi(log_level: str) -> ServerSpec:
        return uvicorn("monopod.asgi:application", workers=workers, env=env(log_level))

    def wsgi(log_level: str, threads: int = 1) -> ServerSpec:
        return gunicorn("monopod.wsgi:application", workers=workers, env=env(log_level), threads=threads)

    lines: list[tuple[str, str, ServerSpec]] = [
        (ASGI, "LOG_LEVEL=WARNING", asgi("WARNING")),
        (WSGI, "LOG_LEVEL=WARNING", wsgi("WARNING")),
        (WSGI_GTHREAD, "LOG_LEVEL=WARNING", wsgi("WARNING", threads=GTHREAD_THREADS)),
        (ASGI_INFO, "LOG_LEVEL=INFO", asgi("INFO")),
        (WSGI_INFO, "LOG_LEVEL=INFO", wsgi("INFO")),
    ]
    counter = benchdb.ConnectionCounter(database)
    try:
        for key, variant, spec in lines:
            detail = {"log_level": spec.env["LOG_LEVEL"], "settings": SETTINGS}
            try:
                bench.measure_http(
                    spec,
                    key=key,
                    group=GROUP,
                    label=f"MonoPod {PATH}, {variant}",
                    path=PATH,
                    detail=detail,
                    db_connections=counter,
                )
            except BenchError as exc:  # one line failing does not stop the others
                message = str(exc)
                if "does not exist" in message:
                    message += (
                        "\nThe code expects a table or column its migrations do not make: a migration is "
                        "missing (manage.py makemigrations)."
                    )
                bench.failures.append(Failure(module=f"{TITLE} {key}", message=message))
                progress(f"  {key} FAILED: {message}")
    finally:
        counter.close()

    bench.compare(ASGI, DJANGO_ASGI, "MonoPod ASGI vs bare Django ASGI (uvicorn both)")
    bench.compare(WSGI, DJANGO_WSGI, "MonoPod WSGI vs bare Django WSGI (gunicorn sync both)")
    bench.compare(ASGI, DJANGO_WSGI, "MonoPod ASGI vs bare Django WSGI")
    bench.compare(ASGI, WSGI, "MonoPod ASGI (uvicorn) vs MonoPod WSGI (gunicorn sync)")
    bench.compare(ASGI, WSGI_GTHREAD, "MonoPod ASGI (uvicorn) vs MonoPod WSGI (gunicorn gthread)")
    bench.compare(WSGI_GTHREAD, WSGI, "MonoPod WSGI: gunicorn gthread vs sync")
    bench.compare(ASGI_INFO, ASGI, "MonoPod ASGI: LOG_LEVEL=INFO vs WARNING (access log cost)")
    bench.compare(WSGI_INFO, WSGI, "MonoPod WSGI: LOG_LEVEL=INFO vs WARNING (access log cost)")
