"""Read-only models over the report_* SQL views (scheduling/sql_views/report_*.sql); docs/reports.md says what each
column means. Unmanaged: the views are created by migration 0005 from their .sql files."""

from django.db import models


def _money() -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2)


class _Revenue(models.Model):
    """The figures of a revenue day (also the columns of its roll-up table, scheduling/models/rollups.py)."""

    date = models.DateField(primary_key=True)
    appointments = models.IntegerField()
    revenue_billed = _money()
    revenue_paid = _money()
    paid_cash = _money()
    paid_gcash = _money()
    paid_bank_transfer = _money()
    paid_credit_card = _money()
    paid_unrecorded = _money()
    revenue_extension = _money()

    class Meta:
        abstract = True


class RevenueDaily(_Revenue):
    class Meta:
        managed = False
        db_table = "report_revenue_daily"

    def __str__(self) -> str:
        return f"revenue {self.date}"


class _Workload(models.Model):
    """The figures every workload view has, per person and period."""

    appointments = models.IntegerField()
    completed = models.IntegerField()
    booked_minutes = models.IntegerField()
    revenue_billed = _money()
    revenue_paid = _money()
    rejections = models.IntegerField()

    class Meta:
        abstract = True


class _TherapistWorkload(_Workload):
    therapist_id = models.IntegerField()
    therapist_username = models.CharField(max_length=150)
    therapist_name = models.CharField(max_length=301)

    class Meta:
        abstract = True


class _DriverWorkload(_Workload):
    driver_id = models.IntegerField()
    driver_username = models.CharField(max_length=150)
    driver_name = models.CharField(max_length=301)
    trips_out = models.IntegerField()
    trips_back = models.IntegerField()

    class Meta:
        abstract = True


class TherapistWorkloadDaily(_TherapistWorkload):
    pk = models.CompositePrimaryKey("therapist_id", "date")
    date = models.DateField()

    class Meta:
        managed = False
        db_table = "report_therapist_workload_daily"

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} on {self.date}"


class TherapistWorkloadWeekly(_TherapistWorkload):
    pk = models.CompositePrimaryKey("therapist_id", "week_start")
    week_start = models.DateField()

    class Meta:
        managed = False
        db_table = "report_therapist_workload_weekly"

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} in the week of {self.week_start}"


class DriverWorkloadDaily(_DriverWorkload):
    pk = models.CompositePrimaryKey("driver_id", "date")
    date = models.DateField()

    class Meta:
        managed = False
        db_table = "report_driver_workload_daily"

    def __str__(self) -> str:
        return f"driver {self.driver_id} on {self.date}"


class DriverWorkloadWeekly(_DriverWorkload):
    pk = models.CompositePrimaryKey("driver_id", "week_start")
    week_start = models.DateField()

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
    revenue_billed = _money()

    class Meta:
        managed = False
        db_table = "report_service_popularity_monthly"

    def __str__(self) -> str:
        return f"{self.service_name} in {self.month:%Y-%m}"


class _Funnel(models.Model):
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
        abstract = True


class FunnelDaily(_Funnel):
    class Meta:
        managed = False
        db_table = "report_funnel_daily"

    def __str__(self) -> str:
        return f"funnel {self.date}"
