"""Cancel every pending appointment whose response deadline has passed (run it from cron every minute)."""

from django.core.management.base import BaseCommand

from scheduling.services.appointments import auto_cancel_overdue


class Command(BaseCommand):
    help = "Auto-cancel pending appointments past their response deadline (booking + 30 minutes)."

    def handle(self, *args, **options):
        ids = auto_cancel_overdue()
        self.stdout.write(f"Auto-cancelled {len(ids)} appointment(s)" + (f": {ids}" if ids else "."))
