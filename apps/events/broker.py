"""The events exchange on the broker: every envelope, routed by its event type.

Only a real broker (``BROKER_URL``) gets the exchange: RabbitMQ with publisher confirms, Redis as
kombu emulates a topic exchange, without confirms. The embedded transports (filesystem, memory) skip
it: nothing outside MonoPod could bind a queue there, and subscribers are reached through their
delivery tasks either way.

On RabbitMQ the confirms are collected per batch, not per message: the relay publishes a batch's
envelopes and its delivery tasks on one channel in confirm mode, then waits once for the broker to
have taken all of them (:meth:`BrokerChannel.confirm`). Waiting for each message in turn costs a
round trip per event and capped the relay at a few hundred events a second.
"""

# kombu and amqp are untyped.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from kombu.connection import Connection
from kombu.entity import Exchange
from kombu.messaging import Producer

EXCHANGE_NAME = "monopod.events"
EVENTS_EXCHANGE = Exchange(EXCHANGE_NAME, type="topic", durable=True)
CONNECT_TIMEOUT_SECONDS = 5.0
CONFIRM_TIMEOUT_SECONDS = 30.0


class BrokerUnavailable(ConnectionError):
    """The broker could not be reached, or did not confirm what was published."""


class _Confirms:
    """Publisher confirms of one AMQP channel: which delivery tags the broker has not yet acknowledged."""

    def __init__(self, connection: Any, channel: Any) -> None:
        self._connection = connection
        self._outstanding: set[int] = set()
        self._published = 0
        self._nacked = 0
        channel.confirm_select()
        channel.events["basic_ack"].add(self._ack)
        channel.events["basic_nack"].add(self._nack)
        send = channel.basic_publish

        # Every publish on the channel (envelopes and Celery's delivery tasks alike) takes the next tag.
        def counted(*args: Any, **kwargs: Any) -> Any:
            result = send(*args, **kwargs)
            self._published += 1
            self._outstanding.add(self._published)
            return result

        channel.basic_publish = counted

    def _settle(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._outstanding = {pending for pending in self._outstanding if pending > tag}
        else:
            self._outstanding.discard(tag)

    def _ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _nack(self, tag: int, multiple: bool) -> None:
        self._nacked += 1
        self._settle(tag, multiple)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._outstanding:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                unconfirmed = len(self._outstanding)
                raise BrokerUnavailable(f"the broker did not confirm {unconfirmed} messages within {timeout:g}s")
            self._connection.drain_events(timeout=remaining)
        if self._nacked:
            nacked, self._nacked = self._nacked, 0
            raise BrokerUnavailable(f"the broker refused {nacked} messages")


class BrokerChannel:
    """One relay run's channel: publish envelopes (and delivery tasks) freely, then :meth:`confirm` them."""

    def __init__(self, connection: Any = None, channel: Any = None, *, confirms: bool = False) -> None:
        self._producer = Producer(channel, exchange=EVENTS_EXCHANGE, serializer="json") if channel else None
        self._confirms = _Confirms(connection, channel) if confirms else None
        # Celery's delivery tasks share the channel, and so its confirms, where the broker is RabbitMQ;
        # through a producer of their own, whose default exchange is not the events exchange.
        self.task_producer = Producer(channel) if confirms else None

    def publish(self, envelope: dict[str, Any]) -> None:
        """Send one envelope to ``monopod.events``; it is safe once :meth:`confirm` has returned."""
        if self._producer is None:
            return
        self._producer.publish(
            envelope,
            routing_key=envelope["eventType"],
            delivery_mode=2,
            message_id=envelope["eventId"],
            retry=False,
        )

    def confirm(self, timeout: float = CONFIRM_TIMEOUT_SECONDS) -> None:
        """Return once the broker has taken every message published so far; raise if it does not."""
        if self._confirms is None:
            return
        try:
            self._confirms.wait(timeout)
        except BrokerUnavailable:
            raise
        except Exception as exc:
            raise BrokerUnavailable(str(exc)) from exc


# Each process keeps its relay's connection open between runs: opening one (TCP, AMQP handshake,
# channel, exchange, confirm mode) cost more than relaying a small batch. The relay drops it after a
# run that met a broker failure, so the next run starts on a fresh one.
_open: dict[str, tuple[Connection, BrokerChannel]] = {}


def _connect(url: str) -> tuple[Connection, BrokerChannel]:
    conn = Connection(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        conn.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT_SECONDS)
        channel = conn.channel()
        EVENTS_EXCHANGE(channel).declare()
        return conn, BrokerChannel(conn.connection, channel, confirms=conn.transport_cls in ("amqp", "pyamqp"))
    except Exception as exc:
        conn.release()
        raise BrokerUnavailable(str(exc)) from exc


def broker_disconnect() -> None:
    """Close this process's relay connections (the next run opens them again)."""
    while _open:
        _url, (conn, _channel) = _open.popitem()
        with suppress(Exception):  # a broken connection may fail to close; it is dropped all the same
            conn.release()


@contextmanager
def broker_channel(broker_url: str | None = None) -> Iterator[BrokerChannel]:
    """A channel to the events exchange for one relay run (none on the embedded transports)."""
    url = broker_url if broker_url is not None else getattr(settings, "BROKER_URL", None)
    if not url:
        yield BrokerChannel()
        return
    if url not in _open:
        _open[url] = _connect(url)
    yield _open[url][1]
