import django.contrib.postgres.constraints
import django.db.models.functions.text
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

import scheduling.models.availability

# The real time span of a slot (or any date + start + end): an end at or before the start is on the next day.
SLOT_PERIOD_SQL = """
CREATE OR REPLACE FUNCTION slot_period(d date, s time, e time) RETURNS tsrange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT tsrange(d + s, d + e + CASE WHEN e <= s THEN interval '1 day' ELSE interval '0' END, '[)')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_notifications_db")]

    operations = [
        # Shared with other migrations that may need btree_gist too: never dropped on the way back.
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS btree_gist;", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(SLOT_PERIOD_SQL, reverse_sql="DROP FUNCTION IF EXISTS slot_period(date, time, time);"),
        pgtrigger.migrations.AddTrigger(
            model_name="availability",
            trigger=pgtrigger.compiler.Trigger(
                name="availability_staff_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\n                IF EXISTS (\n                    SELECT 1 FROM scheduling_user u\n                    WHERE u.id = NEW.user_id AND (u.role NOT IN ('therapist', 'driver') OR NOT u.is_active)\n                ) THEN\n                    RAISE EXCEPTION 'availability is only for active therapists and drivers (user %)', NEW.user_id\n                        USING ERRCODE = 'check_violation', CONSTRAINT = 'availability_staff_only';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="dc2edf5174ff2f63b3d6dc9a0ec64ddd0223c606",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_availability_staff_only_76a52",
                    table="scheduling_availability",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="availability",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    (models.F("user"), "="),
                    (
                        scheduling.models.availability.SlotPeriod(
                            models.F("date"), models.F("start_time"), models.F("end_time")
                        ),
                        "&&",
                    ),
                ],
                name="availability_no_overlap",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"), name="client_email_unique_ci"
            ),
        ),
    ]
