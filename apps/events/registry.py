"""What events exist and who listens: each app declares both in its ``events.py``.

An event type is named ``{module}.{entity}.{action}`` (``ims.stock.low_threshold_reached``) and carries a
JSON Schema of its ``data``; ``publish()`` refuses an unknown type or data that does not match. A
subscriber is a function registered for one or more patterns (``ims.stock.*``, ``*.*.created``): the
relay delivers each matching event to it once, in the event's tenant (apps.events.delivery).

docs/events.md, the event catalog, is generated from this registry (``manage.py events_catalog``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import jsonschema_rs

NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*)\.(\*|[a-z][a-z0-9_]*)\.(\*|[a-z][a-z0-9_]*)$")


class UnknownEventType(LookupError):
    """No event type of that name is registered."""


class InvalidEventData(ValueError):
    """The data does not match the event type's schema."""


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    schema: dict[str, Any]
    validator: Any = field(repr=False, compare=False)
    # The same schema compiled by jsonschema-rs: about a hundred times faster on data that is valid, which
    # is nearly all of it; jsonschema then names what is wrong with the rest.
    fast_validator: Any = field(repr=False, compare=False)

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]

    def validate(self, data: Any) -> None:
        try:
            if self.fast_validator.is_valid(data):
                return
        except ValueError:  # a value JSON has no type for (a date, a Decimal): jsonschema says which
            pass
        errors = sorted(self.validator.iter_errors(data), key=lambda error: list(error.absolute_path))
        if errors:
            where = "/".join(str(part) for part in errors[0].absolute_path) or "data"
            raise InvalidEventData(f"{self.name}: {where}: {errors[0].message}")


Envelopes = list[dict[str, Any]]


@dataclass(frozen=True)
class Subscriber:
    name: str
    patterns: tuple[str, ...]
    handler: Callable[[dict[str, Any]], None] = field(compare=False)
    max_attempts: int = 8
    # Which of a tenant's events (in its schema, at relay time) the subscriber has anything to do with;
    # the others get no delivery at all. None: every event its patterns match.
    select: Callable[[Envelopes], Envelopes] | None = field(default=None, compare=False)

    def wants(self, event_type: str) -> bool:
        return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in self.patterns)


_event_types: dict[str, EventType] = {}
_subscribers: dict[str, Subscriber] = {}


def event_type(name: str, *, description: str, schema: dict[str, Any]) -> EventType:
    """Register the event type ``name`` with a JSON Schema of its data; returns it."""
    if not NAME.fullmatch(name):
        raise ValueError(f"Event type {name!r} is not named {{module}}.{{entity}}.{{action}} in lower case.")
    jsonschema.Draft202012Validator.check_schema(schema)
    registered = EventType(
        name,
        description.strip(),
        schema,
        jsonschema.Draft202012Validator(schema),
        jsonschema_rs.Draft202012Validator(schema),
    )
    existing = _event_types.get(name)
    if existing is not None and existing != registered:
        raise ValueError(f"Event type {name!r} is registered twice, differently.")
    _event_types[name] = registered
    return registered


def event_type_get(name: str) -> EventType:
    try:
        return _event_types[name]
    except KeyError:
        raise UnknownEventType(f"Unknown event type {name!r}: declare it in its app's events.py.") from None


def event_types() -> list[EventType]:
    return sorted(_event_types.values(), key=lambda registered: registered.name)


def subscriber(
    *patterns: str,
    name: str | None = None,
    max_attempts: int = 8,
    select: Callable[[Envelopes], Envelopes] | None = None,
) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    """Register the decorated function for events matching any of ``patterns``.

    It receives the event's envelope, runs in the event's tenant, and takes effect once per event
    (its writes commit together with the inbox row that records it). Its name, by default
    ``module.function``, identifies it in deliveries: keep it stable. ``select``, given a tenant's
    events of one relay batch in that tenant's schema, returns those the handler would act on: the
    others are not delivered (a subscriber with nothing to do in most tenants, such as webhooks).
    """
    for pattern in patterns:
        if not PATTERN.fullmatch(pattern):
            raise ValueError(f"Subscriber pattern {pattern!r} is not {{module}}.{{entity}}.{{action}} with * parts.")

    def register(handler: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        registered_name = name or f"{handler.__module__}.{handler.__qualname__}"
        existing = _subscribers.get(registered_name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"Subscriber {registered_name!r} is registered twice.")
        _subscribers[registered_name] = Subscriber(registered_name, tuple(patterns), handler, max_attempts, select)
        return handler

    return register


def subscribers_for(event_type_name: str) -> list[Subscriber]:
    return [registered for registered in _subscribers.values() if registered.wants(event_type_name)]


def subscriber_get(name: str) -> Subscriber:
    try:
        return _subscribers[name]
    except KeyError:
        raise LookupError(f"No subscriber {name!r}.") from None


def subscribers() -> list[Subscriber]:
    return sorted(_subscribers.values(), key=lambda registered: registered.name)
