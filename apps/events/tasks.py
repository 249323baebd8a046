"""Background jobs of the events app."""

from celery import shared_task

from apps.events.relay import relay_run


@shared_task(name="events.relay", ignore_result=True)
def outbox_relay() -> int:
    """Relay pending outbox events (woken after commits and swept periodically); returns how many went."""
    return relay_run().published
