"""Compare the trigger-maintained appointment tables with a full recount; --fix rewrites them."""

from scheduling.management.drift_command import DriftCommand
from scheduling.services import appointment_caches
from scheduling.services.appointment_caches import Drift, ItemDrift, TotalDrift


class Command(DriftCommand):
    compares = "appointment_item_cache, the (date, status) counters and the status totals with a full recount"
    subject = "cached appointment rows"
    drift = staticmethod(appointment_caches.drift)
    repair = staticmethod(appointment_caches.repair)

    def describe(self, row: Drift) -> str:
        if isinstance(row, ItemDrift):
            return f"appointment {row.appointment_id}: cached item {row.state}"
        if isinstance(row, TotalDrift):
            return f"{row.status}: total {row.total}, recount {row.recount}"
        return f"{row.date:%Y-%m-%d} {row.status}: counter {row.counter}, recount {row.recount}"
