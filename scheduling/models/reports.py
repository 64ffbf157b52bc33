"""Read-only models over the report_* SQL views (scheduling/sql_views/report_*.sql); docs/reports.md says what each
column means. Unmanaged: the views are created by migration 0005 from their .sql files."""

from django.db import models


class RevenueDaily(models.Model):
    date = models.DateField(primary_key=True)
    appointments = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)
    revenue_paid = models.DecimalField(max_digits=12, decimal_places=2)
    paid_cash = models.DecimalField(max_digits=12, decimal_places=2)
    paid_gcash = models.DecimalField(max_digits=12, decimal_places=2)
    paid_bank_transfer = models.DecimalField(max_digits=12, decimal_places=2)
    paid_credit_card = models.DecimalField(max_digits=12, decimal_places=2)
    paid_unrecorded = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        managed = False
        db_table = "report_revenue_daily"

    def __str__(self) -> str:
        return f"revenue {self.date}"


class TherapistWorkloadDaily(models.Model):
    pk = models.CompositePrimaryKey("therapist_id", "date")
    therapist_id = models.IntegerField()
    therapist_username = models.CharField(max_length=150)
    therapist_name = models.CharField(max_length=301)
    date = models.DateField()
    appointments = models.IntegerField()
    completed = models.IntegerField()
    booked_minutes = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)
    revenue_paid = models.DecimalField(max_digits=12, decimal_places=2)
    rejections = models.IntegerField()

    class Meta:
        managed = False
        db_table = "report_therapist_workload_daily"

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} on {self.date}"


class TherapistWorkloadWeekly(models.Model):
    pk = models.CompositePrimaryKey("therapist_id", "week_start")
    therapist_id = models.IntegerField()
    therapist_username = models.CharField(max_length=150)
    therapist_name = models.CharField(max_length=301)
    week_start = models.DateField()
    appointments = models.IntegerField()
    completed = models.IntegerField()
    booked_minutes = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)
    revenue_paid = models.DecimalField(max_digits=12, decimal_places=2)
    rejections = models.IntegerField()

    class Meta:
        managed = False
        db_table = "report_therapist_workload_weekly"

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} in the week of {self.week_start}"


class DriverWorkloadDaily(models.Model):
    pk = models.CompositePrimaryKey("driver_id", "date")
    driver_id = models.IntegerField()
    driver_username = models.CharField(max_length=150)
    driver_name = models.CharField(max_length=301)
    date = models.DateField()
    appointments = models.IntegerField()
    trips_out = models.IntegerField()
    trips_back = models.IntegerField()
    completed = models.IntegerField()
    booked_minutes = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)
    revenue_paid = models.DecimalField(max_digits=12, decimal_places=2)
    rejections = models.IntegerField()

    class Meta:
        managed = False
        db_table = "report_driver_workload_daily"

    def __str__(self) -> str:
        return f"driver {self.driver_id} on {self.date}"


class DriverWorkloadWeekly(models.Model):
    pk = models.CompositePrimaryKey("driver_id", "week_start")
    driver_id = models.IntegerField()
    driver_username = models.CharField(max_length=150)
    driver_name = models.CharField(max_length=301)
    week_start = models.DateField()
    appointments = models.IntegerField()
    trips_out = models.IntegerField()
    trips_back = models.IntegerField()
    completed = models.IntegerField()
    booked_minutes = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)
    revenue_paid = models.DecimalField(max_digits=12, decimal_places=2)
    rejections = models.IntegerField()

    class Meta:
        managed = False
        db_table = "report_driver_workload_weekly"

    def __str__(self) -> str:
        return f"driver {self.driver_id} in the week of {self.week_start}"


class ServicePopularityMonthly(models.Model):
    pk = models.CompositePrimaryKey("month", "service_id")
    month = models.DateField()
    service_id = models.IntegerField()
    service_name = models.CharField(max_length=100)
    bookings = models.IntegerField()
    completed = models.IntegerField()
    dropped = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        managed = False
        db_table = "report_service_popularity_monthly"

    def __str__(self) -> str:
        return f"{self.service_name} in {self.month:%Y-%m}"


class FunnelDaily(models.Model):
    date = models.DateField(primary_key=True)
    booked = models.IntegerField()
    pending = models.IntegerField()
    confirmed = models.IntegerField()
    completed = models.IntegerField()
    rejected = models.IntegerField()
    cancelled = models.IntegerField()
    auto_cancelled = models.IntegerField()
    confirmation_rate = models.FloatField()
    completion_rate = models.FloatField()
    rejection_rate = models.FloatField()
    cancellation_rate = models.FloatField()

    class Meta:
        managed = False
        db_table = "report_funnel_daily"

    def __str__(self) -> str:
        return f"funnel {self.date}"
