"""The seeded benchmark database the standalone scale modules run on (bench.reports_scale,
bench.notifications_scale): `<db>_bench` on the server in use, as `make bench` leaves it. With `seed`, it is first
dropped, created, migrated and seeded with a demo data set, exactly as `make bench` does (scheduling.demo)."""

from __future__ import annotations

import argparse

from bench import database
from bench.cli import say, setup_django


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", action="store_true", help="recreate <db>_bench and seed it as make bench does")
    parser.add_argument("--size", default="standard", help="the demo data set --seed seeds (default standard)")


def open_database(args: argparse.Namespace) -> str:
    """Point Django at the benchmark's database (seeding it first with --seed); returns its URL."""
    url = database.bench_url(database.database_url())
    if args.seed:
        say(f"benchmark database: {database.database_name(url)} (dropped and created anew)")
        database.recreate_database(url)
    setup_django(url)
    if args.seed:
        from django.core.management import call_command

        from scheduling.demo import Seeder

        call_command("migrate", interactive=False, verbosity=0)
        Seeder(args.size, progress=True).run()
        say(f"seeded the {args.size} data set")
    return url
