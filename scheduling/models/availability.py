from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Availability(models.Model):
    """A slot when a therapist or driver can work. An end before the start runs past midnight (13:00-01:00)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availabilities")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    is_available = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(condition=~Q(start_time=F("end_time")), name="availability_not_zero_length"),
        ]
        indexes = [
            models.Index(fields=["user", "date"], name="availability_user_date_idx"),
            models.Index(fields=["date", "is_available"], name="availability_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.date} {self.start_time}-{self.end_time}"
