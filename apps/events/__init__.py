"""The event backbone: event types, the transactional outbox, the relay, subscribers (docs/events.md)."""
