"""A probe app for the event backbone's fault tests: one event type and a subscriber with a visible effect."""
