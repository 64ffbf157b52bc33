from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationType(models.TextChoices):
    APPOINTMENT_CREATED = "appointment_created", "Appointment created"
    APPOINTMENT_UPDATED = "appointment_updated", "Appointment updated"
    THERAPIST_CONFIRMED = "therapist_confirmed", "Therapist confirmed"
    DRIVER_CONFIRMED = "driver_confirmed", "Driver confirmed"
    APPOINTMENT_STARTED = "appointment_started", "Appointment started"
    JOURNEY_STARTED = "journey_started", "Journey started"
    ARRIVED_AT_LOCATION = "arrived_at_location", "Arrived at location"
    THERAPIST_DROPPED_OFF = "therapist_dropped_off", "Therapist dropped off"
    SESSION_STARTED = "session_started", "Session started"
    PAYMENT_REQUESTED = "payment_requested", "Payment requested"
    PAYMENT_VERIFIED = "payment_verified", "Payment verified"
    APPOINTMENT_COMPLETED = "appointment_completed", "Appointment completed"
    PICKUP_REQUESTED = "pickup_requested", "Pickup requested"
    DRIVER_ASSIGNED_PICKUP = "driver_assigned_pickup", "Driver assigned for pickup"
    PICKUP_REJECTED = "pickup_rejected", "Pickup rejected"
    PICKUP_CONFIRMED = "pickup_confirmed", "Pickup confirmed"
    RETURN_JOURNEY_COMPLETED = "return_journey_completed", "Return journey completed"
    APPOINTMENT_REJECTED = "appointment_rejected", "Appointment rejected"
    REJECTION_REVIEWED = "rejection_reviewed", "Rejection reviewed"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment cancelled"
    APPOINTMENT_AUTO_CANCELLED = "appointment_auto_cancelled", "Appointment auto-cancelled"
    APPOINTMENT_DELETED = "appointment_deleted", "Appointment deleted"
    SYSTEM = "system", "System"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    rejection = models.ForeignKey(
        "scheduling.AppointmentRejection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    notification_type = models.CharField(max_length=40, choices=NotificationType.choices)
    message = models.TextField()
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification_type__in=NotificationType.values), name="notification_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_created_idx"),
            models.Index(fields=["user", "is_read", "-created_at"], name="notif_user_read_idx"),
            models.Index(fields=["created_at"], name="notif_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} -> {self.user_id}"
