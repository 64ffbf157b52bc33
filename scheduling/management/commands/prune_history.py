"""Delete change-history events older than a duration (default settings.HISTORY_RETENTION, 365d), in batches."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling.management.commands.prune_notifications import parse_duration
from scheduling.services import history as services


class Command(BaseCommand):
    help = (
        "Delete history events older than --older-than (default $HISTORY_RETENTION or 365d), --batch-size rows per "
        "statement; each object's newest older event stays as its baseline so later changes keep their old values."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", default=settings.HISTORY_RETENTION, help="age such as 365d, 12w (default: %(default)s)"
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, older_than: str, batch_size: int, dry_run: bool, **options):
        age = parse_duration(older_than)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            cutoff = timezone.now() - age
        except OverflowError as exc:
            raise CommandError(f"--older-than '{older_than}' is too large.") from exc
        results = services.prunable(cutoff) if dry_run else services.prune(cutoff, batch_size=batch_size)
        verb = "would be deleted" if dry_run else "deleted"
        for result in results:
            self.stdout.write(f"{result.table}: {result.deleted} {verb}, {result.kept_as_baseline} kept as baselines")
        total = sum(r.deleted for r in results)
        message = f"{total} history events older than {older_than} {verb}."
        self.stdout.write(message if dry_run else self.style.SUCCESS(message))
