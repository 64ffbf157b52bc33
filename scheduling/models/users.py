from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Role(models.TextChoices):
    OPERATOR = "operator", "Operator"
    THERAPIST = "therapist", "Therapist"
    DRIVER = "driver", "Driver"


class MassagePressure(models.TextChoices):
    SOFT = "soft", "Soft"
    MODERATE = "moderate", "Moderate"
    HARD = "hard", "Hard"


class User(AbstractUser):
    """A member of staff. The role decides what they see (SPEC section 5) and which fields are required."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OPERATOR, db_index=True)
    phone = models.CharField(max_length=32, blank=True, default="")
    # Therapists
    specialization = models.CharField(max_length=100, blank=True, default="")
    massage_pressure = models.CharField(max_length=16, choices=MassagePressure.choices, blank=True, default="")
    license_number = models.CharField(max_length=64, blank=True, default="")
    # Accounts are created by operators, the admin or the demo seeder, who vet them: verified from the start. A
    # changed e-mail address must be verified again (POST /api/auth/verify-email/); the frontend waits for it.
    email_verified = models.BooleanField(default=True, db_default=True)
    # Drivers
    motorcycle_plate = models.CharField(max_length=32, blank=True, default="")
    last_available_at = models.DateTimeField(null=True, blank=True)
    # Login lockout (SPEC section 10)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["role", "first_name", "last_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.THERAPIST) | ~Q(license_number=""),
                name="user_therapist_has_license",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DRIVER) | ~Q(motorcycle_plate=""),
                name="user_driver_has_plate",
            ),
            models.CheckConstraint(
                condition=Q(massage_pressure="") | Q(massage_pressure__in=MassagePressure.values),
                name="user_massage_pressure_valid",
            ),
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"),
        ]
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active_idx")]

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username} ({self.role})"

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST

    @property
    def is_driver(self) -> bool:
        return self.role == Role.DRIVER
