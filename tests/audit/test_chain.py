"""The hash chain: recording appends, verification names the first entry that was tampered with."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.chain import CHAINED_FIELDS, GENESIS_HASH, entry_hash
from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.audit.services import audit_record
from tests.audit.conftest import entries, tamper


def _three_entries() -> list[AuditEntry]:
    for index in range(3):
        audit_record(action="test.event", object_type="test.thing", object_id=str(index))
    return entries(action="test.event")


def _verify(slug: str = "acme") -> str:
    out = StringIO()
    try:
        call_command("audit_verify", "--tenant", slug, stdout=out)
    except CommandError as exc:
        return out.getvalue() + f"ERROR {exc}"
    return out.getvalue()


def test_entries_chain_each_hash_to_the_previous_one(tenant):
    before = AuditEntry.objects.count()
    first, second, third = _three_entries()
    assert [first.seq, second.seq, third.seq] == [before + 1, before + 2, before + 3]
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    stored = AuditEntry.objects.get(seq=second.seq)
    content = {name: getattr(stored, name) for name in ("seq", "occurred_at", "actor_type", "actor_id")}
    assert content["actor_type"] == "system"
    assert audit_chain_verify().intact


def test_first_entry_of_a_chain_follows_the_genesis_hash(tenant):
    first = AuditEntry.objects.order_by("seq").first() or audit_record(action="test.event")
    assert first is not None
    assert first.seq == 1
    assert first.previous_hash == GENESIS_HASH


def test_intact_chain_verifies(tenant):
    _three_entries()
    count = AuditEntry.objects.count()
    assert re.fullmatch(rf"acme: {count} entries, chain intact \(\d+\.\d\ds\)\.\n", _verify())


def test_the_app_cannot_update_delete_or_truncate_entries(tenant):
    (entry, *_rest) = _three_entries()
    count = AuditEntry.objects.count()
    for statement, refused in (
        ("UPDATE audit_auditentry SET action = 'x' WHERE seq = %s", "UPDATE"),
        ("DELETE FROM audit_auditentry WHERE seq = %s", "DELETE"),
        ("TRUNCATE audit_auditentry", "TRUNCATE"),
    ):
        with (
            pytest.raises(DatabaseError, match=rf"append-only \({refused} refused\)"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.seq] if "%s" in statement else None)
    assert AuditEntry.objects.get(seq=entry.seq).action == "test.event"
    assert AuditEntry.objects.count() == count


def test_an_edited_entry_is_named(tenant):
    _first, second, _third = _three_entries()
    tamper("UPDATE audit_auditentry SET object_id = 'edited' WHERE seq = %s", [second.seq])
    report = audit_chain_verify()
    assert (report.first_bad_seq, report.reason) == (
        second.seq,
        "hash does not match the entry's content",
    )
    assert _verify() == (
        f"acme: chain broken at entry {second.seq}: hash does not match the entry's content.\n"
        "ERROR Audit chain broken for: acme."
    )


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(tenant):
    _first, second, third = _three_entries()
    forged = {name: getattr(second, name) for name in ("seq", "occurred_at", "actor_type", "actor_id", "actor_label")}
    forged.update(
        action="forged",
        object_type=second.object_type,
        object_id=second.object_id,
        changes=second.changes,
        request_id=second.request_id,
        trace_id=second.trace_id,
        ip=second.ip,
        user_agent=second.user_agent,
        previous_hash=second.previous_hash,
    )
    tamper("UPDATE audit_auditentry SET action = 'forged', hash = %s WHERE seq = %s", [entry_hash(forged), second.seq])
    report = audit_chain_verify()
    assert (report.first_bad_seq, report.reason) == (
        third.seq,
        "previous_hash does not match the previous entry's hash",
    )


def test_a_deleted_entry_is_named_by_the_gap(tenant):
    _first, second, third = _three_entries()
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [second.seq])
    report = audit_chain_verify()
    assert (report.first_bad_seq, report.reason) == (
        third.seq,
        f"expected entry {second.seq} here (missing or moved entries)",
    )


def test_reordered_entries_are_named(tenant):
    _first, second, third = _three_entries()
    tamper("UPDATE audit_auditentry SET seq = -1 WHERE seq = %s", [second.seq])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [second.seq, third.seq])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = -1", [third.seq])
    report = audit_chain_verify()
    assert (report.first_bad_seq, report.reason) == (
        second.seq,
        "previous_hash does not match the previous entry's hash",
    )


def test_chains_of_two_tenants_are_independent(tenant, other_tenant):
    _three_entries()
    acme_count = AuditEntry.objects.count()
    connection.set_tenant(other_tenant)
    globex_before = AuditEntry.objects.count()
    entry = audit_record(action="test.event")
    assert entry is not None
    assert entry.seq == globex_before + 1
    assert AuditEntry.objects.filter(action="test.event").count() == 1
    connection.set_tenant(tenant)
    tamper("UPDATE audit_auditentry SET object_id = 'edited' WHERE seq = %s", [acme_count])
    assert _verify("globex").startswith(f"globex: {globex_before + 1} entries, chain intact")
    assert _verify("acme").startswith(f"acme: chain broken at entry {acme_count}:")


def test_verify_of_an_unknown_tenant_is_an_error(tenant):
    assert _verify("nope") == "ERROR No tenant with slug 'nope'."


def test_the_public_schema_keeps_the_platforms_own_chain(tenant):
    acme_count = AuditEntry.objects.count()
    connection.set_schema_to_public()
    before = AuditEntry.objects.count()

    entry = audit_record(action="test.platform")

    assert (entry.seq, AuditEntry.objects.count()) == (before + 1, before + 1)
    assert audit_chain_verify().intact
    connection.set_tenant(tenant)
    assert AuditEntry.objects.count() == acme_count


def test_verify_without_a_tenant_walks_every_tenant(tenant):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["acme", "globex", "public"]
    assert all(" entries, chain intact (" in line for line in lines)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": [None, "Ünïcødé — قهوة"], "note": [None, 'quote " and \\ backslash']},
        # Keys and text that look like the link the database fills in.
        {"previous_hash": ["", '"previous_hash":"'], "seq": [1, 2], "z": {"seq": 3}},
    ],
)
def test_the_canonical_text_cut_around_the_link_joins_back_to_the_canonical_text(changes):
    from datetime import UTC, datetime

    from apps.audit.chain import canonical, canonical_around_link

    content = {
        "occurred_at": datetime(2026, 11, 24, 3, 4, 5, 678901, tzinfo=UTC),
        "actor_type": "user",
        "actor_id": "7",
        "actor_label": "ana@acme.test",
        "action": "update",
        "object_type": "ims.product",
        "object_id": "42",
        "changes": changes,
        "request_id": "r" * 32,
        "trace_id": "",
        "ip": "192.0.2.1",
        "user_agent": 'Mozilla/5.0 ("quoted")',
    }
    head, middle, tail = canonical_around_link(content)
    linked = {**content, "seq": 12345, "previous_hash": "ab" * 32}
    assert (head + "ab" * 32 + middle + "12345" + tail).encode() == canonical(linked)


def test_the_hash_the_database_computes_is_the_one_the_verifier_computes_for_unicode_content(tenant):
    entry = audit_record(
        action="test.unicode", object_type="test.thing", object_id="١٢٣", changes={"name": ["Café", "مقهى ☕"]}
    )
    assert entry is not None
    stored = AuditEntry.objects.get(seq=entry.seq)
    content = {name: getattr(stored, name) for name in CHAINED_FIELDS}
    assert stored.hash == entry.hash == entry_hash(content)
    assert stored.changes == {"name": ["Café", "مقهى ☕"]}
    assert audit_chain_verify().intact
