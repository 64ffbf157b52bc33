"""Compare the trigger-maintained appointment tables with a full recount; --fix rewrites them."""

from scheduling.management.drift_command import DriftCommand
from scheduling.services import appointment_caches
from scheduling.services.appointment_caches import CountDrift, ItemDrift


class Command(DriftCommand):
    compares = "appointment_item_cache and the (date, status) counters with a full recount"
    subject = "cached appointment rows"
    drift = staticmethod(appointment_caches.drift)
    repair = staticmethod(appointment_caches.repair)

    def describe(self, row: ItemDrift | CountDrift) -> str:
        if isinstance(row, ItemDrift):
            return f"appointment {row.appointment_id}: cached item {row.state}"
        return f"{row.date:%Y-%m-%d} {row.status}: counter {row.counter}, recount {row.recount}"
