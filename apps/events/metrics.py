"""Outbox metrics on ``/metrics``: counters kept by the relay, gauges from the relay's last look.

Scrapes stay off the database: each relay run stores the backlog it saw in the shared cache, and the
gauges read it back. The lag is counted from the oldest pending event's creation time, so it keeps
growing when no relay runs at all, which is when it matters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from apps.events.models import OutboxEvent
from monopod.cache_keys import PLATFORM

logger = logging.getLogger(__name__)

OUTBOX_PUBLISHED = Counter(
    "monopod_outbox_published", "Outbox events the relay published and handed to their subscribers."
)
OUTBOX_FAILED = Counter(
    "monopod_outbox_failed", "Relay attempts that left an outbox event pending (broker or enqueue failure)."
)


BACKLOG_CACHE_KEY = "events:outbox:backlog"


@dataclass(frozen=True)
class OutboxBacklog:
    """The outbox's pending events: how many, and when the oldest was created (epoch seconds, None if none)."""

    pending: int
    oldest_epoch: float | None

    @property
    def lag_seconds(self) -> float:
        """Age of the oldest pending event now (0 when none is pending)."""
        return 0.0 if self.oldest_epoch is None else max(time.time() - self.oldest_epoch, 0.0)


def outbox_backlog() -> OutboxBacklog:
    """One query on the shared outbox, from any schema."""
    table = OutboxEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), extract(epoch FROM min(created_at)) FROM public.{table} WHERE sent_at IS NULL"  # noqa: S608 - table name
        )
        row = cursor.fetchone()
    return OutboxBacklog(pending=int(row[0]), oldest_epoch=None if row[1] is None else float(row[1]))


def backlog_record(backlog: OutboxBacklog) -> None:
    """Keep what the relay saw for the gauges (no expiry: a stopped relay must show a growing lag)."""
    value = {"pending": backlog.pending, "oldest": backlog.oldest_epoch}
    caches[PLATFORM].set(BACKLOG_CACHE_KEY, value, timeout=None)


def backlog_recorded() -> OutboxBacklog | None:
    value = caches[PLATFORM].get(BACKLOG_CACHE_KEY)
    if not isinstance(value, dict):
        return None
    return OutboxBacklog(pending=int(value["pending"]), oldest_epoch=value["oldest"])


class OutboxCollector(Collector):
    """``monopod_outbox_pending`` and ``monopod_outbox_lag_seconds``, from the backlog the relay last saw."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            backlog = backlog_recorded()
        except Exception:
            logger.warning("outbox metrics: the recorded backlog could not be read", exc_info=True)
            return
        if backlog is None:  # no relay has run yet
            return
        yield GaugeMetricFamily("monopod_outbox_pending", "Outbox events not yet relayed.", value=backlog.pending)
        yield GaugeMetricFamily(
            "monopod_outbox_lag_seconds", "Age of the oldest outbox event not yet relayed.", value=backlog.lag_seconds
        )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Described without a query: registering the collector must not touch the database.
        yield GaugeMetricFamily("monopod_outbox_pending", "Outbox events not yet relayed.")
        yield GaugeMetricFamily("monopod_outbox_lag_seconds", "Age of the oldest outbox event not yet relayed.")


OUTBOX_COLLECTOR = OutboxCollector()
REGISTRY.register(OUTBOX_COLLECTOR)
