"""Delete Idempotency-Key answers older than IDEMPOTENCY_KEY_TTL_HOURS (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from scheduling.services import idempotency


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key answers that have expired, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size: int, **options):
        deleted = idempotency.prune(batch_size=max(1, batch_size))
        self.stdout.write(f"deleted {deleted} expired idempotency key(s)")
