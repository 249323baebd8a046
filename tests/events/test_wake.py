"""The relay's wake flag: one queued run per burst, and no cache round trip while a lease stands."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from apps.events import relay, tasks, wake
from apps.events.models import OutboxEvent
from apps.events.relay import relay_run
from apps.events.services import publish
from apps.events.wake import WAKE_FLAG_KEY, relay_wake, wake_release
from monopod.cache import RedisCache, add_or_get, delete_if_unchanged, set_if_unchanged
from monopod.cache_keys import PLATFORM, TENANT_KEYS
from tests.events.test_publish import TESTED

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The wake's clock, moved by hand; this process knows of no flag."""
    fake = Clock()
    monkeypatch.setattr(wake, "time", fake)
    monkeypatch.setattr(wake, "_known_until", 0.0)
    return fake


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Relay runs queued (not run)."""
    queued: list[str] = []
    monkeypatch.setattr(tasks.outbox_relay, "delay", lambda: queued.append("run"))
    return queued


@pytest.fixture
def flag() -> Iterator[SimpleNamespace]:
    """The flag as the platform cache holds it; none at the start, none left after."""
    platform = caches[PLATFORM]
    platform.delete(WAKE_FLAG_KEY)
    yield SimpleNamespace(get=lambda: platform.get(WAKE_FLAG_KEY), set=lambda value: platform.set(WAKE_FLAG_KEY, value))
    platform.delete(WAKE_FLAG_KEY)


@pytest.fixture
def leased(settings):
    settings.OUTBOX_WAKE_LEASE_SECONDS = 0.1


def test_a_burst_of_commits_queues_one_run_until_the_run_clears_the_flag(outbox, tenant, enqueued, clock, runs, flag):
    relay_wake()
    relay_wake()
    relay_wake()
    assert runs == ["run"]
    assert flag.get() == "1800000000.000000 1800000000.000000"

    relay_run()
    assert flag.get() is None
    relay_wake()
    assert runs == ["run", "run"]


def test_waking_the_relay_leaves_the_tenants_connection_as_it_was(tenant, clock, runs, flag):
    """The flag is a platform key, reached without switching to public: the tenant's next transaction
    needs no new SET search_path."""
    OutboxEvent.objects.exists()  # the connection's search path is the tenant's

    with CaptureQueriesContext(connection) as queries:
        relay_wake()
        OutboxEvent.objects.exists()

    assert runs == ["run"]
    assert connection.schema_name == tenant.schema_name
    assert [query["sql"] for query in queries if "search_path" in query["sql"]] == []
    assert flag.get() == "1800000000.000000 1800000000.000000"


def test_a_wake_that_cannot_queue_leaves_the_flag_for_the_next_commit(tenant, clock, flag, monkeypatch, leased):
    def refuse() -> None:
        raise ConnectionError("broker away")

    monkeypatch.setattr(tasks.outbox_relay, "delay", refuse)

    relay_wake()

    assert flag.get() is None
    assert wake._known_until == 0.0


def test_commits_during_the_lease_of_a_flag_this_process_set_need_no_round_trip(clock, runs, flag, leased):
    relay_wake()
    assert runs == ["run"]
    flag.set("gone behind this process's back")

    clock.now = T0 + 0.079  # the lease (0.1 s) less the margin (0.02 s): still relied on
    relay_wake()
    assert flag.get() == "gone behind this process's back"

    clock.now = T0 + 0.081
    relay_wake()
    assert flag.get() == "1800000000.081000 1800000000.081000"  # a flag that did not say: stale, renewed
    assert runs == ["run", "run"]


def test_a_flag_set_elsewhere_is_relied_on_until_its_lease_ends(clock, runs, flag, leased):
    flag.set(f"{T0 - 0.03:.6f} {T0 - 0.03:.6f}")

    relay_wake()
    assert runs == []
    assert wake._known_until == pytest.approx(T0 + 0.05)

    flag.set("changed, unseen")
    clock.now = T0 + 0.049
    relay_wake()
    assert flag.get() == "changed, unseen"


def test_a_process_renews_a_lease_that_is_over_without_asking_for_another_run(clock, runs, flag, leased):
    flag.set(f"{T0 - 5:.6f} {T0 - 0.2:.6f}")

    relay_wake()

    assert runs == []
    assert flag.get() == "1799999995.000000 1800000000.000000"
    assert wake._known_until == pytest.approx(T0 + 0.08)


def test_a_renewal_never_revives_a_flag_a_run_cleared_meanwhile(clock, runs, flag, leased, monkeypatch):
    """The run clears the flag between this process reading it and renewing it: the commit is covered
    by that run's last look, and the flag stays clear for the next commit to ask for a run."""
    flag.set(f"{T0 - 5:.6f} {T0 - 0.2:.6f}")
    read = wake.add_or_get

    def read_then_cleared(*args, **kwargs):
        answer = read(*args, **kwargs)
        assert wake_release() == 0.0  # the run, between the read and the renewal
        return answer

    monkeypatch.setattr(wake, "add_or_get", read_then_cleared)
    relay_wake()

    assert flag.get() is None
    assert runs == []
    assert wake._known_until == 0.0


def test_a_flag_no_run_cleared_for_ten_seconds_asks_for_another_run(clock, runs, flag, leased):
    flag.set(f"{T0 - 10.2:.6f} {T0 - 0.2:.6f}")

    relay_wake()

    assert runs == ["run"]
    assert flag.get() == "1800000000.000000 1800000000.000000"


def test_without_a_lease_every_commit_asks_the_cache(clock, runs, flag, settings):
    settings.OUTBOX_WAKE_LEASE_SECONDS = 0.0
    relay_wake()
    flag.set(f"{T0:.6f} {T0:.6f}")
    flag_before = flag.get()

    relay_wake()

    assert runs == ["run"]
    assert flag.get() == flag_before
    assert wake._known_until == pytest.approx(T0 - 0.02)


def test_the_relay_clears_the_flag_only_once_its_lease_is_over(clock, flag, leased):
    flag.set(f"{T0 - 1:.6f} {T0 - 0.04:.6f}")
    assert wake_release() == pytest.approx(0.06)
    assert flag.get() == "1799999999.000000 1799999999.960000"

    clock.now = T0 + 0.06
    assert wake_release() == 0.0
    assert flag.get() is None
    assert wake_release() == 0.0


def test_a_run_looks_at_the_outbox_until_the_lease_ends(
    outbox, tenant, enqueued, flag, runs, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A commit during the lease asks for no run; the run that holds the lease relays it before ending."""
    settings.OUTBOX_WAKE_LEASE_SECONDS = 0.3
    monkeypatch.setattr(wake, "_known_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        publish(TESTED.name, {"to": "first"})
    assert runs == ["run"]
    naps: list[float] = []
    sleep = time.sleep

    def nap(seconds: float) -> None:
        """The run's wait between two looks; a commit comes during the first."""
        naps.append(seconds)
        if len(naps) == 1:
            with tenant_context(tenant), django_capture_on_commit_callbacks(execute=True):
                publish(TESTED.name, {"to": "during the lease"})
        sleep(seconds)

    monkeypatch.setattr(relay.time, "sleep", nap)
    started = time.monotonic()
    run = relay_run()

    assert runs == ["run"]
    assert [envelope["data"]["to"] for envelope in enqueued] == ["first", "during the lease"]
    assert run.published == 2
    assert time.monotonic() - started >= 0.28
    assert len(naps) >= 10
    assert all(0 < seconds <= 0.01 for seconds in naps)
    assert flag.get() is None


def test_a_run_that_has_polled_long_enough_hands_over_to_a_new_one(
    outbox, tenant, enqueued, flag, runs, leased, monkeypatch
):
    monkeypatch.setattr(relay, "RELAY_RUN_SECONDS", 0.0)
    leased = f"{T0:.6f} {time.time() + 60:.6f}"
    flag.set(leased)

    run = relay_run()

    assert (run.published, runs) == (0, ["run"])
    assert flag.get() == leased


@pytest.mark.redis
def test_checked_flag_operations_on_redis(redis_url, tenant):
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"monopod-test-{uuid.uuid4().hex}", **TENANT_KEYS})
    try:
        assert add_or_get(cache, "flag", "one", timeout=60) == (True, "one")
        assert add_or_get(cache, "flag", "two", timeout=60) == (False, "one")
        assert cache.get("flag") == "one"

        assert delete_if_unchanged(cache, "flag", "two") is False
        assert cache.get("flag") == "one"
        assert set_if_unchanged(cache, "flag", "two", "four", timeout=60) is False
        assert set_if_unchanged(cache, "flag", "one", "four", timeout=60) is True
        assert cache.get("flag") == "four"
        assert delete_if_unchanged(cache, "flag", "four") is True
        assert cache.get("flag") is None
        assert set_if_unchanged(cache, "flag", "four", "five", timeout=60) is False
        assert cache.get("flag") is None
        assert add_or_get(cache, "flag", "three", timeout=60) == (True, "three")
    finally:
        cache.clear()


def test_checked_flag_operations_on_other_caches(tenant):
    platform = caches[PLATFORM]
    platform.delete("events:test:flag")
    assert add_or_get(platform, "events:test:flag", "one", timeout=60) == (True, "one")
    assert add_or_get(platform, "events:test:flag", "two", timeout=60) == (False, "one")
    assert set_if_unchanged(platform, "events:test:flag", "two", "four", timeout=60) is False
    assert set_if_unchanged(platform, "events:test:flag", "one", "four", timeout=60) is True
    assert delete_if_unchanged(platform, "events:test:flag", "one") is False
    assert delete_if_unchanged(platform, "events:test:flag", "four") is True
    assert platform.get("events:test:flag") is None
