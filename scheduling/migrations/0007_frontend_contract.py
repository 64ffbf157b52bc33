"""The frontend contract (issue 12): e-mail verification (User.email_verified, EmailVerification), an index for
the default appointment order (-created_at), the nested people's extra fields in appointment_items (and the
user-refresh trigger that watches them; every cached item is rebuilt), and service extensions in the revenue
report (report_appointment_flags gains a column, so the report views are re-created on top of it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from scheduling.sql_views import create_view, view_sql

# report_appointment_flags gains a column in the middle of its dependants' `f.*`: drop it with its dependants
# (CASCADE) and re-create them all, readers after what they read (the order of migration 0005).
REPORT_VIEWS = [
    "report_appointment_facts",
    "report_revenue_daily",
    "report_therapist_workload_daily",
    "report_therapist_workload_weekly",
    "report_driver_workload_daily",
    "report_driver_workload_weekly",
    "report_service_popularity_monthly",
    "report_funnel_daily",
]


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0006_notification_hot_updates'),
    ]

    operations = [
        migrations.CreateModel(
            name='EmailVerification',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('email', models.EmailField(max_length=254)),
                ('code_hash', models.CharField(max_length=64)),
                ('sent_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('failed_attempts', models.PositiveSmallIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='user',
            name='email_verified',
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['created_at', 'id'], name='appt_created_idx'),
        ),
        create_view("appointment_items"),
        # The user-refresh trigger function now also watches email, specialization and motorcycle_plate.
        migrations.RunSQL(view_sql("appointment_item_cache"), reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "SELECT refresh_appointment_items(ARRAY(SELECT id FROM scheduling_appointment));",
            reverse_sql=migrations.RunSQL.noop,
        ),
        create_view("report_appointment_flags", drop_first=True),
        *[create_view(name) for name in REPORT_VIEWS],
    ]
