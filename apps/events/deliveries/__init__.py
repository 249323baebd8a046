"""Deliveries of events to subscribers, in each tenant's schema: the inbox and the dead letters."""
