from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from scheduling.models import versions


class Client(models.Model):
    """A customer who is visited at home. Not a user of the system."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True, default="")
    phone_number = models.CharField(
        max_length=32,
        unique=True,
        error_messages={"unique": "phone_number: a client with this phone number already exists."},
    )
    email = models.EmailField(null=True, blank=True)  # NULL, not "", so several clients may lack one
    address = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(phone_number=""), name="client_phone_not_blank"),
            models.CheckConstraint(condition=~Q(first_name=""), name="client_first_name_not_blank"),
            # "Ann@x.com" and "ann@x.com" are one mailbox: unique regardless of case (the only unique index on it).
            models.UniqueConstraint(
                Lower("email"),
                name="client_email_unique_ci",
                violation_error_message="email: a client with this email already exists.",
                violation_error_code="taken",
            ),
        ]
        triggers = versions.bump(versions.Scope.CLIENTS, "client")  # ETags of client lists

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Service(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    duration = models.PositiveIntegerField(help_text="minutes")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    oil = models.CharField(max_length=100, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration__gt=0), name="service_duration_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
            # "Thai massage" and "thai massage" are one service.
            models.UniqueConstraint(
                Lower("name"),
                name="service_name_unique_ci",
                violation_error_message="name: a service with this name already exists.",
                violation_error_code="taken",
            ),
        ]
        triggers = versions.bump(versions.Scope.SERVICES, "service")  # ETags of service lists

    def __str__(self) -> str:
        return self.name
