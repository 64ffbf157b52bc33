"""The demo business has three weeks of attendance, seeded with COPY, consistent with every database rule and
with the trigger-kept day summaries."""

import datetime as dt
from pathlib import Path

from django.db import connection
from django.utils import timezone

from scheduling.demo import ATTENDANCE_DAYS, Seeder
from scheduling.models import AttendanceRecord
from scheduling.services import attendance_summary


def test_the_demo_has_weeks_of_attendance_of_every_kind_and_exact_summaries(db):
    result = Seeder("small", progress=False).run()
    today = timezone.localdate()
    past = AttendanceRecord.objects.filter(date__lt=today)
    assert result["attendance"] == AttendanceRecord.objects.count() > 0
    assert past.values("date").distinct().count() == ATTENDANCE_DAYS
    assert set(past.values_list("status", flat=True)) == {"present", "late", "absent", "pending_approval"}
    assert any(r.check_out_time and timezone.localdate(r.check_out_time) > r.date for r in past)  # after midnight
    assert past.filter(approved_at__isnull=False).exists()
    assert attendance_summary.drift() == []


def test_seeding_attendance_again_adds_no_past_day(db):
    Seeder("small", progress=False).run()
    before = AttendanceRecord.objects.filter(date__lt=timezone.localdate()).count()
    Seeder("small", progress=False).run()
    assert AttendanceRecord.objects.filter(date__lt=timezone.localdate()).count() == before


def test_the_documented_psql_query_of_report_attendance_daily_runs_and_agrees_with_the_records(db):
    """docs/reports.md's example, as written, on the demo data: hours per person equal the records' sum."""
    Seeder("small", progress=False).run()
    text = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text()
    section = text.split("### `report_attendance_daily`", 1)[1]
    sql = section.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s for s in sql.split(";") if s.strip() and not s.strip().startswith("SET")]
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Manila'")
        try:
            cursor.execute(statements[0])
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert rows and set(columns) >= {"days_in", "days_late", "hours", "latest_check_in"}
    today = timezone.localdate()
    week = AttendanceRecord.objects.filter(date__range=(today - dt.timedelta(days=7), today - dt.timedelta(days=1)))
    assert sum(r["hours"] or 0 for r in rows) == sum(r.hours_worked or 0 for r in week)
    assert sum(r["days_late"] for r in rows) == week.filter(status="late").count()
