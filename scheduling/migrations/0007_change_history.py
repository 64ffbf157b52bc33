"""The history of every change (issue 17): django-pghistory event tables and their triggers
(scheduling/models/history.py), a baseline snapshot of every existing tracked row (the state when tracking began,
so the first change after it shows its old values), the history_changes() helper, the appointment_changes view (operators) and the report_*_changes views
(analysts)."""

import django.contrib.auth.validators
import django.contrib.postgres.indexes
import django.db.models.deletion
import pghistory.utils
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from scheduling.sql_views import create_view, view_sql

# event model -> tracked model whose current rows become the baseline snapshots
BASELINES = {"AppointmentEvent": "Appointment", "AvailabilityEvent": "Availability", "UserEvent": "User"}


def snapshot_existing_rows(apps, schema_editor):
    for event_name, tracked_name in BASELINES.items():
        event = apps.get_model("scheduling", event_name)
        tracked = apps.get_model("scheduling", tracked_name)
        columns = [f.column for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
        names = ", ".join(f'"{c}"' for c in columns)
        schema_editor.execute(
            f'INSERT INTO "{event._meta.db_table}" ({names}, pgh_obj_id, pgh_created_at, pgh_label) '
            f'SELECT {names}, id, now(), \'baseline\' FROM "{tracked._meta.db_table}" ORDER BY id'
        )


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0006_notification_hot_updates'),
    ]

    operations = [
        migrations.CreateModel(
            name='AppointmentChange',
            fields=[
                ('event_id', models.TextField(primary_key=True, serialize=False)),
                ('appointment_id', models.BigIntegerField()),
                ('changed_at', models.DateTimeField()),
                ('event', models.TextField()),
                ('actor_id', models.BigIntegerField(null=True)),
                ('actor_name', models.TextField(null=True)),
                ('context_id', models.UUIDField(null=True)),
                ('url', models.TextField(null=True)),
                ('changes', models.JSONField()),
                ('seq', models.BigIntegerField()),
            ],
            options={
                'db_table': 'appointment_changes',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='AppointmentEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('group_size', models.PositiveSmallIntegerField(default=1)),
                ('date', models.DateField()),
                ('start_time', models.TimeField()),
                ('end_time', models.TimeField()),
                ('location', models.TextField()),
                ('notes', models.TextField(blank=True, default='')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('therapist_confirmed', 'Therapist confirmed'), ('driver_confirmed', 'Driver confirmed'), ('in_progress', 'In progress'), ('journey', 'Journey'), ('arrived', 'Arrived'), ('dropped_off', 'Dropped off'), ('session_in_progress', 'Session in progress'), ('awaiting_payment', 'Awaiting payment'), ('payment_verified', 'Payment verified'), ('completed', 'Completed'), ('pickup_requested', 'Pickup requested'), ('driver_assigned_pickup', 'Driver assigned for pickup'), ('return_journey', 'Return journey'), ('transport_completed', 'Transport completed'), ('rejected', 'Rejected'), ('cancelled', 'Cancelled'), ('auto_cancelled', 'Auto-cancelled')], default='pending', max_length=32)),
                ('payment_status', models.CharField(choices=[('unpaid', 'Unpaid'), ('partial', 'Partial'), ('paid', 'Paid'), ('refunded', 'Refunded')], default='unpaid', max_length=16)),
                ('payment_method', models.CharField(blank=True, choices=[('cash', 'Cash'), ('gcash', 'GCash'), ('bank_transfer', 'Bank transfer'), ('credit_card', 'Credit card')], default='', max_length=16)),
                ('payment_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                ('payment_verified_at', models.DateTimeField(blank=True, null=True)),
                ('payment_notes', models.TextField(blank=True, default='')),
                ('receipt_hash', models.CharField(blank=True, default='', max_length=128)),
                ('receipt_url', models.URLField(blank=True, default='', max_length=500)),
                ('pickup_urgency', models.CharField(blank=True, choices=[('normal', 'Normal'), ('urgent', 'Urgent')], default='', max_length=16)),
                ('pickup_notes', models.TextField(blank=True, default='')),
                ('rejection_reason', models.TextField(blank=True, default='')),
                ('cancellation_reason', models.TextField(blank=True, default='')),
                ('metadata', models.JSONField(blank=True, default=dict)),
            ],
        ),
        migrations.CreateModel(
            name='AppointmentServiceEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='AppointmentTherapistEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='AvailabilityEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('date', models.DateField()),
                ('start_time', models.TimeField()),
                ('end_time', models.TimeField()),
                ('is_available', models.BooleanField(default=True)),
            ],
        ),
        migrations.CreateModel(
            name='UserEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('role', models.CharField(choices=[('operator', 'Operator'), ('therapist', 'Therapist'), ('driver', 'Driver')], default='operator', max_length=16)),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
            ],
        ),
        migrations.CreateModel(
            name='AppointmentServiceLink',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('scheduling.appointment_services',),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_history_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmentevent" ("cancellation_reason", "client_id", "date", "driver_id", "end_time", "group_size", "location", "metadata", "notes", "operator_id", "payment_amount", "payment_method", "payment_notes", "payment_status", "payment_verified_at", "payment_verified_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pickup_notes", "pickup_urgency", "receipt_hash", "receipt_url", "rejection_reason", "start_time", "status", "therapist_id") VALUES (NEW."cancellation_reason", NEW."client_id", NEW."date", NEW."driver_id", NEW."end_time", NEW."group_size", NEW."location", NEW."metadata", NEW."notes", NEW."operator_id", NEW."payment_amount", NEW."payment_method", NEW."payment_notes", NEW."payment_status", NEW."payment_verified_at", NEW."payment_verified_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'insert\', NEW."id", NEW."pickup_notes", NEW."pickup_urgency", NEW."receipt_hash", NEW."receipt_url", NEW."rejection_reason", NEW."start_time", NEW."status", NEW."therapist_id"); RETURN NULL;', hash='f4dc7a464fe0a260578d4b9acc6b65265b833953', operation='INSERT', pgid='pgtrigger_appointment_history_insert_a9e49', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_history_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."cancellation_reason" IS DISTINCT FROM (NEW."cancellation_reason") OR OLD."client_id" IS DISTINCT FROM (NEW."client_id") OR OLD."date" IS DISTINCT FROM (NEW."date") OR OLD."driver_id" IS DISTINCT FROM (NEW."driver_id") OR OLD."end_time" IS DISTINCT FROM (NEW."end_time") OR OLD."group_size" IS DISTINCT FROM (NEW."group_size") OR OLD."location" IS DISTINCT FROM (NEW."location") OR OLD."metadata" IS DISTINCT FROM (NEW."metadata") OR OLD."notes" IS DISTINCT FROM (NEW."notes") OR OLD."operator_id" IS DISTINCT FROM (NEW."operator_id") OR OLD."payment_amount" IS DISTINCT FROM (NEW."payment_amount") OR OLD."payment_method" IS DISTINCT FROM (NEW."payment_method") OR OLD."payment_notes" IS DISTINCT FROM (NEW."payment_notes") OR OLD."payment_status" IS DISTINCT FROM (NEW."payment_status") OR OLD."payment_verified_at" IS DISTINCT FROM (NEW."payment_verified_at") OR OLD."payment_verified_by_id" IS DISTINCT FROM (NEW."payment_verified_by_id") OR OLD."pickup_notes" IS DISTINCT FROM (NEW."pickup_notes") OR OLD."pickup_urgency" IS DISTINCT FROM (NEW."pickup_urgency") OR OLD."receipt_hash" IS DISTINCT FROM (NEW."receipt_hash") OR OLD."receipt_url" IS DISTINCT FROM (NEW."receipt_url") OR OLD."rejection_reason" IS DISTINCT FROM (NEW."rejection_reason") OR OLD."start_time" IS DISTINCT FROM (NEW."start_time") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."therapist_id" IS DISTINCT FROM (NEW."therapist_id"))', func='INSERT INTO "scheduling_appointmentevent" ("cancellation_reason", "client_id", "date", "driver_id", "end_time", "group_size", "location", "metadata", "notes", "operator_id", "payment_amount", "payment_method", "payment_notes", "payment_status", "payment_verified_at", "payment_verified_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pickup_notes", "pickup_urgency", "receipt_hash", "receipt_url", "rejection_reason", "start_time", "status", "therapist_id") VALUES (NEW."cancellation_reason", NEW."client_id", NEW."date", NEW."driver_id", NEW."end_time", NEW."group_size", NEW."location", NEW."metadata", NEW."notes", NEW."operator_id", NEW."payment_amount", NEW."payment_method", NEW."payment_notes", NEW."payment_status", NEW."payment_verified_at", NEW."payment_verified_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."pickup_notes", NEW."pickup_urgency", NEW."receipt_hash", NEW."receipt_url", NEW."rejection_reason", NEW."start_time", NEW."status", NEW."therapist_id"); RETURN NULL;', hash='abb7b1a212e6eab7c331bb99edfc804d587712f2', operation='UPDATE', pgid='pgtrigger_appointment_history_update_a081c', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointment',
            trigger=pgtrigger.compiler.Trigger(name='appointment_history_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmentevent" ("cancellation_reason", "client_id", "date", "driver_id", "end_time", "group_size", "location", "metadata", "notes", "operator_id", "payment_amount", "payment_method", "payment_notes", "payment_status", "payment_verified_at", "payment_verified_by_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pickup_notes", "pickup_urgency", "receipt_hash", "receipt_url", "rejection_reason", "start_time", "status", "therapist_id") VALUES (OLD."cancellation_reason", OLD."client_id", OLD."date", OLD."driver_id", OLD."end_time", OLD."group_size", OLD."location", OLD."metadata", OLD."notes", OLD."operator_id", OLD."payment_amount", OLD."payment_method", OLD."payment_notes", OLD."payment_status", OLD."payment_verified_at", OLD."payment_verified_by_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'delete\', OLD."id", OLD."pickup_notes", OLD."pickup_urgency", OLD."receipt_hash", OLD."receipt_url", OLD."rejection_reason", OLD."start_time", OLD."status", OLD."therapist_id"); RETURN NULL;', hash='9238ef442bd76bf9432b5a320eead66539d6a39a', operation='DELETE', pgid='pgtrigger_appointment_history_delete_d30df', table='scheduling_appointment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointmenttherapist',
            trigger=pgtrigger.compiler.Trigger(name='appt_therapist_history_add', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmenttherapistevent" ("appointment_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "therapist_id") VALUES (NEW."appointment_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'add\', NEW."therapist_id"); RETURN NULL;', hash='e4fd8cebc46217038f4c8edbb28decd647f63c61', operation='INSERT', pgid='pgtrigger_appt_therapist_history_add_32e15', table='scheduling_appointmenttherapist', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointmenttherapist',
            trigger=pgtrigger.compiler.Trigger(name='appt_therapist_history_remove', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmenttherapistevent" ("appointment_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "therapist_id") VALUES (OLD."appointment_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'remove\', OLD."therapist_id"); RETURN NULL;', hash='685557560bdb8f76193463f4982d729e1167a629', operation='DELETE', pgid='pgtrigger_appt_therapist_history_remove_d3ff4', table='scheduling_appointmenttherapist', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='availability',
            trigger=pgtrigger.compiler.Trigger(name='availability_history_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_availabilityevent" ("date", "end_time", "is_available", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_time", "user_id") VALUES (NEW."date", NEW."end_time", NEW."is_available", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'insert\', NEW."id", NEW."start_time", NEW."user_id"); RETURN NULL;', hash='4fd37dcc70e55087575210c9c26e9b4c2192b0b3', operation='INSERT', pgid='pgtrigger_availability_history_insert_7259d', table='scheduling_availability', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='availability',
            trigger=pgtrigger.compiler.Trigger(name='availability_history_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."date" IS DISTINCT FROM (NEW."date") OR OLD."end_time" IS DISTINCT FROM (NEW."end_time") OR OLD."is_available" IS DISTINCT FROM (NEW."is_available") OR OLD."start_time" IS DISTINCT FROM (NEW."start_time") OR OLD."user_id" IS DISTINCT FROM (NEW."user_id"))', func='INSERT INTO "scheduling_availabilityevent" ("date", "end_time", "is_available", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_time", "user_id") VALUES (NEW."date", NEW."end_time", NEW."is_available", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."start_time", NEW."user_id"); RETURN NULL;', hash='e6319e2f68908098cd45ea4f602f5dc55397e0a7', operation='UPDATE', pgid='pgtrigger_availability_history_update_c85fb', table='scheduling_availability', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='availability',
            trigger=pgtrigger.compiler.Trigger(name='availability_history_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_availabilityevent" ("date", "end_time", "is_available", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_time", "user_id") VALUES (OLD."date", OLD."end_time", OLD."is_available", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'delete\', OLD."id", OLD."start_time", OLD."user_id"); RETURN NULL;', hash='213df68e266c2a6507d88e1172e81e20e3969591', operation='DELETE', pgid='pgtrigger_availability_history_delete_4c885', table='scheduling_availability', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='user_history_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_userevent" ("first_name", "is_active", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "username") VALUES (NEW."first_name", NEW."is_active", NEW."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'insert\', NEW."id", NEW."role", NEW."username"); RETURN NULL;', hash='23fff6a64dce22563ad8cec8b4d83d7d7394e287', operation='INSERT', pgid='pgtrigger_user_history_insert_87468', table='scheduling_user', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='user_history_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."first_name" IS DISTINCT FROM (NEW."first_name") OR OLD."is_active" IS DISTINCT FROM (NEW."is_active") OR OLD."last_name" IS DISTINCT FROM (NEW."last_name") OR OLD."role" IS DISTINCT FROM (NEW."role") OR OLD."username" IS DISTINCT FROM (NEW."username"))', func='INSERT INTO "scheduling_userevent" ("first_name", "is_active", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "username") VALUES (NEW."first_name", NEW."is_active", NEW."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'update\', NEW."id", NEW."role", NEW."username"); RETURN NULL;', hash='03e21ca81a03948c3f18bbb3ddce35607410c73b', operation='UPDATE', pgid='pgtrigger_user_history_update_7184e', table='scheduling_user', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='user_history_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_userevent" ("first_name", "is_active", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "username") VALUES (OLD."first_name", OLD."is_active", OLD."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'delete\', OLD."id", OLD."role", OLD."username"); RETURN NULL;', hash='219e737ba4db78ca9c31bf8e86b823519275a475', operation='DELETE', pgid='pgtrigger_user_history_delete_03755', table='scheduling_user', when='AFTER')),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='scheduling.client'),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='driver',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='operator',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='payment_verified_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='client_therapist_group_size_driver_operator_date_start_time_end_time_location_notes_status_payment_status_payment_method_payment_amount_payment_verified_at_payment_verified_by_payment_notes_receipt_hash_receipt_url_pickup_urgency_pickup_notes_rejection_reason_cancellation_reason_metadata_events', to='scheduling.appointment'),
        ),
        migrations.AddField(
            model_name='appointmentevent',
            name='therapist',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='appointmentserviceevent',
            name='appointment',
            field=models.ForeignKey(db_constraint=False, db_index=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='scheduling.appointment'),
        ),
        migrations.AddField(
            model_name='appointmentserviceevent',
            name='service',
            field=models.ForeignKey(db_constraint=False, db_index=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='scheduling.service'),
        ),
        migrations.AddField(
            model_name='appointmenttherapistevent',
            name='appointment',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='scheduling.appointment'),
        ),
        migrations.AddField(
            model_name='appointmenttherapistevent',
            name='therapist',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='availabilityevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='user_date_start_time_end_time_is_available_events', to='scheduling.availability'),
        ),
        migrations.AddField(
            model_name='availabilityevent',
            name='user',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='userevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='username_first_name_last_name_role_is_active_events', to=settings.AUTH_USER_MODEL),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointmentservicelink',
            trigger=pgtrigger.compiler.Trigger(name='appt_service_history_add', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmentserviceevent" ("appointment_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "service_id") VALUES (NEW."appointment_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'add\', NEW."service_id"); RETURN NULL;', hash='26712f3dc15f260905d8c817f45d15cf2b703ef6', operation='INSERT', pgid='pgtrigger_appt_service_history_add_6981c', table='scheduling_appointment_services', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='appointmentservicelink',
            trigger=pgtrigger.compiler.Trigger(name='appt_service_history_remove', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scheduling_appointmentserviceevent" ("appointment_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "service_id") VALUES (OLD."appointment_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, clock_timestamp(), \'remove\', OLD."service_id"); RETURN NULL;', hash='6c1ac362487cfd640f426487fac6516f514ec36e', operation='DELETE', pgid='pgtrigger_appt_service_history_remove_8816e', table='scheduling_appointment_services', when='AFTER')),
        ),
        migrations.AddIndex(
            model_name='appointmentevent',
            index=models.Index(fields=['pgh_obj', 'pgh_id'], name='appt_event_obj_idx'),
        ),
        migrations.AddIndex(
            model_name='appointmentevent',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['pgh_created_at'], name='appt_event_created_brin'),
        ),
        migrations.AddIndex(
            model_name='appointmentserviceevent',
            index=models.Index(fields=['appointment', 'pgh_id'], name='appt_service_event_idx'),
        ),
        migrations.AddIndex(
            model_name='appointmentserviceevent',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['pgh_created_at'], name='appt_service_event_brin'),
        ),
        migrations.AddIndex(
            model_name='appointmenttherapistevent',
            index=models.Index(fields=['appointment', 'pgh_id'], name='appt_therapist_event_idx'),
        ),
        migrations.AddIndex(
            model_name='appointmenttherapistevent',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['pgh_created_at'], name='appt_therapist_event_brin'),
        ),
        migrations.AddIndex(
            model_name='availabilityevent',
            index=models.Index(fields=['pgh_obj', 'pgh_id'], name='availability_event_obj_idx'),
        ),
        migrations.AddIndex(
            model_name='availabilityevent',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['pgh_created_at'], name='availability_event_brin'),
        ),
        migrations.AddIndex(
            model_name='userevent',
            index=models.Index(fields=['pgh_obj', 'pgh_id'], name='user_event_obj_idx'),
        ),
        migrations.AddIndex(
            model_name='userevent',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['pgh_created_at'], name='user_event_brin'),
        ),
        migrations.RunPython(snapshot_existing_rows, migrations.RunPython.noop),
        migrations.RunSQL(view_sql("history_changes"), "DROP FUNCTION IF EXISTS history_changes(jsonb, jsonb, text) CASCADE;"),
        create_view("appointment_changes"),
        create_view("report_appointment_changes"),
        create_view("report_staff_changes"),
    ]
