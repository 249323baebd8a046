"""Optimistic concurrency: ``ETag`` on what a resource answers, ``If-Match`` on what changes it.

The ETag is a digest of the object's representation (what the serializer answers), so it changes
exactly when something a client can see changes, without a version column on every model. It is a
strong validator: two representations with the same tag are the same to the byte once rendered.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.http import parse_etags, quote_etag


def representation_etag(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return quote_etag(hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest())


def if_match_allows(header: str, etag: str) -> bool:
    """RFC 9110 13.1.1: ``*`` or a strong match; a weak tag (``W/"..."``) never matches."""
    if header.strip() == "*":
        return True
    return any(tag == etag for tag in parse_etags(header) if not tag.startswith("W/"))


def if_none_match_hits(header: str, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*`` or a weak match, so the client's copy is current."""
    if header.strip() == "*":
        return True
    return any(tag.removeprefix("W/") == etag for tag in parse_etags(header))
