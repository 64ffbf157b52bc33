"""Reporting views (issue 7): report_appointment_flags and report_appointment_facts, the report_* views built on
them, each from its file in scheduling/sql_views/, and the unmanaged models the API reads them through
(scheduling/models/reports.py)."""

from django.db import migrations, models

from scheduling.sql_views import create_view

# Dependants after what they read; create_view's reverse drops with CASCADE.
REPORT_VIEWS = [
    "report_appointment_flags",
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
    dependencies = [("scheduling", "0004_staff_availability_db")]

    operations = [
        *[create_view(name) for name in REPORT_VIEWS],
        migrations.CreateModel(
            name='DriverWorkloadDaily',
            fields=[
                ('pk', models.CompositePrimaryKey('driver_id', 'date', blank=True, editable=False, primary_key=True, serialize=False)),
                ('driver_id', models.IntegerField()),
                ('driver_username', models.CharField(max_length=150)),
                ('driver_name', models.CharField(max_length=301)),
                ('date', models.DateField()),
                ('appointments', models.IntegerField()),
                ('trips_out', models.IntegerField()),
                ('trips_back', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('booked_minutes', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
                ('revenue_paid', models.DecimalField(decimal_places=2, max_digits=12)),
                ('rejections', models.IntegerField()),
            ],
            options={
                'db_table': 'report_driver_workload_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='DriverWorkloadWeekly',
            fields=[
                ('pk', models.CompositePrimaryKey('driver_id', 'week_start', blank=True, editable=False, primary_key=True, serialize=False)),
                ('driver_id', models.IntegerField()),
                ('driver_username', models.CharField(max_length=150)),
                ('driver_name', models.CharField(max_length=301)),
                ('week_start', models.DateField()),
                ('appointments', models.IntegerField()),
                ('trips_out', models.IntegerField()),
                ('trips_back', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('booked_minutes', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
                ('revenue_paid', models.DecimalField(decimal_places=2, max_digits=12)),
                ('rejections', models.IntegerField()),
            ],
            options={
                'db_table': 'report_driver_workload_weekly',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='FunnelDaily',
            fields=[
                ('date', models.DateField(primary_key=True, serialize=False)),
                ('booked', models.IntegerField()),
                ('pending', models.IntegerField()),
                ('confirmed', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('rejected', models.IntegerField()),
                ('cancelled', models.IntegerField()),
                ('auto_cancelled', models.IntegerField()),
                ('confirmation_rate', models.FloatField()),
                ('completion_rate', models.FloatField()),
                ('rejection_rate', models.FloatField()),
                ('cancellation_rate', models.FloatField()),
            ],
            options={
                'db_table': 'report_funnel_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='RevenueDaily',
            fields=[
                ('date', models.DateField(primary_key=True, serialize=False)),
                ('appointments', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
                ('revenue_paid', models.DecimalField(decimal_places=2, max_digits=12)),
                ('paid_cash', models.DecimalField(decimal_places=2, max_digits=12)),
                ('paid_gcash', models.DecimalField(decimal_places=2, max_digits=12)),
                ('paid_bank_transfer', models.DecimalField(decimal_places=2, max_digits=12)),
                ('paid_credit_card', models.DecimalField(decimal_places=2, max_digits=12)),
                ('paid_unrecorded', models.DecimalField(decimal_places=2, max_digits=12)),
            ],
            options={
                'db_table': 'report_revenue_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='ServicePopularityMonthly',
            fields=[
                ('pk', models.CompositePrimaryKey('month', 'service_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('month', models.DateField()),
                ('service_id', models.IntegerField()),
                ('service_name', models.CharField(max_length=100)),
                ('bookings', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('dropped', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
            ],
            options={
                'db_table': 'report_service_popularity_monthly',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='TherapistWorkloadDaily',
            fields=[
                ('pk', models.CompositePrimaryKey('therapist_id', 'date', blank=True, editable=False, primary_key=True, serialize=False)),
                ('therapist_id', models.IntegerField()),
                ('therapist_username', models.CharField(max_length=150)),
                ('therapist_name', models.CharField(max_length=301)),
                ('date', models.DateField()),
                ('appointments', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('booked_minutes', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
                ('revenue_paid', models.DecimalField(decimal_places=2, max_digits=12)),
                ('rejections', models.IntegerField()),
            ],
            options={
                'db_table': 'report_therapist_workload_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='TherapistWorkloadWeekly',
            fields=[
                ('pk', models.CompositePrimaryKey('therapist_id', 'week_start', blank=True, editable=False, primary_key=True, serialize=False)),
                ('therapist_id', models.IntegerField()),
                ('therapist_username', models.CharField(max_length=150)),
                ('therapist_name', models.CharField(max_length=301)),
                ('week_start', models.DateField()),
                ('appointments', models.IntegerField()),
                ('completed', models.IntegerField()),
                ('booked_minutes', models.IntegerField()),
                ('revenue_billed', models.DecimalField(decimal_places=2, max_digits=12)),
                ('revenue_paid', models.DecimalField(decimal_places=2, max_digits=12)),
                ('rejections', models.IntegerField()),
            ],
            options={
                'db_table': 'report_therapist_workload_weekly',
                'managed': False,
            },
        ),
    ]
