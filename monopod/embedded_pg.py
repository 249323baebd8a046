"""MonoPod's private PostgreSQL cluster, used when no DATABASE_URL is configured.

The cluster lives under ``var/pg`` in the project, listens on a unix socket only (no TCP port) and
trusts local connections: only its owner can reach the socket directory. PostgreSQL refuses to run
as root, so when MonoPod runs as root the cluster belongs to an unprivileged system user.

Start and stop are idempotent, and a cluster that crashed (stale ``postmaster.pid``) is recovered on
the next start. Run ``python -m monopod.embedded_pg start|stop|status`` from the project root.

This module imports nothing from Django: settings import it to learn where the socket is.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = PROJECT_ROOT / "var" / "pg"
DATABASE_NAME = "monopod"
SUPERUSER = "monopod"
# Unprivileged accounts that may own the cluster when MonoPod runs as root, in order of preference.
CLUSTER_OWNER_CANDIDATES = ("postgres", "nobody")
# Where distributions install PostgreSQL off the PATH (Debian: /usr/lib/postgresql/<major>/bin).
SYSTEM_INSTALL_ROOTS = (Path("/usr/lib/postgresql"),)
START_TIMEOUT_SECONDS = 60
# sun_path holds 108 bytes on Linux, including the terminating NUL.
UNIX_SOCKET_PATH_MAX = 107


class EmbeddedPostgresError(RuntimeError):
    """The private cluster could not be set up or started; the message says why in one line."""


@dataclass(frozen=True)
class Cluster:
    """Paths of one private cluster: its data directory and its socket directory."""

    root: Path = DEFAULT_ROOT

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "postgresql.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    def database_settings(self) -> dict[str, str]:
        """Django DATABASES entry values for this cluster (no password: socket with trust)."""
        return {"NAME": DATABASE_NAME, "USER": SUPERUSER, "HOST": str(self.socket_dir), "PORT": ""}


def find_binaries() -> Path:
    """Directory holding initdb/pg_ctl: the system's PostgreSQL first, else the pgserver wheel's."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    debian = sorted(
        (found for root in SYSTEM_INSTALL_ROOTS for found in root.glob("*/bin/pg_ctl")),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.origin:
        wheel_bin = Path(spec.origin).parent / "pginstall" / "bin"
        if (wheel_bin / "pg_ctl").exists():
            return wheel_bin
    raise EmbeddedPostgresError(
        "no PostgreSQL server binaries found: install PostgreSQL (initdb, pg_ctl), "
        "`pip install -r requirements/pgserver.txt`, or set DATABASE_URL"
    )


def cluster_owner() -> pwd.struct_passwd:
    """The account that runs the cluster: the current user, or an unprivileged one under root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in CLUSTER_OWNER_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise EmbeddedPostgresError(
        "running as root and no unprivileged user (postgres or nobody) exists to own the database"
    )


def _run(argv: list[str], owner: pwd.struct_passwd) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary as the cluster owner."""
    as_other = owner.pw_uid != os.geteuid()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
    if as_other:
        env["HOME"] = "/"
    return subprocess.run(
        argv,
        user=owner.pw_uid if as_other else None,
        group=owner.pw_gid if as_other else None,
        extra_groups=[] if as_other else None,
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )


def _prepare_directories(cluster: Cluster, owner: pwd.struct_passwd) -> None:
    for directory in (cluster.root, cluster.socket_dir):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        directory.chmod(0o700)
    if owner.pw_uid != os.geteuid():
        # Running as root for another owner: that owner must be able to reach the cluster's folder.
        for parent in cluster.root.parents:
            mode = parent.stat().st_mode
            if parent.stat().st_uid != owner.pw_uid and not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)


def _initdb(cluster: Cluster, owner: pwd.struct_passwd, bindir: Path) -> None:
    if (cluster.data_dir / "PG_VERSION").exists():
        return
    if cluster.data_dir.exists():
        # A half-made data directory from an interrupted initdb: start it again from nothing.
        shutil.rmtree(cluster.data_dir)
    result = _run(
        [
            str(bindir / "initdb"),
            "--pgdata",
            str(cluster.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        ],
        owner,
    )
    if result.returncode != 0:
        raise EmbeddedPostgresError(f"initdb failed: {_last_line(result.stderr or result.stdout)}")
    conf = cluster.data_dir / "postgresql.conf"
    with conf.open("a") as handle:
        handle.write(
            "\n# MonoPod private cluster: unix socket only.\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\n"
            "max_connections = 100\n"
            "fsync = on\n"
        )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def _postmaster_pid(cluster: Cluster) -> int | None:
    try:
        first_line = cluster.pid_file.read_text().splitlines()[0]
        return int(first_line)
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _process_is_postgres(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"postgres" in cmdline


def is_running(cluster: Cluster = Cluster()) -> bool:
    """True when a postmaster owns this cluster's data directory."""
    pid = _postmaster_pid(cluster)
    return pid is not None and _process_is_postgres(pid)


def _clear_stale_state(cluster: Cluster) -> None:
    """After a crash: remove a pid file and socket lock that no live postmaster owns."""
    if cluster.pid_file.exists() and not is_running(cluster):
        cluster.pid_file.unlink()
    for lock in cluster.socket_dir.glob(".s.PGSQL.*"):
        lock.unlink(missing_ok=True)


def _ensure_database(cluster: Cluster) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=str(cluster.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))


def start(cluster: Cluster = Cluster()) -> bool:
    """Start the cluster, creating it on first use. Returns True if this call started it."""
    if is_running(cluster):
        return False
    if len(str(cluster.socket_dir / ".s.PGSQL.5432")) > UNIX_SOCKET_PATH_MAX:
        raise EmbeddedPostgresError(
            f"the project path is too long for a unix socket ({cluster.socket_dir}); "
            "move the project to a shorter path or set DATABASE_URL"
        )
    bindir = find_binaries()
    owner = cluster_owner()
    _prepare_directories(cluster, owner)
    _initdb(cluster, owner, bindir)
    _clear_stale_state(cluster)
    result = _run(
        [
            str(bindir / "pg_ctl"),
            "start",
            "--pgdata",
            str(cluster.data_dir),
            "--log",
            str(cluster.log_file),
            "--wait",
            "--timeout",
            str(START_TIMEOUT_SECONDS),
            "--silent",
        ],
        owner,
    )
    if result.returncode != 0:
        log_tail = ""
        if cluster.log_file.exists():
            log_tail = _last_line(cluster.log_file.read_text(errors="replace"))
        raise EmbeddedPostgresError(
            f"the private PostgreSQL cluster did not start: {log_tail or _last_line(result.stderr)}"
        )
    _ensure_database(cluster)
    return True


def stop(cluster: Cluster = Cluster()) -> bool:
    """Stop the cluster if it runs (fast shutdown). Returns True if this call stopped it."""
    pid = _postmaster_pid(cluster)
    if pid is None or not _process_is_postgres(pid):
        return False
    result = _run(
        [str(find_binaries() / "pg_ctl"), "stop", "--pgdata", str(cluster.data_dir), "--mode", "fast", "--wait"],
        cluster_owner(),
    )
    if result.returncode != 0:
        # Last resort: the postmaster is ours; ask it directly.
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while _process_is_postgres(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    return True


def main(argv: list[str]) -> int:
    usage = "usage: python -m monopod.embedded_pg start|stop|status"
    if len(argv) != 1 or argv[0] not in {"start", "stop", "status"}:
        print(usage, file=sys.stderr)
        return 2
    cluster = Cluster()
    try:
        if argv[0] == "start":
            started = start(cluster)
            print(f"PostgreSQL {'started' if started else 'already running'} at {cluster.socket_dir}")
        elif argv[0] == "stop":
            stopped = stop(cluster)
            print("PostgreSQL stopped" if stopped else "PostgreSQL was not running")
        else:
            running = is_running(cluster)
            print(f"PostgreSQL {'running' if running else 'stopped'} ({cluster.data_dir})")
            return 0 if running else 3
    except EmbeddedPostgresError as exc:
        print(f"monopod: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
