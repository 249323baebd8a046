from django.apps import AppConfig


class EventsBenchConfig(AppConfig):
    name = "tests.bench.apps.eventsbench"
    label = "eventsbench"

    def ready(self) -> None:
        # apps.events' ready() has imported every events.py (this app comes last): keep only the bench's
        # subscriber, so the measured path has exactly one.
        from apps.events import registry
        from tests.bench.apps.eventsbench.events import SUBSCRIBER

        for name in [name for name in registry._subscribers if name != SUBSCRIBER]:
            del registry._subscribers[name]
