"""Constants of the features app."""

# The privacy notice members accept; a new version asks everyone again.
CONSENT_VERSION = "2026-11"
