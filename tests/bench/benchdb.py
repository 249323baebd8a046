"""The benchmarks' own database, ``monopod_bench``: never the developer's database.

With ``DATABASE_URL`` set, ``monopod_bench`` is created on that server (the role needs CREATEDB) and
the URL's database name is replaced by it. Without it, it lives on MonoPod's private cluster
(``monopod.embedded_pg``), which is started if it is not running and stopped again afterwards.
MonoPod's servers receive the bench URL as their ``DATABASE_URL``.

On the private cluster the bench database belongs to its own unprivileged role, ``monopod_bench``,
capped at ``ROLE_CONNECTION_LIMIT`` connections: a server under load can never take all of the
cluster's connections from the developer's own processes (superusers are exempt from such caps,
hence a role of its own).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from monopod import embedded_pg
from tests.bench.harness import PROJECT_ROOT, BenchError, BenchRun, progress

BENCH_DATABASE = "monopod_bench"
BENCH_ROLE = "monopod_bench"
ROLE_CONNECTION_LIMIT = 50
SCRATCH_SCHEMA = "bench_scratch"
MIGRATE_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    """``DATABASE_URL`` for MonoPod processes and a libpq URI for psycopg alike."""
    embedded: bool
    started_cluster: bool

    def server_env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.url}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name)))


def prepare(*, fresh: bool = False) -> BenchDatabase:
    """Create ``monopod_bench`` if needed (anew when ``fresh``); return where it is. Starts the private
    cluster if needed."""
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        bench_url = _with_database(configured, BENCH_DATABASE)
        try:
            with psycopg.connect(configured, autocommit=True, connect_timeout=10) as conn:
                if _owner(conn) is not None and (fresh or _stale(conn)):
                    _drop(conn)
                if _owner(conn) is None:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
        except psycopg.Error as exc:
            raise BenchError(f"could not create the {BENCH_DATABASE} database: {exc}") from exc
        return BenchDatabase(url=bench_url, embedded=False, started_cluster=False)

    started = embedded_pg.start()
    settings = embedded_pg.Cluster().database_settings()
    socket_dir = quote(settings["HOST"], safe="/")
    admin_url = f"postgres://{settings['USER']}@/postgres?host={socket_dir}"
    bench_url = f"postgres://{BENCH_ROLE}@/{BENCH_DATABASE}?host={socket_dir}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            _ensure_role(conn)
            owner = _owner(conn)
            if owner is not None and (fresh or owner != BENCH_ROLE or _stale(conn)):
                # Asked for, migrated from other files, or made under another owner: it holds only
                # benchmark data.
                _drop(conn)
                owner = None
            if owner is None:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(BENCH_DATABASE), sql.Identifier(BENCH_ROLE)
                    )
                )
    except psycopg.Error as exc:
        raise BenchError(f"could not create the {BENCH_DATABASE} database: {exc}") from exc
    return BenchDatabase(url=bench_url, embedded=True, started_cluster=started)


def _stale(conn: psycopg.Connection[Any]) -> bool:
    return _stored_comment(conn) != _fingerprint_comment(migrations_fingerprint())


def _drop(conn: psycopg.Connection[Any]) -> None:
    conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(BENCH_DATABASE)))


def _owner(conn: psycopg.Connection[Any]) -> str | None:
    """The bench database's owner, or None when it does not exist."""
    row = conn.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
    ).fetchone()
    return str(row[0]) if row else None


def _ensure_role(conn: psycopg.Connection[Any]) -> None:
    role = sql.Identifier(BENCH_ROLE)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [BENCH_ROLE]).fetchone()
    if exists is None:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
    conn.execute(
        sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT {}").format(
            role, sql.Literal(ROLE_CONNECTION_LIMIT)
        )
    )


def migrations_fingerprint() -> str:
    """A digest of MonoPod's migration files and pinned requirements.

    Migrations may still be edited in place while MonoPod is young; a bench database migrated from
    other files is dropped and made anew rather than trusted.
    """
    digest = hashlib.sha256()
    files = [*sorted(PROJECT_ROOT.glob("apps/*/migrations/*.py")), PROJECT_ROOT / "requirements" / "base.txt"]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint_comment(fingerprint: str) -> str:
    return f"monopod bench, migrations {fingerprint}"


def _stored_comment(conn: psycopg.Connection[Any]) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def migrate(database: BenchDatabase) -> float:
    """``manage.py migrate_schemas --shared`` against the bench database; returns its seconds."""
    env = {
        **os.environ,
        **database.server_env(),
        "DJANGO_SETTINGS_MODULE": "monopod.settings.development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    fingerprint = migrations_fingerprint()  # of the files this migration reads
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate_schemas", "--shared", "--verbosity", "0"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=MIGRATE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"migrate_schemas did not finish within {MIGRATE_TIMEOUT_SECONDS}s") from exc
    if done.returncode != 0:
        raise BenchError(f"migrate_schemas failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    seconds = time.perf_counter() - started
    with psycopg.connect(database.url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(BENCH_DATABASE), sql.Literal(_fingerprint_comment(fingerprint))
            )
        )
    return seconds


def insert_rate(database: BenchDatabase, *, max_rows: int, max_seconds: float) -> tuple[int, float, list[float]]:
    """Single-row INSERTs, each its own transaction (autocommit), into a scratch table.

    Stops after ``max_rows`` rows or ``max_seconds``, whichever comes first. Returns the row count,
    the elapsed seconds and each insert's latency in seconds. The scratch schema is dropped after.
    """
    latencies: list[float] = []
    with psycopg.connect(database.url, autocommit=True, connect_timeout=10) as conn:
        schema = sql.Identifier(SCRATCH_SCHEMA)
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        try:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {}.rows (id bigserial PRIMARY KEY, payload text NOT NULL, "
                    "created_at timestamptz NOT NULL DEFAULT now())"
                ).format(schema)
            )
            statement = sql.SQL("INSERT INTO {}.rows (payload) VALUES (%s)").format(schema)
            with conn.cursor() as cursor:
                cursor.execute(statement, ["warm-up"], prepare=True)
                started = time.perf_counter()
                deadline = started + max_seconds
                for number in range(max_rows):
                    before = time.perf_counter()
                    if before >= deadline:
                        break
                    cursor.execute(statement, [f"row {number}"], prepare=True)
                    latencies.append(time.perf_counter() - before)
                elapsed = time.perf_counter() - started
        finally:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
    return len(latencies), elapsed, latencies


def synchronous_commit(database: BenchDatabase) -> str:
    with psycopg.connect(database.url, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute("SHOW synchronous_commit").fetchone()
    return str(row[0]) if row else "unknown"


def release(database: BenchDatabase) -> None:
    """Stop the private cluster if this run started it."""
    if database.started_cluster:
        embedded_pg.stop()


def for_run(run: BenchRun) -> BenchDatabase:
    """The run's bench database, prepared and migrated on first use, released when the run ends."""
    database = run.state.get("database")
    if isinstance(database, BenchDatabase):
        return database
    database = prepare(fresh=run.config.fresh_db)
    run.on_exit(lambda: release(database))
    progress(f"bench database: {BENCH_DATABASE} ({'private cluster' if database.embedded else 'DATABASE_URL server'})")
    seconds = migrate(database)
    progress(f"bench database: migrate_schemas --shared took {seconds:.1f}s")
    run.state["database"] = database
    return database


class ConnectionCounter:
    """Counts the other open connections to the bench database, over one connection of its own.

    The connection is opened up front, before any server can take the last free one; ``close()``
    when done. Called from one thread at a time (``PeakSampler``'s).
    """

    def __init__(self, database: BenchDatabase) -> None:
        self.database = database
        self._conn: psycopg.Connection[Any] | None = psycopg.connect(database.url, autocommit=True, connect_timeout=5)

    def __call__(self) -> int:
        if self._conn is None:
            raise BenchError("the connection counter is closed")
        row = self._conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DATABASE],
        ).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
