"""Recount every day's attendance and compare with the trigger-kept day summaries; --fix repairs them."""

from scheduling.management.drift_command import DriftCommand
from scheduling.services import attendance_summary


class Command(DriftCommand):
    compares = "AttendanceDaySummary with a full recount of the attendance records"
    subject = "attendance day summaries"
    drift = staticmethod(attendance_summary.drift)
    repair = staticmethod(attendance_summary.repair)

    def describe(self, row: attendance_summary.Drift) -> str:
        return f"{row.date:%Y-%m-%d}: summary {row.summary}, recount {row.recount}"
