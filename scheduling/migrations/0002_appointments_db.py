
import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
import scheduling.models.bookings
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

from scheduling.sql_views import create_view, view_sql


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0001_initial'),
    ]

    operations = [
        BtreeGistExtension(),
        create_view("appointment_totals"),
        migrations.CreateModel(
            name='AppointmentListRow',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('date', models.DateField()),
                ('start_time', models.TimeField()),
                ('end_time', models.TimeField()),
                ('status', models.CharField(max_length=32)),
                ('payment_status', models.CharField(max_length=16)),
                ('location', models.TextField()),
                ('notes', models.TextField()),
                ('response_deadline', models.DateTimeField(null=True)),
                ('created_at', models.DateTimeField()),
                ('item', models.JSONField()),
            ],
            options={
                'db_table': 'appointment_list_rows',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='AppointmentStatusCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('status', models.CharField(max_length=32)),
                ('count', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='StaffBooking',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('therapist', 'Therapist'), ('driver', 'Driver')], max_length=16)),
                ('period', django.contrib.postgres.fields.ranges.DateTimeRangeField()),
            ],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_status_fsm', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE _is_valid_transition BOOLEAN;', func='SELECT CONCAT(OLD."status", \':\', NEW."status") = ANY(\'{pending:therapist_confirmed,therapist_confirmed:driver_confirmed,driver_confirmed:in_progress,therapist_confirmed:in_progress,in_progress:journey,journey:arrived,arrived:dropped_off,dropped_off:session_in_progress,in_progress:session_in_progress,session_in_progress:awaiting_payment,awaiting_payment:payment_verified,payment_verified:completed,completed:driver_assigned_pickup,completed:pickup_requested,pickup_requested:driver_assigned_pickup,driver_assigned_pickup:pickup_requested,driver_assigned_pickup:return_journey,return_journey:transport_completed,pending:rejected,rejected:pending,pending:auto_cancelled,pending:cancelled,therapist_confirmed:cancelled,driver_confirmed:cancelled,rejected:cancelled}\'::text[]) INTO _is_valid_transition; IF (_is_valid_transition IS FALSE AND OLD."status" IS DISTINCT FROM NEW."status") THEN RAISE EXCEPTION \'pgtrigger: Invalid transition of field "status" from "%" to "%" on table %\', OLD."status", NEW."status", TG_TABLE_NAME; ELSE RETURN NEW; END IF;', hash='cbd1b4c21a634b66c8b1ac30e07e785537d7efb9', operation='UPDATE', pgid='pgtrigger_appointment_status_fsm_bd781', table='scheduling_appointment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_status_count_ins', sql=pgtrigger.compiler.UpsertTriggerSql(func='\n    INSERT INTO scheduling_appointmentstatuscount AS c (date, status, count)\n    SELECT date, status, sum(delta) FROM (SELECT date, status, 1 AS delta FROM new_rows) AS d\n    GROUP BY date, status HAVING sum(delta) <> 0\n    ORDER BY date, status\n    ON CONFLICT (date, status) DO UPDATE SET count = c.count + EXCLUDED.count;\n    RETURN NULL;\n', hash='9ca1c9784d90aaf60f69f2fc4d2a2301798844d3', level='STATEMENT', operation='INSERT', pgid='pgtrigger_appointment_status_count_ins_fb7fc', referencing='REFERENCING NEW TABLE AS new_rows ', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_status_count_upd', sql=pgtrigger.compiler.UpsertTriggerSql(func='\n    INSERT INTO scheduling_appointmentstatuscount AS c (date, status, count)\n    SELECT date, status, sum(delta) FROM (SELECT date, status, 1 AS delta FROM new_rows UNION ALL SELECT date, status, -1 AS delta FROM old_rows) AS d\n    GROUP BY date, status HAVING sum(delta) <> 0\n    ORDER BY date, status\n    ON CONFLICT (date, status) DO UPDATE SET count = c.count + EXCLUDED.count;\n    RETURN NULL;\n', hash='3205735e2baf352c82b4602c76d0edb5e7dbebd4', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_appointment_status_count_upd_01bda', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_status_count_del', sql=pgtrigger.compiler.UpsertTriggerSql(func='\n    INSERT INTO scheduling_appointmentstatuscount AS c (date, status, count)\n    SELECT date, status, sum(delta) FROM (SELECT date, status, -1 AS delta FROM old_rows) AS d\n    GROUP BY date, status HAVING sum(delta) <> 0\n    ORDER BY date, status\n    ON CONFLICT (date, status) DO UPDATE SET count = c.count + EXCLUDED.count;\n    RETURN NULL;\n', hash='17cb1b08260ac246a4230874452be695bd45dba6', level='STATEMENT', operation='DELETE', pgid='pgtrigger_appointment_status_count_del_38553', referencing='REFERENCING OLD TABLE AS old_rows ', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_sync_bookings_ins', sql=pgtrigger.compiler.UpsertTriggerSql(func="\n    DELETE FROM scheduling_staffbooking WHERE appointment_id = NEW.id;\n    INSERT INTO scheduling_staffbooking (appointment_id, staff_id, role, period)\n    SELECT a.id, s.staff_id, s.role, tstzrange(\n    (a.date + a.start_time) AT TIME ZONE 'UTC',\n    (a.date + a.end_time + CASE WHEN a.end_time <= a.start_time THEN interval '1 day' ELSE interval '0' END)\n        AT TIME ZONE 'UTC',\n    '[)')\n    FROM scheduling_appointment AS a\n    CROSS JOIN LATERAL (\n        SELECT a.therapist_id AS staff_id, 'therapist' AS role WHERE a.therapist_id IS NOT NULL\n        UNION\n        SELECT l.therapist_id, 'therapist' FROM scheduling_appointmenttherapist AS l WHERE l.appointment_id = a.id\n        UNION\n        SELECT a.driver_id, 'driver' WHERE a.driver_id IS NOT NULL AND a.status IN ('pending', 'therapist_confirmed', 'driver_confirmed', 'in_progress', 'journey', 'arrived', 'rejected')\n    ) AS s\n    WHERE a.id = NEW.id AND a.status NOT IN ('cancelled', 'auto_cancelled');\n    RETURN NULL;\n    ", hash='db71357c43f05c842c43fde3a25c0ae974c95882', operation='INSERT', pgid='pgtrigger_appointment_sync_bookings_ins_98546', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_sync_bookings_upd', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."date" IS DISTINCT FROM NEW."date" OR OLD."start_time" IS DISTINCT FROM NEW."start_time" OR OLD."end_time" IS DISTINCT FROM NEW."end_time" OR OLD."status" IS DISTINCT FROM NEW."status" OR OLD."therapist_id" IS DISTINCT FROM NEW."therapist_id" OR OLD."driver_id" IS DISTINCT FROM NEW."driver_id")', func="\n    DELETE FROM scheduling_staffbooking WHERE appointment_id = NEW.id;\n    INSERT INTO scheduling_staffbooking (appointment_id, staff_id, role, period)\n    SELECT a.id, s.staff_id, s.role, tstzrange(\n    (a.date + a.start_time) AT TIME ZONE 'UTC',\n    (a.date + a.end_time + CASE WHEN a.end_time <= a.start_time THEN interval '1 day' ELSE interval '0' END)\n        AT TIME ZONE 'UTC',\n    '[)')\n    FROM scheduling_appointment AS a\n    CROSS JOIN LATERAL (\n        SELECT a.therapist_id AS staff_id, 'therapist' AS role WHERE a.therapist_id IS NOT NULL\n        UNION\n        SELECT l.therapist_id, 'therapist' FROM scheduling_appointmenttherapist AS l WHERE l.appointment_id = a.id\n        UNION\n        SELECT a.driver_id, 'driver' WHERE a.driver_id IS NOT NULL AND a.status IN ('pending', 'therapist_confirmed', 'driver_confirmed', 'in_progress', 'journey', 'arrived', 'rejected')\n    ) AS s\n    WHERE a.id = NEW.id AND a.status NOT IN ('cancelled', 'auto_cancelled');\n    RETURN NULL;\n    ", hash='b88abdc4a70b940a78d8f15d10c9c4b1cc9061e5', operation='UPDATE', pgid='pgtrigger_appointment_sync_bookings_upd_76cb2', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointmenttherapist',
            trigger=pgtrigger.compiler.Trigger(name='appt_therapist_sync_bookings', sql=pgtrigger.compiler.UpsertTriggerSql(func="\n    DELETE FROM scheduling_staffbooking WHERE appointment_id = COALESCE(NEW.appointment_id, OLD.appointment_id);\n    INSERT INTO scheduling_staffbooking (appointment_id, staff_id, role, period)\n    SELECT a.id, s.staff_id, s.role, tstzrange(\n    (a.date + a.start_time) AT TIME ZONE 'UTC',\n    (a.date + a.end_time + CASE WHEN a.end_time <= a.start_time THEN interval '1 day' ELSE interval '0' END)\n        AT TIME ZONE 'UTC',\n    '[)')\n    FROM scheduling_appointment AS a\n    CROSS JOIN LATERAL (\n        SELECT a.therapist_id AS staff_id, 'therapist' AS role WHERE a.therapist_id IS NOT NULL\n        UNION\n        SELECT l.therapist_id, 'therapist' FROM scheduling_appointmenttherapist AS l WHERE l.appointment_id = a.id\n        UNION\n        SELECT a.driver_id, 'driver' WHERE a.driver_id IS NOT NULL AND a.status IN ('pending', 'therapist_confirmed', 'driver_confirmed', 'in_progress', 'journey', 'arrived', 'rejected')\n    ) AS s\n    WHERE a.id = COALESCE(NEW.appointment_id, OLD.appointment_id) AND a.status NOT IN ('cancelled', 'auto_cancelled');\n    RETURN NULL;\n    ", hash='3b751dceebcbab5a2e63c94ea6aa125b261ba585', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_appt_therapist_sync_bookings_d61cc', table='scheduling_appointmenttherapist', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='appointmentstatuscount',
            constraint=models.UniqueConstraint(fields=('date', 'status'), name='appointment_status_count_key'),
        ),
        migrations.AddField(
            model_name='staffbooking',
            name='appointment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='scheduling.appointment'),
        ),
        migrations.AddField(
            model_name='staffbooking',
            name='staff',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='staffbooking',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(expressions=[('staff', '='), ('period', '&&')], name='staff_booking_no_overlap'),
        ),
        migrations.AddConstraint(
            model_name='staffbooking',
            constraint=models.UniqueConstraint(fields=('appointment', 'staff'), name='staff_booking_once_per_appointment'),
        ),
            create_view("appointment_items"),
        migrations.CreateModel(
            name='AppointmentItemCache',
            fields=[
                ('appointment', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='scheduling.appointment')),
                ('item', scheduling.models.bookings.JsonText()),
            ],
            options={
                'db_table': 'appointment_item_cache',
            },
        ),
        migrations.RunSQL(
            view_sql("appointment_item_cache"),
            reverse_sql="".join(
                f"DROP FUNCTION IF EXISTS {name}() CASCADE; "
                for name in (
                    "appointment_items_refresh_new_id",
                    "appointment_items_refresh_new",
                    "appointment_items_refresh_old",
                    "appointment_items_refresh_client",
                    "appointment_items_refresh_user",
                    "appointment_items_refresh_service",
                    "appointment_items_forget_old_id",
                )
            )
            + "DROP FUNCTION IF EXISTS refresh_appointment_items(bigint[]) CASCADE;",
        ),
        create_view("appointment_list_rows"),
    ]
