import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from scheduling.lifecycle import TRANSITIONS, AppointmentStatus
from scheduling.live.triggers import live_event
from scheduling.models import triggers_sql


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIAL = "partial", "Partial"
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    GCASH = "gcash", "GCash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CREDIT_CARD = "credit_card", "Credit card"


class PickupUrgency(models.TextChoices):
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


class Appointment(models.Model):
    client = models.ForeignKey("scheduling.Client", on_delete=models.PROTECT, related_name="appointments")
    services = models.ManyToManyField("scheduling.Service", related_name="appointments")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_as_therapist",
    )
    therapists = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="scheduling.AppointmentTherapist",
        blank=True,
        related_name="group_appointments",
    )
    group_size = models.PositiveSmallIntegerField(default=1)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_as_driver",
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_booked",
    )
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()  # before start_time means the appointment runs past midnight
    location = models.TextField()
    notes = models.TextField(blank=True, default="")
    status = models.CharField(max_length=32, choices=AppointmentStatus.choices, default=AppointmentStatus.PENDING)

    # Payment
    payment_status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices, blank=True, default="")
    payment_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    payment_verified_at = models.DateTimeField(null=True, blank=True)
    payment_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_notes = models.TextField(blank=True, default="")
    receipt_hash = models.CharField(max_length=128, blank=True, default="")
    receipt_url = models.URLField(max_length=500, blank=True, default="")

    # Pickup
    pickup_urgency = models.CharField(max_length=16, choices=PickupUrgency.choices, blank=True, default="")
    pickup_notes = models.TextField(blank=True, default="")
    pickup_request_time = models.DateTimeField(null=True, blank=True)
    estimated_pickup_time = models.DateTimeField(null=True, blank=True)
    pickup_confirmed_at = models.DateTimeField(null=True, blank=True)

    # Rejection (the latest; every event is an AppointmentRejection row)
    rejection_reason = models.TextField(blank=True, default="")
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    response_deadline = models.DateTimeField(null=True, blank=True)

    # One timestamp per workflow step
    therapist_confirmed_at = models.DateTimeField(null=True, blank=True)
    driver_confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    journey_started_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    dropped_off_at = models.DateTimeField(null=True, blank=True)
    session_started_at = models.DateTimeField(null=True, blank=True)
    awaiting_payment_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    return_journey_completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True, default="")

    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values), name="appointment_payment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_method="") | Q(payment_method__in=PaymentMethod.values),
                name="appointment_payment_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(pickup_urgency="") | Q(pickup_urgency__in=PickupUrgency.values),
                name="appointment_pickup_urgency_valid",
            ),
            models.CheckConstraint(
                condition=Q(payment_amount__isnull=True) | Q(payment_amount__gte=0),
                name="appointment_payment_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")),
                name="appointment_not_zero_length",
                violation_error_message="end_time must differ from start_time.",
                violation_error_code="invalid",
            ),
            models.CheckConstraint(condition=Q(group_size__gte=1), name="appointment_group_size_positive"),
        ]
        triggers = [
            # SPEC section 4: no code path, admin edit or raw SQL can skip a step of the lifecycle.
            pgtrigger.FSM(name="appointment_status_fsm", field="status", transitions=TRANSITIONS),
            # The (date, status) counters read by status_counts/: one upsert per statement, whatever its size.
            *triggers_sql.status_count_triggers(),
            # The staff bookings behind the no-double-booking exclusion constraint follow the appointment.
            pgtrigger.Trigger(
                name="appointment_sync_bookings_ins",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                func=triggers_sql.sync_bookings_func("NEW.id"),
            ),
            pgtrigger.Trigger(
                name="appointment_sync_bookings_upd",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(triggers_sql.BOOKING_RELEVANT_CHANGE),
                func=triggers_sql.sync_bookings_func("NEW.id"),
            ),
            # The live channel: ids and the status/driver before and after, for the pushes and their event forms.
            *live_event(
                "appointment",
                name="appointment",
                fields={"id": "id", "s": "status", "d": "driver_id"},
                old_fields={"o": "status", "od": "driver_id"},
            ),
        ]
        indexes = [
            models.Index(fields=["date", "start_time"], name="appt_date_start_idx"),
            # The default list order (-created_at, -id) is what the staff dashboards' first page assumes.
            models.Index(fields=["created_at", "id"], name="appt_created_idx"),
            models.Index(fields=["status", "date"], name="appt_status_date_idx"),
            models.Index(fields=["therapist", "date"], name="appt_therapist_date_idx"),
            models.Index(fields=["driver", "date"], name="appt_driver_date_idx"),
            models.Index(fields=["operator", "date"], name="appt_operator_date_idx"),
            models.Index(fields=["client", "date"], name="appt_client_date_idx"),
            models.Index(fields=["response_deadline"], name="appt_pending_deadline_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Appointment #{self.pk} {self.date} {self.start_time} ({self.status})"


class AppointmentTherapist(models.Model):
    """A therapist of a group booking; each confirms on their own."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="therapist_links")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "therapist"], name="appointment_therapist_unique"),
        ]
        indexes = [models.Index(fields=["therapist", "appointment"], name="appt_therapist_link_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="appt_therapist_sync_bookings",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=triggers_sql.sync_bookings_func("COALESCE(NEW.appointment_id, OLD.appointment_id)"),
            ),
            # a group therapist added or removed changes who sees the appointment: an update of the appointment
            *live_event("appointment", name="appt_therapist", fields={"id": "appointment_id"}, report_as="U"),
        ]

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} on appointment {self.appointment_id}"


class OperatorResponse(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


class AppointmentRejection(models.Model):
    """One rejection event by a therapist or driver, and the operator's review of it."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="rejections")
    reason = models.TextField()
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField(auto_now_add=True)
    operator_response = models.CharField(
        max_length=16, choices=OperatorResponse.choices, default=OperatorResponse.PENDING
    )
    operator_response_reason = models.TextField(blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-rejected_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="rejection_reason_required"),
            models.CheckConstraint(
                condition=Q(operator_response__in=OperatorResponse.values), name="rejection_response_valid"
            ),
        ]
        indexes = [models.Index(fields=["appointment", "-rejected_at"], name="rejection_appt_idx")]

    def __str__(self) -> str:
        return f"rejection of appointment {self.appointment_id} ({self.operator_response})"
