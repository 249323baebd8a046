"""Background jobs of the events app."""

from celery import shared_task

from apps.events.relay import outbox_purge, relay_run


@shared_task(name="events.relay", ignore_result=True)
def outbox_relay() -> int:
    """Relay pending outbox events (woken after commits and swept periodically); returns how many went."""
    return relay_run().published


@shared_task(name="events.outbox_purge", ignore_result=True)
def outbox_purge_task() -> int:
    """Delete relayed outbox events older than ``OUTBOX_RETENTION_DAYS`` (daily, by beat)."""
    return outbox_purge()
