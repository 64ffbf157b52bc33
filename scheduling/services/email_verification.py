"""E-mail verification by a 6-digit code (the frontend's "verify your email" page).

Accounts made by operators, the admin or the demo are verified from the start; a user who changes their own
e-mail address (PUT /api/auth/profile/) must verify the new one. Codes go out through Django's e-mail backend
(the console by default), expire after EMAIL_VERIFICATION_MINUTES, are stored as a keyed hash and are used up
by MAX_FAILED_ATTEMPTS wrong tries. Neither call tells whether an account with that address exists.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from scheduling.errors import BadRequest
from scheduling.models import EmailVerification, User
from scheduling.services.auth import issue_token

MAX_FAILED_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)  # one e-mail a minute per account, however often the button is pressed
SENT = "If an account with this e-mail address is waiting for verification, a code has been sent to it."
INVALID_CODE = "The code is wrong or has expired. Ask for a new one."


def _hash(user_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _unverified(email: str):
    email = (email or "").strip()
    if not email:
        return User.objects.none()
    return User.objects.filter(~Q(email=""), email__iexact=email, email_verified=False, is_active=True)


def send_code(user: User) -> None:
    """A new code for the user's current address, replacing any earlier one, sent by e-mail."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = settings.EMAIL_VERIFICATION_MINUTES
    EmailVerification.objects.update_or_create(
        user=user,
        defaults={
            "email": user.email,
            "code_hash": _hash(user.pk, code),
            "sent_at": now,
            "expires_at": now + timedelta(minutes=minutes),
            "failed_attempts": 0,
        },
    )
    send_mail(
        "Your verification code",
        f"Your verification code is {code}. It expires in {minutes} minutes.",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@transaction.atomic
def resend(email: str) -> str:
    """Send a fresh code if an active, unverified account has this address (at most one a minute)."""
    user = _unverified(email).select_for_update().order_by("id").first()
    if user is not None:
        last = EmailVerification.objects.filter(user=user).values_list("sent_at", flat=True).first()
        if last is None or timezone.now() - last >= RESEND_INTERVAL:
            send_code(user)
    return SENT


def verify(email: str, code: str, user_agent: str = "") -> tuple[User, str]:
    """Check the code; on success the address is verified and the user is logged in (a new token)."""
    with transaction.atomic():
        user = _unverified(email).select_for_update().order_by("id").first()
        pending = EmailVerification.objects.filter(user=user).first() if user is not None else None
        now = timezone.now()
        usable = (
            pending is not None
            and pending.expires_at > now
            and pending.failed_attempts < MAX_FAILED_ATTEMPTS
            and pending.email.lower() == user.email.lower()
        )
        if usable and hmac.compare_digest(pending.code_hash, _hash(user.pk, (code or "").strip())):
            pending.delete()
            user.email_verified = True
            user.save(update_fields=["email_verified"])
            return user, issue_token(user, user_agent=user_agent)
        if usable:
            pending.failed_attempts += 1
            pending.save(update_fields=["failed_attempts"])
    # Outside the block so the counted attempt is committed before the answer. With a code and no field map, the
    # answer's `error` is the message as text, which the verification page shows.
    raise BadRequest(INVALID_CODE, code="INVALID_CODE")
