"""The shape every verify_* command shares (notification counters, appointment caches, attendance summaries):
compare a trigger-kept table with a full recount, print every difference, exit non-zero when any differed (also
with --fix, after repairing, so a scheduled run still reports that drift happened)."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class DriftCommand(BaseCommand):
    """Subclasses set `subject` (plural, e.g. "attendance day summaries"), `compares` (what against what, for
    --help), `drift` and `repair` (each returning the differing rows; `repair` rewrites them from the recount) and
    `describe` (one line per row)."""

    subject: str
    compares: str
    drift: Callable[[], Sequence[Any]]
    repair: Callable[[], Sequence[Any]]

    def describe(self, row: Any) -> str:
        raise NotImplementedError

    @property
    def help(self) -> str:
        return (
            f"Compare {self.compares}. Exits non-zero when any of the {self.subject} differs (also with --fix, after "
            "repairing, so a scheduled run still reports that drift happened)."
        )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="rewrite the differing rows from the recount")

    def handle(self, *args, fix: bool = False, **options):
        differences = self.repair() if fix else self.drift()
        if not differences:
            self.stdout.write(self.style.SUCCESS(f"{self.subject.capitalize()} are exact."))
            return
        for row in differences:
            self.stdout.write(self.describe(row))
        verb = "repaired" if fix else "found (run with --fix to repair)"
        raise CommandError(f"{len(differences)} {self.subject} differed from the recount: {verb}.")
