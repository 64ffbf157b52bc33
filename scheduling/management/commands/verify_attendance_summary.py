"""Recount every day's attendance and compare with the trigger-kept day summaries; --fix repairs them."""

from scheduling.management.drift_command import DriftCommand
from scheduling.services import attendance_summary


class Command(DriftCommand):
    help = (
        "Compare AttendanceDaySummary with a full recount of the attendance records. Exits non-zero when any day "
        "differs (also with --fix, after repairing, so a scheduled run still reports that drift happened)."
    )
    subject = "attendance day summaries"
    drift = staticmethod(attendance_summary.drift)
    repair = staticmethod(attendance_summary.repair)

    def describe(self, row: attendance_summary.Drift) -> str:
        return f"{row.date:%Y-%m-%d}: summary {row.summary}, recount {row.recount}"
