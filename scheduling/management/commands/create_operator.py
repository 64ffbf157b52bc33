import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from scheduling.errors import DomainError
from scheduling.models import User
from scheduling.services.staff import create_operator_account


class Command(BaseCommand):
    help = (
        "Create an operator account (the first one of a new installation), also allowed into /admin/. The "
        "password is asked twice, or read from the first line of stdin with --password-stdin, or taken from "
        "$OPERATOR_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--no-admin", action="store_true", help="API access only, not the Django admin")

    def _password(self, options) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        if os.environ.get("OPERATOR_PASSWORD"):
            return os.environ["OPERATOR_PASSWORD"]
        if not sys.stdin.isatty():
            raise CommandError("no password: use --password-stdin or OPERATOR_PASSWORD when not at a terminal")
        first = getpass.getpass("password: ")
        if first != getpass.getpass("password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args, **options):
        if not options["username"].strip():
            raise CommandError("a username is required")
        password = self._password(options)
        try:
            with transaction.atomic():
                user = create_operator_account(
                    username=options["username"],
                    password=password,
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
                if not options["no_admin"]:  # an operator runs the business: the admin site is theirs too
                    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        where = "the API and /admin/" if not options["no_admin"] else "the API"
        self.stdout.write(f"operator {user.username!r} created; they can log in to {where}")
