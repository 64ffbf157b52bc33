"""The Django admin, for the dispatch desk.

Appointments: autocomplete for client, therapist, driver and services; filters by status, date and therapist;
search; the change page shows the totals, the services and the appointment's notifications, read-only. The status
field offers only the statuses an operator's lifecycle step leads to from the current one (scheduling/lifecycle.py)
and a move runs that step's service function, as the API does (same checks, same notifications). Any refusal,
by a service or by PostgreSQL (trigger, check, unique or exclusion constraint), comes back as a form error naming
the rule, with the form as it was submitted: never a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db import models as db_models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from scheduling import lifecycle, models
from scheduling.admin_history import ChangeHistoryAdmin
from scheduling.errors import DomainError, constraint_error
from scheduling.services import appointments as appointment_services
from scheduling.services.auth import is_locked, unlock_account

S = lifecycle.AppointmentStatus
ADMIN_NOTIFICATION_ROWS = 100
OPERATOR = models.Role.OPERATOR

# Rules without a message of their own on the model (the API answers these in its services, by name).
RULES = {
    "staff_booking_no_overlap": "a therapist or driver would hold two overlapping appointments (double booking).",
    "appointment_therapist_unique": "the same therapist is listed twice in the group.",
}


def rule_message(constraint: str, fallback: str) -> str:
    """The constraint's own message (declared beside it on the model), else ours, else PostgreSQL's."""
    own = constraint_error(constraint).detail
    if not own.startswith("The change conflicts with existing data ("):
        return own
    return RULES.get(constraint, fallback)


def allowed_next_statuses(appointment: models.Appointment) -> list[str]:
    """The statuses an operator may move this appointment to: the targets of the lifecycle steps an operator may
    run from its current status (the FSM trigger allows these and more; the others belong to the therapist or
    driver, through the API)."""
    current = appointment.status
    targets = lifecycle.allowed_next_statuses(current, has_driver=appointment.driver_id is not None)
    return [t for t in targets if (step := lifecycle.step_leading_to(current, t)) and OPERATOR in step.roles]


def refusal_message(exc: Exception) -> str:
    """One sentence naming the rule that refused the change."""
    if isinstance(exc, DomainError):
        return exc.detail
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    primary = getattr(diag, "message_primary", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if constraint:
        return f"PostgreSQL refused the change (rule {constraint}): {rule_message(constraint, primary)}"
    trigger = re.search(r"function (\w+)\(", getattr(diag, "context", None) or "")
    where = f" (trigger {trigger.group(1)})" if trigger else ""
    return f"PostgreSQL refused the change{where}: {primary}"


def _payment(user, appointment_id: int, data: dict) -> models.Appointment:
    missing = [f for f in ("payment_method", "payment_amount") if data.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"To verify the payment, fill in {' and '.join(missing)}.")
    payment = appointment_services.PaymentData(
        payment_method=data["payment_method"],
        payment_amount=Decimal(data["payment_amount"]),
        payment_notes=data.get("payment_notes") or "",
        receipt_hash=data.get("receipt_hash") or "",
        receipt_url=data.get("receipt_url") or "",
    )
    return appointment_services.verify_payment(user, appointment_id, payment)


def _pickup_driver(user, appointment_id: int, data: dict) -> models.Appointment:
    if data.get("driver") is None:
        raise ValidationError("To assign a pickup driver, choose them in the Driver field.")
    return appointment_services.assign_pickup_driver(user, appointment_id, data["driver"].pk)


# The service function of each operator step that takes more than (user, id): it reads what it needs from the
# form. Plain steps go through run_step.
SPECIAL_STEPS: dict[str, Callable] = {
    "mark_completed": _payment,
    "assign_pickup_driver": _pickup_driver,
    "cancel": lambda user, pk, data: appointment_services.cancel(user, pk, data.get("status_note", "")),
    "auto_cancel": lambda user, pk, data: appointment_services.auto_cancel_one(user, pk),
    "review_rejection": lambda user, pk, data: appointment_services.review_rejection(
        user, pk, accept=data["status"] == S.CANCELLED, reason=data.get("status_note", "")
    ),
}


def move_status(user, appointment_id: int, current: str, data: dict) -> models.Appointment:
    """Run the lifecycle step leading from `current` to data['status'], as the API would."""
    step = lifecycle.step_leading_to(current, data["status"])
    if step is None or OPERATOR not in step.roles:
        raise ValidationError(f"No operator step leads from {current} to {data['status']}.")
    if step.special:
        return SPECIAL_STEPS[step.action](user, appointment_id, data)
    return appointment_services.run_step(user, appointment_id, step.action)


class RoleLimitedAutocomplete:
    """Autocomplete on users finds only the role the field holds (therapist, driver, operator)."""

    ROLE_OF_FIELD = {
        "therapist": models.Role.THERAPIST,
        "driver": models.Role.DRIVER,
        "operator": models.Role.OPERATOR,
        "payment_verified_by": models.Role.OPERATOR,
    }

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        role = self.ROLE_OF_FIELD.get(request.GET.get("field_name", ""))
        if request.path.endswith("/autocomplete/") and role:
            queryset = queryset.filter(role=role, is_active=True)
        return queryset, may_have_duplicates


@admin.action(description="Unlock the selected accounts (clear failed logins)")
def unlock_accounts(modeladmin, request, queryset):
    unlocked = [user.username for user in queryset if unlock_account(user)]
    if unlocked:
        modeladmin.message_user(request, f"Unlocked: {', '.join(unlocked)}.", messages.SUCCESS)
    else:
        modeladmin.message_user(request, "None of them was locked.", messages.INFO)


@admin.register(models.User)
class UserAdmin(RoleLimitedAutocomplete, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "phone", "locked")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    actions = [unlock_accounts]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Role",
            {
                "fields": (
                    "role",
                    "phone",
                    "specialization",
                    "massage_pressure",
                    "license_number",
                    "motorcycle_plate",
                    "last_available_at",
                )
            },
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            "Role",
            {"fields": ("role", "first_name", "last_name", "email", "license_number", "motorcycle_plate")},
        ),
    )

    @admin.display(boolean=True, description="locked")
    def locked(self, obj: models.User) -> bool:
        return is_locked(obj)


@admin.register(models.Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("first_name", "last_name", "phone_number", "email", "created_at")
    search_fields = ("first_name", "last_name", "phone_number", "email", "address")


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "duration", "price", "oil", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


class AppointmentTherapistInline(admin.TabularInline):
    model = models.AppointmentTherapist
    autocomplete_fields = ("therapist",)
    readonly_fields = ("confirmed_at",)
    extra = 0
    verbose_name = "therapist of the group"
    verbose_name_plural = "therapists of the group"


class RejectionInline(admin.TabularInline):
    model = models.AppointmentRejection
    fields = ("rejected_by", "rejected_at", "reason", "operator_response", "operator_response_reason", "reviewed_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class TherapistFilter(admin.SimpleListFilter):
    title = "therapist"
    parameter_name = "therapist"

    def lookups(self, request, model_admin):
        therapists = models.User.objects.filter(role=models.Role.THERAPIST).order_by("first_name", "last_name", "id")
        return [(str(t.pk), t.get_full_name() or t.username) for t in therapists]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        therapist_id = int(self.value())
        in_group = models.AppointmentTherapist.objects.filter(appointment=OuterRef("pk"), therapist_id=therapist_id)
        return queryset.filter(Q(therapist_id=therapist_id) | Exists(in_group))


class AppointmentForm(forms.ModelForm):
    status_note = forms.CharField(
        required=False,
        label="Reason for the status change",
        help_text="Sent with a cancellation or a rejection review.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = models.Appointment
        fields = (
            *("client", "services", "date", "start_time", "end_time", "location", "notes"),
            *("therapist", "group_size", "driver", "operator", "status"),
            *("payment_status", "payment_method", "payment_amount", "payment_notes", "receipt_hash", "receipt_url"),
            *("pickup_urgency", "pickup_notes", "rejection_reason", "cancellation_reason", "metadata"),
        )

        @staticmethod
        def formfield_callback(field, **kwargs):
            if isinstance(field, db_models.URLField):  # Django 6's default, without its deprecation warning
                kwargs.setdefault("assume_scheme", "https")
            return field.formfield(**kwargs)


TIMELINE = (
    "response_deadline",
    "therapist_confirmed_at",
    "driver_confirmed_at",
    "started_at",
    "journey_started_at",
    "arrived_at",
    "dropped_off_at",
    "session_started_at",
    "awaiting_payment_at",
    "payment_verified_at",
    "payment_verified_by",
    "completed_at",
    "pickup_request_time",
    "estimated_pickup_time",
    "pickup_confirmed_at",
    "return_journey_completed_at",
    "rejected_at",
    "rejected_by",
    "cancelled_at",
    "created_at",
    "updated_at",
)


@admin.register(models.Appointment)
class AppointmentAdmin(ChangeHistoryAdmin):
    form = AppointmentForm
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}
    list_display = ("id", "date", "start_time", "end_time", "status", "client", "therapist", "driver", "payment_status")
    list_filter = ("status", "date", TherapistFilter, "payment_status")
    search_fields = (
        "=id",
        "client__first_name",
        "client__last_name",
        "client__phone_number",
        "location",
        "therapist__first_name",
        "therapist__last_name",
        "driver__first_name",
        "driver__last_name",
    )
    autocomplete_fields = ("client", "therapist", "driver", "operator", "services")
    inlines = [AppointmentTherapistInline, RejectionInline]
    date_hierarchy = "date"
    list_select_related = ("client", "therapist", "driver")
    list_per_page = 50
    readonly_fields = ("totals", "services_summary", "notifications", *TIMELINE, *ChangeHistoryAdmin.readonly_fields)
    fieldsets = (
        ("Booking", {"fields": ("client", "services", "date", "start_time", "end_time", "location", "notes")}),
        ("People", {"fields": ("therapist", "group_size", "driver", "operator")}),
        ("Status", {"fields": ("status", "status_note", "totals", "services_summary")}),
        (
            "Payment",
            {
                "fields": (
                    "payment_status",
                    "payment_method",
                    "payment_amount",
                    "payment_notes",
                    "receipt_hash",
                    "receipt_url",
                )
            },
        ),
        ("Pickup", {"classes": ("collapse",), "fields": ("pickup_urgency", "pickup_notes")}),
        (
            "Rejection and cancellation",
            {"classes": ("collapse",), "fields": ("rejection_reason", "cancellation_reason")},
        ),
        ("Timeline", {"classes": ("collapse",), "fields": TIMELINE}),
        ("Notifications", {"fields": ("notifications",)}),
        ("Metadata", {"classes": ("collapse",), "fields": ("metadata",)}),
        ("History", {"classes": ("collapse",), "fields": ChangeHistoryAdmin.readonly_fields}),
    )

    # ---------------------------------------------------------------- what the change page shows

    def _item(self, obj: models.Appointment) -> dict:
        """The appointment as the API shows it (totals from the appointment_totals view), read once per page."""
        if not hasattr(obj, "_admin_item"):
            row = models.AppointmentItemCache.objects.filter(appointment_id=obj.pk).values_list("item", flat=True)
            item = row[0] if obj.pk and row else {}
            obj._admin_item = json.loads(item) if isinstance(item, str | bytes) else item
        return obj._admin_item

    @admin.display(description="totals")
    def totals(self, obj: models.Appointment) -> str:
        item = self._item(obj)
        if not item:
            return "-"
        return f"{item.get('total_duration')} min, {item.get('total_price')}"

    @admin.display(description="services booked")
    def services_summary(self, obj: models.Appointment) -> str:
        services = self._item(obj).get("services_details") or []
        return "; ".join(f"{s['name']} ({s['duration']} min, {s['price']})" for s in services) or "-"

    @admin.display(description="what the appointment told whom (newest first)")
    def notifications(self, obj: models.Appointment) -> str:
        # a read-only table, not an inline: no formset, so a scripted POST of the form needs no extra fields
        if obj is None or obj.pk is None:
            return "-"
        rows = (
            models.Notification.objects.filter(appointment_id=obj.pk)
            .select_related("user")
            .order_by("-created_at", "-id")[:ADMIN_NOTIFICATION_ROWS]
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(n.created_at):%Y-%m-%d %H:%M}",
                    n.user,
                    n.notification_type,
                    n.message,
                    "read" if n.is_read else "unread",
                )
                for n in rows
            ),
        )
        if not body:
            return "No notification yet."
        return format_html(
            '<table class="appointment-notifications"><thead><tr><th>when</th><th>to</th><th>type</th>'
            "<th>message</th><th>read</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    # ---------------------------------------------------------------- the form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        role = RoleLimitedAutocomplete.ROLE_OF_FIELD.get(db_field.name)
        if role:
            kwargs["queryset"] = models.User.objects.filter(role=role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        current = obj.status if obj is not None else S.PENDING
        offered = [current, *(allowed_next_statuses(obj) if obj is not None else [])]
        labels = dict(S.choices)
        refusal = getattr(request, "_admin_refusal", None)

        class Form(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if "status" in self.fields:
                    self.fields["status"].choices = [(s, labels[s]) for s in offered]
                    self.fields["status"].help_text = (
                        "Only the steps an operator may take from here; the therapist's and driver's steps are "
                        "theirs, through the app."
                        if len(offered) > 1
                        else "No operator step leads on from here."
                    )

            def clean(self):
                cleaned = super().clean()
                if refusal:  # the first attempt was refused and rolled back: show why, keep the input
                    raise ValidationError(refusal)
                return cleaned

        return Form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except (DatabaseError, DomainError, ValidationError) as exc:
            # Everything the attempt wrote is rolled back; the form is shown again with the reason on top.
            request._admin_refusal = (
                " ".join(exc.messages) if isinstance(exc, ValidationError) else refusal_message(exc)
            )
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        target = obj.status
        current = form.initial.get("status", obj.status) if change else S.PENDING
        obj.status = current  # the model write keeps the status; the lifecycle step below moves it
        super().save_model(request, obj, form, change)
        if change and target != current:
            move_status(request.user, obj.pk, current, {**form.cleaned_data, "status": target})
            obj.refresh_from_db()


@admin.register(models.AppointmentRejection)
class AppointmentRejectionAdmin(admin.ModelAdmin):
    list_display = ("appointment", "rejected_by", "rejected_at", "operator_response", "reviewed_by")
    list_filter = ("operator_response",)
    raw_id_fields = ("appointment", "rejected_by", "reviewed_by")


@admin.register(models.Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ("user", "date", "start_time", "end_time", "is_available")
    list_filter = ("is_available", "date")
    autocomplete_fields = ("user",)


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "notification_type", "is_read", "created_at")
    list_filter = ("notification_type", "is_read")
    raw_id_fields = ("user", "appointment", "rejection")
    list_select_related = ("user",)


@admin.register(models.AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "revoked_at")
    raw_id_fields = ("user",)
    readonly_fields = ("key_hash",)
