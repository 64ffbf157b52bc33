import time

from django.conf import settings
from django.core.management.base import BaseCommand

from scheduling.demo import SIZES, Seeder, demo_usernames
from scheduling.models import Appointment


class Command(BaseCommand):
    help = "Seed the demo business (idempotent: re-running tops up, never duplicates)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when appointments exist")
        parser.add_argument("--appointments", type=int, help="override the size's appointment count")
        parser.add_argument("--notifications", type=int, help="override the size's notification count")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["if_empty"] and Appointment.objects.exists():
            self.stdout.write("demo data: already present, nothing to do")
            print_demo_logins(self.stdout, demo_usernames(SIZES[options["size"]]))
            return
        started = time.perf_counter()
        seeder = Seeder(
            options["size"],
            seed=options["seed"],
            progress=not options["no_progress"],
            appointments=options["appointments"],
            notifications=options["notifications"],
        )
        result = seeder.run()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ({options['size']}): +{result['appointments']} appointments, "
                f"+{result['notifications']} notifications in {elapsed:.1f} s"
            )
        )
        print_demo_logins(self.stdout, result["usernames"])


def print_demo_logins(out, usernames: dict) -> None:
    out.write(f"demo logins (password: {settings.DEMO_PASSWORD}):")
    for role, names in usernames.items():
        shown = ", ".join(names[:3]) + (f", ... {names[-1]}" if len(names) > 3 else "")
        out.write(f"  {role:<10} {shown}")
