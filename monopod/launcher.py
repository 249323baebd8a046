"""``make run``: check the configuration, start the database, migrate, bootstrap, then serve.

Web (uvicorn, HTTP and websockets), Celery worker and Celery beat run under honcho; Ctrl-C stops them
all, and the private PostgreSQL cluster too if this run started it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from monopod import embedded_pg
from monopod.settings import env

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def fail(message: str) -> int:
    print(f"monopod: {message}", file=sys.stderr)
    return 1


def serve(*, host: str, port: int) -> int:
    """Run the Procfile under honcho until it exits or we are told to stop."""
    honcho = Path(sys.executable).parent / "honcho"
    child = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(honcho), "--procfile", str(PROJECT_ROOT / "Procfile"), "start", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "HOST": host,
            "PORT": str(port),
            "PATH": f"{honcho.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    )
    # The terminal's Ctrl-C reaches honcho directly; we only wait for it to stop its children.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    return child.wait()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")
    try:
        port = env.port("PORT", default=8000)
        host = env.raw("HOST") or "127.0.0.1"
        import django

        django.setup()
    except env.ConfigError as exc:
        env.exit_on_config_error(exc)
    if not port_is_free(host, port):
        return fail(f"port {port} on {host} is already in use; stop what uses it or set PORT=<another port>")

    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connections

    started_database = False
    try:
        if settings.EMBEDDED_DATABASE:
            started_database = embedded_pg.start()
        call_command("migrate_schemas", interactive=False, verbosity=0)
        call_command("bootstrap", port=port)
        connections.close_all()
        return serve(host=host, port=port)
    except embedded_pg.EmbeddedPostgresError as exc:
        return fail(str(exc))
    except OperationalError as exc:
        database = settings.DATABASES["default"]
        where = ":".join(str(part) for part in (database.get("HOST"), database.get("PORT")) if part)
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0] if lines else type(exc).__name__
        return fail(f"cannot reach PostgreSQL at {where} ({reason}); check DATABASE_URL")
    finally:
        connections.close_all()
        if started_database:
            embedded_pg.stop()


if __name__ == "__main__":
    sys.exit(main())
