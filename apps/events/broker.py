"""The events exchange on the broker: every envelope, routed by its event type.

Only a real broker (``BROKER_URL``) gets the exchange: RabbitMQ with publisher confirms (each publish
returns once the broker has taken the message), Redis as kombu emulates a topic exchange, without
confirms. The embedded transports (filesystem, memory) skip it: nothing outside MonoPod could bind a
queue there, and subscribers are reached through their delivery tasks either way.
"""

# kombu is untyped.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.conf import settings
from kombu.connection import Connection
from kombu.entity import Exchange
from kombu.messaging import Producer

EXCHANGE_NAME = "monopod.events"
EVENTS_EXCHANGE = Exchange(EXCHANGE_NAME, type="topic", durable=True)
CONNECT_TIMEOUT_SECONDS = 5.0


class BrokerUnavailable(ConnectionError):
    """The broker could not be reached to open the relay's channel."""


class EnvelopePublisher(Protocol):
    def __call__(self, envelope: dict[str, Any]) -> None: ...


def _skip(envelope: dict[str, Any]) -> None:
    """No exchange on the embedded transports."""


@contextmanager
def envelope_publisher(broker_url: str | None = None) -> Iterator[EnvelopePublisher]:
    """A function publishing one envelope to ``monopod.events`` (confirmed on AMQP), for one relay run."""
    url = broker_url if broker_url is not None else getattr(settings, "BROKER_URL", None)
    if not url:
        yield _skip
        return
    with Connection(url, transport_options={"confirm_publish": True}, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
        try:
            conn.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT_SECONDS)
            channel = conn.channel()
            EVENTS_EXCHANGE(channel).declare()
        except Exception as exc:
            raise BrokerUnavailable(str(exc)) from exc
        producer = Producer(channel, exchange=EVENTS_EXCHANGE, serializer="json")

        def publish(envelope: dict[str, Any]) -> None:
            producer.publish(
                envelope,
                routing_key=envelope["eventType"],
                delivery_mode=2,
                message_id=envelope["eventId"],
                retry=False,
            )

        yield publish
