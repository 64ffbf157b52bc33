# Notifications: the per-user counter table, its guard, and the statement-level triggers that keep it exact.

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from scheduling.sql_views import create_view


BACKFILL_SQL = """
LOCK TABLE scheduling_notification IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO scheduling_notificationcounter (user_id, total, unread)
SELECT user_id, count(*), count(*) FILTER (WHERE NOT is_read)
  FROM scheduling_notification
 GROUP BY user_id;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0002_appointments_db'),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationCounter',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='notification_counter', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('total', models.IntegerField(default=0)),
                ('unread', models.IntegerField(default=0)),
            ],
            options={
                'db_table': 'scheduling_notificationcounter',
            },
        ),
        migrations.AddConstraint(
            model_name='notificationcounter',
            constraint=models.CheckConstraint(condition=models.Q(('total__gte', 0), ('unread__gte', 0), ('unread__lte', models.F('total'))), name='notif_counter_in_range'),
        ),
        # Count what already exists, with writers held off until the triggers are in place (same transaction).
        migrations.RunSQL(
            sql=BACKFILL_SQL,
            reverse_sql=migrations.RunSQL.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='notification',
            trigger=pgtrigger.compiler.Trigger(name='notif_count_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE _users bigint[]; _dt integer[]; _du integer[]; _done bigint[];', func='\n        SELECT array_agg(d.user_id ORDER BY d.user_id), array_agg(d.dt ORDER BY d.user_id),\n               array_agg(d.du ORDER BY d.user_id)\n          INTO _users, _dt, _du\n          FROM (\n    SELECT user_id, count(*)::integer AS dt, count(*) FILTER (WHERE NOT is_read)::integer AS du\n      FROM new_rows GROUP BY user_id\n) AS d\n         WHERE d.dt <> 0 OR d.du <> 0;\n        IF _users IS NULL THEN\n            RETURN NULL;\n        END IF;\n        PERFORM 1 FROM scheduling_notificationcounter WHERE user_id = ANY(_users) ORDER BY user_id FOR UPDATE;\n        WITH changed AS (\n            UPDATE scheduling_notificationcounter AS c SET total = c.total + d.dt, unread = c.unread + d.du\n              FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n             WHERE c.user_id = d.user_id\n         RETURNING c.user_id\n        )\n        SELECT array_agg(user_id) INTO _done FROM changed;\n        INSERT INTO scheduling_notificationcounter AS c (user_id, total, unread)\n        SELECT d.user_id, d.dt, d.du\n          FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n         WHERE _done IS NULL OR NOT d.user_id = ANY(_done)\n         ORDER BY d.user_id\n            ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, unread = c.unread + EXCLUDED.unread;\n        DELETE FROM scheduling_notificationcounter WHERE user_id = ANY(_users) AND total = 0;\n        RETURN NULL;\n    ', hash='07282de49e1e188c4a34572e1a4c53d9fc2eb2ac', level='STATEMENT', operation='INSERT', pgid='pgtrigger_notif_count_insert_9b6ca', referencing='REFERENCING NEW TABLE AS new_rows ', table='scheduling_notification', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='notification',
            trigger=pgtrigger.compiler.Trigger(name='notif_count_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE _users bigint[]; _dt integer[]; _du integer[]; _done bigint[];', func='\n        SELECT array_agg(d.user_id ORDER BY d.user_id), array_agg(d.dt ORDER BY d.user_id),\n               array_agg(d.du ORDER BY d.user_id)\n          INTO _users, _dt, _du\n          FROM (\n    SELECT user_id, -count(*)::integer AS dt, -count(*) FILTER (WHERE NOT is_read)::integer AS du\n      FROM old_rows GROUP BY user_id\n) AS d\n         WHERE d.dt <> 0 OR d.du <> 0;\n        IF _users IS NULL THEN\n            RETURN NULL;\n        END IF;\n        PERFORM 1 FROM scheduling_notificationcounter WHERE user_id = ANY(_users) ORDER BY user_id FOR UPDATE;\n        WITH changed AS (\n            UPDATE scheduling_notificationcounter AS c SET total = c.total + d.dt, unread = c.unread + d.du\n              FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n             WHERE c.user_id = d.user_id\n         RETURNING c.user_id\n        )\n        SELECT array_agg(user_id) INTO _done FROM changed;\n        INSERT INTO scheduling_notificationcounter AS c (user_id, total, unread)\n        SELECT d.user_id, d.dt, d.du\n          FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n         WHERE _done IS NULL OR NOT d.user_id = ANY(_done)\n         ORDER BY d.user_id\n            ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, unread = c.unread + EXCLUDED.unread;\n        DELETE FROM scheduling_notificationcounter WHERE user_id = ANY(_users) AND total = 0;\n        RETURN NULL;\n    ', hash='3f1e1e5cc0d02b323c79321d0fa27f5e73364225', level='STATEMENT', operation='DELETE', pgid='pgtrigger_notif_count_delete_d1ef7', referencing='REFERENCING OLD TABLE AS old_rows ', table='scheduling_notification', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='notification',
            trigger=pgtrigger.compiler.Trigger(name='notif_count_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE _users bigint[]; _dt integer[]; _du integer[]; _done bigint[];', func='\n        SELECT array_agg(d.user_id ORDER BY d.user_id), array_agg(d.dt ORDER BY d.user_id),\n               array_agg(d.du ORDER BY d.user_id)\n          INTO _users, _dt, _du\n          FROM (\n    SELECT user_id, sum(dt)::integer AS dt, sum(du)::integer AS du\n      FROM (SELECT user_id, 1 AS dt, CASE WHEN is_read THEN 0 ELSE 1 END AS du FROM new_rows\n            UNION ALL\n            SELECT user_id, -1, CASE WHEN is_read THEN 0 ELSE -1 END FROM old_rows) AS moves\n     GROUP BY user_id\n) AS d\n         WHERE d.dt <> 0 OR d.du <> 0;\n        IF _users IS NULL THEN\n            RETURN NULL;\n        END IF;\n        PERFORM 1 FROM scheduling_notificationcounter WHERE user_id = ANY(_users) ORDER BY user_id FOR UPDATE;\n        WITH changed AS (\n            UPDATE scheduling_notificationcounter AS c SET total = c.total + d.dt, unread = c.unread + d.du\n              FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n             WHERE c.user_id = d.user_id\n         RETURNING c.user_id\n        )\n        SELECT array_agg(user_id) INTO _done FROM changed;\n        INSERT INTO scheduling_notificationcounter AS c (user_id, total, unread)\n        SELECT d.user_id, d.dt, d.du\n          FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)\n         WHERE _done IS NULL OR NOT d.user_id = ANY(_done)\n         ORDER BY d.user_id\n            ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, unread = c.unread + EXCLUDED.unread;\n        DELETE FROM scheduling_notificationcounter WHERE user_id = ANY(_users) AND total = 0;\n        RETURN NULL;\n    ', hash='f4f9454448d5005f76963215390f3dbccbbba2d0', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_notif_count_update_f7772', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='scheduling_notification', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='notificationcounter',
            trigger=pgtrigger.compiler.Trigger(name='notif_counter_trigger_only', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (pg_trigger_depth() < 1)', func="RAISE EXCEPTION 'pgtrigger: Cannot insert or update or delete rows from % table', TG_TABLE_NAME;", hash='18041513111c7c2e6a2a073af9caca836bc8f013', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_notif_counter_trigger_only_06f22', table='scheduling_notificationcounter', when='BEFORE')),
        ),
        create_view("notification_counter_drift"),
    ]
