"""audit_export: a tenant's entries of a period, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.audit.services import audit_record


def _export(*args: str) -> str:
    out = StringIO()
    call_command("audit_export", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_entries(tenant):
    first = audit_record(action="test.export", object_type="test.thing", object_id="1", changes={"n": [1, 2]})
    second = audit_record(action="test.export", object_type="test.thing", object_id="2")
    assert first is not None
    assert second is not None
    return first, second


def test_jsonl_export_of_a_period(two_entries):
    first, second = two_entries
    since = first.occurred_at.isoformat()
    lines = _export("--tenant", "acme", "--since", since, "--format", "jsonl").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["seq"] for row in rows] == [first.seq, second.seq]
    assert rows[0]["changes"] == {"n": [1, 2]}
    assert rows[0]["hash"] == first.hash


def test_csv_export_until_excludes_the_end(two_entries):
    first, second = two_entries
    until = (second.occurred_at).isoformat()
    since = first.occurred_at.isoformat()
    rows = list(
        csv.DictReader(StringIO(_export("--tenant", "acme", "--since", since, "--until", until, "--format", "csv")))
    )
    assert [int(row["seq"]) for row in rows] == [first.seq]
    assert json.loads(rows[0]["changes"]) == {"n": [1, 2]}


def test_export_before_anything_happened_is_empty(two_entries):
    first, _second = two_entries
    until = (first.occurred_at - timedelta(days=3650)).date().isoformat()
    assert _export("--tenant", "acme", "--until", until) == ""


def test_bad_dates_are_refused(tenant):
    with pytest.raises(CommandError, match="Not an ISO 8601 date or date-time: yesterday"):
        _export("--tenant", "acme", "--since", "yesterday")
