from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from scheduling.models import User
from scheduling.services.auth import unlock_account


class Command(BaseCommand):
    help = "Unlock an account locked by repeated failed logins (by username or email)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="username or email of the account")

    def handle(self, *args, **options):
        who = options["username"].strip()
        user = User.objects.filter(Q(username__iexact=who) | (Q(email__iexact=who) & ~Q(email=""))).first()
        if user is None:
            raise CommandError(f"no account with username or email {who!r}")
        if unlock_account(user):
            self.stdout.write(f"{user.username}: unlocked, failed logins reset")
        else:
            self.stdout.write(f"{user.username}: was not locked (failed logins reset)")
