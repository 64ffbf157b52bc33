import hashlib
import secrets

from django.conf import settings
from django.db import models

from scheduling.live.triggers import live_event


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return secrets.token_urlsafe(32)


class AuthToken(models.Model):
    """An API token. Only the SHA-256 of the token is stored; the raw value is shown once, at login."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="token_user_expires_idx")]
        # a revoked or deleted token closes the live sockets opened with it
        triggers = live_event(
            "token",
            name="token",
            fields={"id": "id", "u": "user_id"},
            operations="UD",
            where={"U": "n.revoked_at IS NOT NULL AND o.revoked_at IS NULL"},
        )

    def __str__(self) -> str:
        return f"token {self.key_hash[:8]}… of {self.user_id}"


class EmailVerification(models.Model):
    """The live e-mail verification code of a user, one at a time (a new code replaces the old one). Only a keyed
    hash of the 6-digit code is stored; it expires, and a few wrong tries use it up."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    email = models.EmailField()  # the address the code was sent to
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"e-mail verification of {self.user_id} (until {self.expires_at:%Y-%m-%d %H:%M})"
