from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header, kept for a day (issue 14, item 5).

    One row per (user, key), written in the same transaction as the write it answers, so the stored answer exists
    exactly when the write committed. `fingerprint` is the SHA-256 of method, path and body: the same key with
    another request is refused. Rows older than IDEMPOTENCY_KEY_TTL_HOURS are replaced on use and removed by
    `manage.py prune_idempotency_keys`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100, default="application/json")
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created_idx")]

    def __str__(self) -> str:
        return f"idempotency key {self.key!r} of user {self.user_id}"
