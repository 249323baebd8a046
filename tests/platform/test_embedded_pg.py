"""The private PostgreSQL cluster: created once, reused, stopped idempotently, recovered after a crash."""

from __future__ import annotations

import importlib.util
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monopod import embedded_pg

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster() -> Iterator[embedded_pg.Cluster]:
    # Short path under /tmp: unix socket paths are limited to 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="mp-pg-", dir="/tmp")) / "pg"
    made = embedded_pg.Cluster(root)
    yield made
    embedded_pg.stop(made)


def query(cluster: embedded_pg.Cluster, sql: str) -> object:
    settings = cluster.database_settings()
    with psycopg.connect(host=settings["HOST"], user=settings["USER"], dbname=settings["NAME"]) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchone()[0] if cursor.description else None


def test_start_creates_cluster_listening_on_socket_only(cluster):
    assert embedded_pg.start(cluster) is True

    assert query(cluster, "SELECT current_database()") == "monopod"
    assert query(cluster, "SHOW listen_addresses") == ""
    assert (cluster.socket_dir / ".s.PGSQL.5432").exists()
    owner = embedded_pg.cluster_owner()
    assert cluster.data_dir.stat().st_uid == owner.pw_uid
    if os.geteuid() == 0:
        assert owner.pw_uid != 0


def test_start_and_stop_are_idempotent_and_data_survives(cluster):
    assert embedded_pg.start(cluster) is True
    query(cluster, "CREATE TABLE kept AS SELECT 42 AS answer")

    assert embedded_pg.start(cluster) is False
    assert embedded_pg.stop(cluster) is True
    assert embedded_pg.stop(cluster) is False
    assert embedded_pg.is_running(cluster) is False
    assert embedded_pg.start(cluster) is True

    assert query(cluster, "SELECT answer FROM kept") == 42


def test_crashed_cluster_is_recovered_on_next_start(cluster):
    embedded_pg.start(cluster)
    query(cluster, "CREATE TABLE survivor AS SELECT 7 AS n")
    postmaster = int(cluster.pid_file.read_text().splitlines()[0])

    os.kill(postmaster, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while embedded_pg.is_running(cluster) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cluster.pid_file.exists()  # stale: the crash left it behind

    assert embedded_pg.start(cluster) is True
    assert query(cluster, "SELECT n FROM survivor") == 7


def test_too_long_path_is_refused_with_clear_message(tmp_path):
    deep = embedded_pg.Cluster(tmp_path / ("x" * 100) / "pg")

    with pytest.raises(embedded_pg.EmbeddedPostgresError, match="too long for a unix socket"):
        embedded_pg.start(deep)


def test_wheel_binaries_run_the_cluster_when_the_system_has_none(cluster, monkeypatch):
    from tests.services import require

    wheel = importlib.util.find_spec("pgserver")
    require(wheel is not None, "the pgserver wheel is not installed (requirements/pgserver.txt)")
    monkeypatch.setattr(embedded_pg.shutil, "which", lambda name: None)
    monkeypatch.setattr(embedded_pg, "SYSTEM_INSTALL_ROOTS", ())

    bindir = embedded_pg.find_binaries()
    assert bindir == Path(wheel.origin).parent / "pginstall" / "bin"
    assert embedded_pg.start(cluster) is True
    assert str(query(cluster, "SELECT current_setting('server_version_num')::int / 10000")) == "16"


def test_missing_binaries_are_reported_in_one_line(monkeypatch):
    monkeypatch.setattr(embedded_pg.shutil, "which", lambda name: None)
    monkeypatch.setattr(embedded_pg, "SYSTEM_INSTALL_ROOTS", ())
    monkeypatch.setattr(embedded_pg.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(embedded_pg.EmbeddedPostgresError) as raised:
        embedded_pg.find_binaries()

    assert str(raised.value) == (
        "no PostgreSQL server binaries found: install PostgreSQL (initdb, pg_ctl), "
        "`pip install -r requirements/pgserver.txt`, or set DATABASE_URL"
    )
