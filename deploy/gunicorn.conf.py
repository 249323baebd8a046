"""Gunicorn settings for MonoPod's web process: plain HTTP through WSGI (``monopod.wsgi``).

Websockets are not served here; the ws process (uvicorn) serves ``/ws/``. Sync workers, one per core
to start with (docs/decisions/0002-http-serving-topology.md). Every value below can be tuned from the
environment without rebuilding the image:

    WEB_CONCURRENCY              worker processes (default 2)
    GUNICORN_THREADS             threads per worker; above 1 switches to the gthread worker (default 1)
    GUNICORN_TIMEOUT             seconds before a silent worker is killed and restarted (default 30)
    GUNICORN_GRACEFUL_TIMEOUT    seconds to finish in-flight requests on shutdown (default 25)
    GUNICORN_KEEPALIVE           seconds an idle connection is kept, gthread only (default 75)
    GUNICORN_MAX_REQUESTS        recycle a worker after this many requests, 0 = never (default 0)
    PROMETHEUS_MULTIPROC_DIR     when set, /metrics aggregates every worker (prometheus_client
                                 multiprocess mode); see docs/operations.md

Process counts come from the environment rather than the CPU count: inside a container the CPU count
is the node's, not the container's share of it. Sync workers serve one request at a time and close the
connection after it, so they belong behind a buffering proxy (nginx, the Ingress controller) that
absorbs slow clients.
"""

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "monopod.wsgi:application"
bind = [f"0.0.0.0:{_int('PORT', 8000)}"]

workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# gthread only (sync workers close every connection): longer than the idle timeout of common load
# balancers (60 s), so that gunicorn never closes a connection the balancer is about to reuse.
keepalive = _int("GUNICORN_KEEPALIVE", 75)

max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# Worker heartbeats on tmpfs: the root filesystem is read-only and /tmp may be disk-backed.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - a private tmpfs in every container
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# No runtime control socket: nothing in a container uses it, and its default place is not writable.
control_socket_disable = True

# MonoPod writes one JSON access line per request itself (monopod.observability).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"

# --- Prometheus multiprocess mode ---------------------------------------------------------------
# Each worker is a separate process with its own counters. With PROMETHEUS_MULTIPROC_DIR set,
# prometheus_client keeps them in files in that directory and django-prometheus' /metrics view sums
# them, so whichever worker answers a scrape reports the whole process tree.
_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()


def on_starting(server):
    """Start from an empty metrics directory: files from an earlier run would be counted again."""
    if not _multiproc_dir:
        return
    directory = Path(_multiproc_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server, worker):
    """Drop the live gauges of a worker that exited; its counters stay and are still summed."""
    if not _multiproc_dir:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
