"""A user's own profile (GET/PUT/PATCH /api/auth/profile/): names, phone and e-mail address."""

from django.db import transaction

from scheduling.models import User
from scheduling.services import email_verification
from scheduling.services.staff import update_staff

OWN_FIELDS = ("first_name", "last_name", "email", "phone")


@transaction.atomic
def update_own_profile(user: User, changes: dict) -> User:
    """The same rules as an operator's edit of the account; a new e-mail address must then be verified (a code is
    sent to it, and the frontend holds the user on its verification page until it is entered)."""
    old_email = user.email
    user = update_staff(user, user, {name: value for name, value in changes.items() if name in OWN_FIELDS})
    if user.email and user.email.lower() != old_email.lower():
        user.email_verified = False
        user.save(update_fields=["email_verified"])
        email_verification.send_code(user)
    return user
