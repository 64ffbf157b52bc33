"""Create or update the read-only PostgreSQL role for analysts (docs/reports.md). Safe to run again at any time."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scheduling.errors import DomainError
from scheduling.services.reporting_role import ensure_reporting_role

PASSWORD_ENV = "REPORTING_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create (or update) a LOGIN role that may SELECT the report_* views and nothing else, with a statement "
        f"timeout. The password comes from --password or ${PASSWORD_ENV}; re-running without one keeps it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default=settings.REPORTING_ROLE, help="role name (default: %(default)s)")
        parser.add_argument("--password", default=None, help=f"its password (else ${PASSWORD_ENV})")
        parser.add_argument(
            "--statement-timeout",
            default=settings.REPORTING_STATEMENT_TIMEOUT,
            help="longest query the role may run, e.g. 30s, 2min (default: %(default)s)",
        )
        parser.add_argument(
            "--connection-limit",
            type=int,
            default=settings.REPORTING_CONNECTION_LIMIT,
            help="most sessions it may hold at once (default: %(default)s)",
        )

    def handle(self, *args, role, password, statement_timeout, connection_limit, **options):
        password = password or os.environ.get(PASSWORD_ENV) or None
        try:
            result = ensure_reporting_role(
                role, password=password, statement_timeout=statement_timeout, connection_limit=connection_limit
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        except Exception as exc:  # PostgreSQL refused (bad timeout value, no CREATEROLE right): say why, briefly
            raise CommandError(f"PostgreSQL refused: {str(exc).strip().splitlines()[0]}") from exc
        action = "Created" if result.created else "Updated"
        password_note = "password set" if result.password_set else "password unchanged"
        self.stdout.write(
            self.style.SUCCESS(
                f"{action} role {result.role} ({password_note}, statement_timeout {statement_timeout}, "
                f"at most {connection_limit} connections): SELECT on {len(result.views)} views: "
                + ", ".join(result.views)
            )
        )
