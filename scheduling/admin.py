from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from scheduling import models
from scheduling.admin_history import ChangeHistoryAdmin


@admin.register(models.User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "phone")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
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
    raw_id_fields = ("therapist",)
    extra = 0


class RejectionInline(admin.TabularInline):
    model = models.AppointmentRejection
    raw_id_fields = ("rejected_by", "reviewed_by")
    extra = 0


@admin.register(models.Appointment)
class AppointmentAdmin(ChangeHistoryAdmin):
    list_display = (
        "id",
        "date",
        "start_time",
        "end_time",
        "status",
        "client",
        "therapist",
        "driver",
        "payment_status",
    )
    list_filter = ("status", "payment_status", "date")
    search_fields = ("client__first_name", "client__last_name", "location")
    raw_id_fields = ("client", "therapist", "driver", "operator", "payment_verified_by", "rejected_by")
    filter_horizontal = ("services",)
    inlines = [AppointmentTherapistInline, RejectionInline]
    date_hierarchy = "date"
    list_select_related = ("client", "therapist", "driver")


@admin.register(models.AppointmentRejection)
class AppointmentRejectionAdmin(admin.ModelAdmin):
    list_display = ("appointment", "rejected_by", "rejected_at", "operator_response", "reviewed_by")
    list_filter = ("operator_response",)
    raw_id_fields = ("appointment", "rejected_by", "reviewed_by")


@admin.register(models.Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ("user", "date", "start_time", "end_time", "is_available")
    list_filter = ("is_available", "date")
    raw_id_fields = ("user",)


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
