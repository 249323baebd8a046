"""The events app's own subscribers, loaded by the registry's autodiscovery of ``events.py`` modules."""

# Registers the ``realtime`` subscriber (live updates over websockets).
from apps.events import realtime  # noqa: F401
