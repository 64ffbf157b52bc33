from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from scheduling.live.triggers import live_event
from scheduling.models import versions


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
                violation_error_message="A therapist needs a license_number.",
                violation_error_code="required",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DRIVER) | ~Q(motorcycle_plate=""),
                name="user_driver_has_plate",
                violation_error_message="A driver needs a motorcycle_plate.",
                violation_error_code="required",
            ),
            models.CheckConstraint(
                condition=Q(massage_pressure="") | Q(massage_pressure__in=MassagePressure.values),
                name="user_massage_pressure_valid",
            ),
            # Usernames and emails are unique regardless of case ("Ann" and "ann" are one login). Django's own
            # unique index on username stays: the auth framework requires the field itself to be unique.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ci",
                violation_error_message="A user with this username already exists.",
                violation_error_code="taken",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="user_email_unique_ci",
                violation_error_message="A user with this email already exists.",
                violation_error_code="taken",
            ),
        ]
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active_idx")]
        # a deactivated account's live sockets are closed, however it was deactivated (API, admin, SQL);
        # ETags of staff lists (a login or the driver queue moves nothing)
        triggers = [
            *live_event(
                "account",
                name="user",
                fields={"id": "id"},
                operations="U",
                where={"U": "o.is_active AND NOT n.is_active"},
            ),
            *versions.bump(versions.Scope.USERS, "user", ignore_columns=versions.USER_BOOKKEEPING),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"

    @property
    def display_name(self) -> str:
        """The name people see: first and last name, else the username (the `full_name` of the API and of the
        appointment views)."""
        return self.get_full_name() or self.username

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR
