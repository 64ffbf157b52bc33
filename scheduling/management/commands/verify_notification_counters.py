"""Recount every user's notifications and compare with the trigger-kept counters; --fix repairs them."""

from django.core.management.base import BaseCommand, CommandError

from scheduling.services import notification_counters


class Command(BaseCommand):
    help = (
        "Compare NotificationCounter with a full recount of the notifications. Exits non-zero when any counter "
        "differs (also with --fix, after repairing, so a scheduled run still reports that drift happened)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="rewrite the differing counters from the recount")

    def handle(self, *args, fix: bool = False, **options):
        drift = notification_counters.repair() if fix else notification_counters.drift()
        if not drift:
            self.stdout.write(self.style.SUCCESS("Notification counters are exact."))
            return
        for row in drift:
            self.stdout.write(
                f"user {row.user_id}: counter total={row.counter_total} unread={row.counter_unread}, "
                f"recount total={row.actual_total} unread={row.actual_unread}"
            )
        verb = "repaired" if fix else "found (run with --fix to repair)"
        raise CommandError(f"{len(drift)} notification counter(s) differed from the recount: {verb}.")
