"""docs/events.md, the event catalog, rendered from the registry."""

from __future__ import annotations

import json
from itertools import groupby

from apps.events.registry import event_types, subscribers

HEADER = """# Event catalog

Generated from the registry by `python manage.py events_catalog --write`; `make check` fails when
this file and the code disagree. How events travel (outbox, relay, subscribers, webhooks, live updates)
is in [event-backbone.md](event-backbone.md). Every event has one envelope:

```json
{"eventId": "uuid", "eventType": "module.entity.action", "timestamp": "2026-01-31T09:30:00.123456Z",
 "tenantId": "acme", "userId": "7", "aggregate": {"type": "ims.item", "id": "42", "sequence": 3},
 "data": {}, "metadata": {"traceId": "32 hex", "source": "monopod.ims"}}
```
"""


def catalog_markdown() -> str:
    parts = [HEADER]
    for module, registered in groupby(event_types(), key=lambda each: each.module):
        parts.append(f"\n## {module}\n")
        for each in registered:
            listeners = [sub.name for sub in subscribers() if sub.wants(each.name)]
            parts.append(f"\n### `{each.name}`\n\n{each.description}\n")
            parts.append(f"\nSubscribers: {', '.join(f'`{name}`' for name in listeners) or 'none'}.\n")
            parts.append(f"\n```json\n{json.dumps(each.schema, indent=2, sort_keys=True)}\n```\n")
    return "".join(parts)
