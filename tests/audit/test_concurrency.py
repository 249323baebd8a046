"""Writers in several connections at once still append one linear chain."""

from __future__ import annotations

import threading

from django.db import connection, transaction
from psycopg import sql

from apps.audit.chain import CHAINED_FIELDS, chain_walk
from apps.audit.services import audit_record

WRITERS, ENTRIES_EACH = 4, 15


def test_concurrent_writers_keep_the_chain_linear(committed, other_tenant):
    conn, _made = committed
    failures: list[Exception] = []

    def write() -> None:
        try:
            connection.set_tenant(other_tenant)
            for _ in range(ENTRIES_EACH):
                with transaction.atomic():
                    audit_record(action="test.concurrent")
        except Exception as exc:  # noqa: BLE001 - a thread's error is asserted on by the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        written = conn.execute("SELECT count(*) FROM globex.audit_auditentry WHERE action = 'test.concurrent'")
        assert written.fetchone() == (WRITERS * ENTRIES_EACH,)
        columns = sql.SQL(", ").join(map(sql.Identifier, (*CHAINED_FIELDS, "hash")))
        rows = conn.execute(sql.SQL("SELECT {} FROM globex.audit_auditentry ORDER BY seq").format(columns))
        report = chain_walk(rows.fetchall())
        assert report.intact, report
    finally:
        # Committed rows outlive the test: remove them as only the table's owner can, past the trigger.
        with conn.transaction():
            conn.execute("ALTER TABLE globex.audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            conn.execute("DELETE FROM globex.audit_auditentry WHERE action = 'test.concurrent'")
            conn.execute("ALTER TABLE globex.audit_auditentry ENABLE TRIGGER audit_entry_append_only")
