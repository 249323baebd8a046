"""Events of the tenants app."""

from apps.events.registry import event_type

TENANT_CREATED = event_type(
    "tenants.tenant.created",
    description="A tenant finished provisioning and serves for the first time. Published in its own schema.",
    schema={
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "region": {"type": "string"},
            "plan": {"type": "string"},
            "language": {"type": "string"},
            "timeZone": {"type": "string"},
            "currency": {"type": "string"},
        },
        "required": ["slug", "name", "region", "plan", "language", "timeZone", "currency"],
        "additionalProperties": False,
    },
)
