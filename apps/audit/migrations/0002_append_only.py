"""Audit rows are append-only: a trigger refuses UPDATE and DELETE, whoever runs them.

Only a superuser who disables the trigger can change rows, and ``audit_verify`` then names the entry.
The function lives in the tenant's own schema, so cloning a schema clones it with the trigger.
"""

from django.db import migrations

FORWARDS = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
BACKWARDS = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
