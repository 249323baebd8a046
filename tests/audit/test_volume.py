"""A long chain verifies fast enough to run routinely."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from apps.audit.chain import CHAINED_FIELDS, chain_build
from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from tests.audit.conftest import tamper

ENTRIES = 100_000
COPY = f"COPY audit_auditentry ({', '.join((*CHAINED_FIELDS, 'hash'))}) FROM STDIN"


@pytest.mark.slow
def test_one_hundred_thousand_entries_verify_in_under_a_minute(tenant):
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    assert last is not None
    start = timezone.now()
    contents = (
        {
            "occurred_at": start + timedelta(microseconds=index),
            "actor_type": "user",
            "actor_id": str(index % 50),
            "actor_label": f"user{index % 50}@acme.test",
            "action": "update",
            "object_type": "ims.product",
            "object_id": str(index),
            "changes": {"quantity": [index, index + 1], "name": ["Widget", "Widget ü"]},
            "request_id": f"{index:032x}",
            "trace_id": f"{index:032x}",
            "ip": "203.0.113.7",
            "user_agent": "loadgen/1.0",
        }
        for index in range(ENTRIES)
    )
    columns = (*CHAINED_FIELDS, "hash")
    with connection.cursor() as cursor, cursor.cursor.copy(COPY) as copy:
        for entry in chain_build(contents, after=last):
            copy.write_row([Jsonb(entry[name]) if name == "changes" else entry[name] for name in columns])
    started = time.perf_counter()
    report = audit_chain_verify()
    took = time.perf_counter() - started
    assert report.intact
    assert report.entries == last[0] + ENTRIES
    assert took < 60, f"verifying {report.entries} entries took {took:.1f}s"
    print(f"verified {report.entries} entries in {took:.2f}s")
    tamper("UPDATE audit_auditentry SET changes = '{}' WHERE seq = %s", [last[0] + 77_777])
    assert audit_chain_verify().first_bad_seq == last[0] + 77_777
