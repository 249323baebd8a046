"""``Idempotency-Key`` on POSTs: a repeated request replays the first response instead of acting twice.

A client that is unsure whether its POST went through (a timeout, a dropped connection) sends it
again with the same key. The first request to carry a key claims it by inserting an
``IdempotencyRecord`` in the transaction of its own effects, and stores its response there when it
succeeds; a repeat finds the record and answers the stored response, marked ``Idempotent-Replayed:
true``. Two copies sent at once cannot both act: the second one's insert waits on the first's
unique-key lock, then replays the first's response once it commits (or acts itself, if the first
failed and rolled back). Only successful (2xx) responses are kept, so a request that failed may be
corrected and sent again with the same key. A key is kept for ``API_IDEMPOTENCY_TTL`` and belongs
to one principal; sending it with a different method, path or body is a 422.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from monopod.api.exceptions import IdempotencyKeyInvalid, IdempotencyKeyReused
from monopod.api.principals import principal_key
from monopod.idempotency.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers of the first response that a replay repeats.
KEPT_HEADERS = ("Location", "ETag")
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")

Handler = Callable[..., Response]


def idempotency_ttl() -> timedelta:
    return timedelta(seconds=settings.API_IDEMPOTENCY_TTL)


def idempotent(handler: Handler, request: Request, *, required: bool) -> Handler:
    """``handler`` made to honour the request's ``Idempotency-Key`` (a 400 without one if ``required``)."""
    key = request.headers.get(HEADER)
    principal = principal_key(request)
    if key is None or principal is None:
        if required:
            raise IdempotencyKeyInvalid("This request needs an Idempotency-Key header.")
        return handler
    if not _VALID_KEY.fullmatch(key):
        raise IdempotencyKeyInvalid()

    def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record = _claim(principal, key, fingerprint)
            if record.status_code:
                return _replay(record)
            response = handler(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = response.data
                record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                record.save(update_fields=["status_code", "response_body", "response_headers"])
            else:
                record.delete()
            return response

    return run


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n{body}".encode()).hexdigest()


def _claim(principal: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """This request's new record (``status_code`` 0), or the one a request with the key stored before."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    principal=principal, key=key, fingerprint=fingerprint, status_code=0
                )
        except IntegrityError:
            # Another request holds the key; the insert above waited for its transaction to end.
            existing = IdempotencyRecord.objects.get(principal=principal, key=key)
            if existing.created_at < timezone.now() - idempotency_ttl():
                existing.delete()
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused() from None
            return existing
    raise IdempotencyKeyReused()  # pragma: no cover - the expired record was replaced in between


def _replay(record: IdempotencyRecord) -> Response:
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.status_code, headers=headers)


def idempotency_records_purge() -> int:
    """Delete the current schema's records older than ``API_IDEMPOTENCY_TTL``; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - idempotency_ttl()).delete()
    return deleted
