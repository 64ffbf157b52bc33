from django.conf import settings
from django.db import models


class PgLsnField(models.CharField):
    """A PostgreSQL `pg_lsn` (a WAL position such as `16/B374D848`), read and written as text."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 17)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "pg_lsn"


class WritePosition(models.Model):
    """The primary's WAL position after each user's latest write request (config/read_your_writes.py writes it,
    one upsert per write request, only when replicas are configured). The token lookup reads it, so the router
    sends that user's reads to a replica only once the replica has replayed this far (config/db_router.py).
    Kept in PostgreSQL because API processes are stateless and the frontend cannot echo a cookie or header."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="write_position"
    )
    lsn = PgLsnField()

    def __str__(self) -> str:
        return f"user {self.user_id} wrote up to {self.lsn}"
