"""Stock movements are append-only: a trigger refuses UPDATE and DELETE, whoever runs them.

A mistake is corrected by a reversing movement. The function lives in the tenant's own schema, so
cloning a schema clones it with the trigger (as apps/audit's 0002 does for the trail).
"""

from django.db import migrations

FORWARDS = """
CREATE FUNCTION ims_stock_movement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER ims_stock_movement_append_only BEFORE UPDATE OR DELETE ON ims_stockmovement
    FOR EACH ROW EXECUTE FUNCTION ims_stock_movement_append_only();
"""
BACKWARDS = """
DROP TRIGGER IF EXISTS ims_stock_movement_append_only ON ims_stockmovement;
DROP FUNCTION IF EXISTS ims_stock_movement_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("ims", "0001_initial")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
