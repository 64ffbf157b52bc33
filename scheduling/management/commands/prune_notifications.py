"""Delete old notifications in batches; the counter triggers keep every count exact as each batch goes."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling.services import notifications as services

UNITS = {"h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """'90d', '12h', '2w' -> timedelta. Anything else (no unit, zero, negative, other units) is an error."""
    match = DURATION.match(text or "")
    if not match:
        raise CommandError(f"--older-than must look like 90d, 12h or 2w (a whole number and h, d or w), not '{text}'.")
    amount = int(match.group(1))
    if amount <= 0:
        raise CommandError("--older-than must be more than zero.")
    try:
        return timedelta(**{UNITS[match.group(2).lower()]: amount})
    except OverflowError as exc:
        raise CommandError(f"--older-than '{text}' is too large.") from exc


class Command(BaseCommand):
    help = "Delete notifications older than a duration (e.g. 90d), in batches of --batch-size rows."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", required=True, help="age such as 90d, 12h or 2w")
        parser.add_argument("--read-only", action="store_true", help="delete only notifications already read")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, older_than: str, read_only: bool, batch_size: int, dry_run: bool, **options):
        age = parse_duration(older_than)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            cutoff = timezone.now() - age
        except OverflowError as exc:
            raise CommandError(f"--older-than '{older_than}' is too large.") from exc
        what = "read notifications" if read_only else "notifications"
        if dry_run:
            count = services.prunable(cutoff, read_only).count()
            self.stdout.write(f"{count} {what} older than {older_than} would be deleted.")
            return
        deleted = services.prune(cutoff, read_only=read_only, batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} {what} older than {older_than}."))
