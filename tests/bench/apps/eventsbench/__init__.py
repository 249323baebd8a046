"""The events benchmark's test app: one event type and one no-op subscriber (``events.py``)."""
