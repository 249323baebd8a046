"""Fault tests of the event backbone: real PostgreSQL, RabbitMQ and Redis, MonoPod in other processes.

Workers, beat (the relay's 5 s sweep) and publishers run as processes on the test database with the
settings of ``tests.events.fault_settings``, on a private queue and cache prefix. The probe subscriber
(``tests.events.faultapp``) inserts one row per run into a table without a unique constraint, so a
subscriber that took effect twice would show. Everything committed is removed afterwards, and the
outbox rows the session left pending are set aside during the test and put back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from kombu import Connection
from psycopg import sql

from tests.tenants.committed import PROJECT_ROOT, database_url

pytestmark = [pytest.mark.rabbitmq, pytest.mark.redis, pytest.mark.slow]

PROBE = "faults.probe.happened"
EFFECT = "faults.effect"
TENANTS = ("acme", "globex")
DRAIN_TIMEOUT = 60.0


class TcpProxy:
    """A TCP relay to the broker that can be taken down (every connection cut, new ones refused) and back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self.lock:
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                if self.listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Backbone:
    """The processes of one test and the committed state they leave, counted through ``db``."""

    db: psycopg.Connection
    broker_url: str
    redis_url: str
    queue: str
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def counter_key(self) -> str:
        return f"{self.queue}:enqueues"

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in {"DB_CONN_MAX_AGE", "REDIS_URL", "BROKER_URL"}}
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "tests.events.fault_settings",
            "DATABASE_URL": database_url(),
            "FAULT_BROKER_URL": self.broker_url,
            "FAULT_REDIS_URL": self.redis_url,
            "FAULT_QUEUE": self.queue,
            "FAULT_COUNTER_KEY": self.counter_key,
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
            **extra,
        }

    def spawn(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def worker(self, **extra: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "celery", "-A", "monopod.celery", "worker", "--pool", "prefork", "-c", "3"]
        argv += ["-l", "warning", "-n", f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"]
        argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        return self.spawn("worker", argv, **extra)

    def beat(self) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "celery", "-A", "monopod.celery", "beat", "-l", "warning"]
        argv += ["-s", str(self.logs / "beat-schedule"), "--pidfile", str(self.logs / "beat.pid")]
        return self.spawn("beat", argv)

    def publisher(
        self,
        schema: str,
        batch: str,
        count: int,
        *,
        first: int = 0,
        per: int = 10,
        pause: float = 0.05,
        rollback: bool = False,
    ) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "tests.events.faultapp.publish", schema, batch, str(first), str(count), str(per)]
        argv += [str(pause)] + (["rollback"] if rollback else [])
        return self.spawn(f"publish-{schema}-{batch}", argv)

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def finished(self, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
        assert process.wait(timeout=timeout) == 0, self.log_tail()

    def state(self, batch: str) -> str:
        parts = [f"outbox (rows, pending): {self.outbox(batch)}", f"enqueues: {self.enqueues()}"]
        for schema in TENANTS:
            parts.append(
                f"{schema}: effects {self.effects(schema, batch)}, deliveries {self.deliveries(schema, batch)}"
            )
        return "\n".join(parts)

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in self.logs.glob("*.log")
        )

    # --- what happened, as committed

    def effects(self, schema: str, batch: str) -> tuple[int, int]:
        row = self.db.execute(
            sql.SQL("SELECT count(*), count(DISTINCT event_id) FROM {}.fault_effects WHERE batch = %s").format(
                sql.Identifier(schema)
            ),
            [batch],
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    def outbox(self, batch: str) -> tuple[int, int]:
        """(rows, rows still pending) of the batch."""
        row = self.db.execute(
            "SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL) FROM public.events_outboxevent "
            "WHERE event_type = %s AND envelope->'data'->>'batch' = %s",
            [PROBE, batch],
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    def deliveries(self, schema: str, batch: str) -> dict[tuple[str, str, int], int]:
        """{(subscriber, status, attempts): count} of the batch's deliveries in the tenant."""
        rows = self.db.execute(
            sql.SQL(
                "SELECT subscriber, status, attempts, count(*) FROM {}.event_deliveries_delivery "
                "WHERE event_type = %s AND envelope->'data'->>'batch' = %s GROUP BY 1, 2, 3"
            ).format(sql.Identifier(schema)),
            [PROBE, batch],
        ).fetchall()
        return {(subscriber, status, attempts): count for subscriber, status, attempts, count in rows}

    def enqueues(self) -> int:
        return int(redis.Redis.from_url(self.redis_url).get(self.counter_key) or 0)

    def drained(self, expected: dict[str, int], batch: str) -> bool:
        rows, pending = self.outbox(batch)
        done = all(self.effects(schema, batch)[0] >= count for schema, count in expected.items())
        return rows == sum(expected.values()) and pending == 0 and done


def wait_until(check: Callable[[], bool], timeout: float, describe: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout:.0f} s:\n{describe()}", pytrace=False)
        time.sleep(0.5)


def with_host(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


@pytest.fixture
def backbone(db: None, committed: Any, broker_url: str, redis_url: str, tmp_path: Path) -> Iterator[Backbone]:
    conn, _ = committed
    queue = f"monopod-faults-{uuid.uuid4().hex[:12]}"
    parked = [
        row[0]
        for row in conn.execute(
            "UPDATE public.events_outboxevent SET sent_at = now() WHERE sent_at IS NULL RETURNING id"
        ).fetchall()
    ]
    for schema in TENANTS:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.fault_effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, n int, batch text)"
            ).format(sql.Identifier(schema))
        )
    backbone = Backbone(db=conn, broker_url=broker_url, redis_url=redis_url, queue=queue, logs=tmp_path)
    try:
        yield backbone
    finally:
        for process in backbone.processes:
            Backbone.kill(process)
        for schema in TENANTS:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.fault_effects").format(sql.Identifier(schema)))
            conn.execute(
                sql.SQL("DELETE FROM {}.event_deliveries_delivery WHERE event_type = %s").format(
                    sql.Identifier(schema)
                ),
                [PROBE],
            )
        conn.execute("DELETE FROM public.events_outboxevent WHERE event_type = %s", [PROBE])
        conn.execute("UPDATE public.events_outboxevent SET sent_at = NULL WHERE id = ANY(%s)", [parked])
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)
        with Connection(broker_url) as broker:
            broker.default_channel.queue_delete(queue)


def expect_exactly_once(backbone: Backbone, expected: dict[str, int], batch: str) -> None:
    """Every event of the batch sent, and each subscriber took effect once for each (rows == distinct == count)."""
    time.sleep(2)  # a late duplicate would land now
    assert backbone.outbox(batch) == (sum(expected.values()), 0)
    for schema, count in expected.items():
        assert backbone.effects(schema, batch) == (count, count), schema
        deliveries = backbone.deliveries(schema, batch)
        assert deliveries[(EFFECT, "done", 1)] == count, deliveries
        assert {status for (_, status, _) in deliveries} == {"done"}, deliveries
        by_subscriber: dict[str, int] = {}
        for (subscriber, _, _), rows in deliveries.items():
            by_subscriber[subscriber] = by_subscriber.get(subscriber, 0) + rows
        assert set(by_subscriber.values()) == {count}, by_subscriber


def test_worker_killed_three_times_loses_and_repeats_nothing(backbone):
    """2,000 events over two tenants while the worker is SIGKILLed 3 times: each takes effect exactly once."""
    backbone.extra_env["FAULT_PROBE_ONLY"] = "1"
    backbone.beat()
    worker = backbone.worker()
    publishers = [backbone.publisher(schema, "kills", 1000, pause=0.05) for schema in TENANTS]
    progress = []
    for _ in range(3):
        time.sleep(4)
        Backbone.kill(worker)
        progress.append(sum(backbone.effects(schema, "kills")[0] for schema in TENANTS))
        worker = backbone.worker()
    for publisher in publishers:
        backbone.finished(publisher)
    expected = dict.fromkeys(TENANTS, 1000)
    wait_until(
        lambda: backbone.drained(expected, "kills"),
        DRAIN_TIMEOUT,
        lambda: backbone.state("kills") + backbone.log_tail(),
    )

    assert progress[0] < 2000, progress  # the first kill came mid-run
    expect_exactly_once(backbone, expected, "kills")


def test_broker_outage_mid_run_loses_nothing_and_the_backlog_drains_by_itself(backbone):
    """200 events relayed, the broker cut off (every connection dropped, new ones refused) while 200 more
    commit, then back: with no further commit to wake the relay, the sweep drains the backlog."""
    target = urlsplit(backbone.broker_url)
    proxy = TcpProxy((target.hostname or "127.0.0.1", target.port or 5672))
    proxy.start()
    backbone.broker_url = with_host(backbone.broker_url, proxy.port)
    backbone.extra_env["FAULT_PROBE_ONLY"] = "1"
    try:
        backbone.beat()
        backbone.worker()
        backbone.finished(backbone.publisher("acme", "outage", 200, per=10, pause=0))
        proxy.stop()
        backbone.finished(backbone.publisher("acme", "outage", 200, first=200, per=50, pause=0))
        time.sleep(2)
        backlog = backbone.outbox("outage")
        proxy.start()
        expected = {"acme": 400}
        wait_until(
            lambda: backbone.drained(expected, "outage"),
            DRAIN_TIMEOUT,
            lambda: backbone.state("outage") + backbone.log_tail(),
        )
    finally:
        proxy.stop()
        backbone.broker_url = with_host(backbone.broker_url, target.port or 5672)

    rows, pending = backlog
    assert rows == 400, backlog
    assert pending >= 200, backlog  # what committed while the broker was away waited for it
    expect_exactly_once(backbone, expected, "outage")


def test_relay_killed_between_publish_and_mark_sent_redelivers_without_repeating_effects(backbone):
    """The worker dies right after the relay's 120th publish + enqueue, before its batch is marked sent."""
    backbone.finished(backbone.publisher("acme", "relaykill", 300, per=50, pause=0))
    assert backbone.outbox("relaykill") == (300, 300)
    doomed = backbone.worker(FAULT_KILL_AFTER_ENQUEUES="120")
    assert doomed.wait(timeout=60) == -signal.SIGKILL, backbone.log_tail()
    assert backbone.enqueues() == 120
    assert backbone.outbox("relaykill") == (300, 300)  # the claim's transaction died: nothing marked sent

    backbone.beat()
    backbone.worker()
    expected = {"acme": 300}
    wait_until(
        lambda: backbone.drained(expected, "relaykill"),
        DRAIN_TIMEOUT,
        lambda: backbone.state("relaykill") + backbone.log_tail(),
    )

    assert backbone.enqueues() == 120 + 300  # the first 120 were enqueued again
    expect_exactly_once(backbone, expected, "relaykill")


def test_a_rolled_back_transaction_publishes_nothing(backbone):
    """50 events published in transactions that roll back leave no outbox row, delivery or effect."""
    backbone.worker()
    backbone.finished(backbone.publisher("acme", "rolledback", 50, rollback=True))
    backbone.finished(backbone.publisher("acme", "sentinel", 1))
    wait_until(
        lambda: backbone.drained({"acme": 1}, "sentinel"),
        DRAIN_TIMEOUT,
        lambda: backbone.state("sentinel") + backbone.log_tail(),
    )
    time.sleep(2)

    assert backbone.outbox("rolledback") == (0, 0)
    assert backbone.deliveries("acme", "rolledback") == {}
    assert backbone.effects("acme", "rolledback") == (0, 0)
    assert backbone.enqueues() == 1  # the relay handed on the sentinel only
    expect_exactly_once(backbone, {"acme": 1}, "sentinel")
