"""TRUNCATE skips row triggers: a statement trigger refuses it too, so the trail cannot be emptied at once."""

from django.db import migrations

FORWARDS = """
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""
BACKWARDS = "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;"


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
