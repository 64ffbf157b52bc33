from scheduling.models.appointments import (
    Appointment,
    AppointmentRejection,
    AppointmentStatus,
    AppointmentTherapist,
    OperatorResponse,
    PaymentMethod,
    PaymentStatus,
    PickupUrgency,
)
from scheduling.models.attendance import AttendanceDaySummary, AttendanceRecord, AttendanceStatus
from scheduling.models.auth import AuthToken, EmailVerification
from scheduling.models.availability import Availability
from scheduling.models.catalog import Client, Service
from scheduling.models.notifications import Notification, NotificationCounter, NotificationType
from scheduling.models.reports import (
    DriverWorkloadDaily,
    DriverWorkloadWeekly,
    FunnelDaily,
    RevenueDaily,
    ServicePopularityMonthly,
    TherapistWorkloadDaily,
    TherapistWorkloadWeekly,
)
from scheduling.models.users import MassagePressure, Role, User

__all__ = [
    "Appointment",
    "AppointmentRejection",
    "AppointmentStatus",
    "AppointmentTherapist",
    "AttendanceDaySummary",
    "AttendanceRecord",
    "AttendanceStatus",
    "AuthToken",
    "EmailVerification",
    "Availability",
    "Client",
    "MassagePressure",
    "Notification",
    "NotificationType",
    "NotificationCounter",
    "OperatorResponse",
    "PaymentMethod",
    "PaymentStatus",
    "PickupUrgency",
    "Role",
    "Service",
    "User",
    "DriverWorkloadDaily",
    "DriverWorkloadWeekly",
    "FunnelDaily",
    "RevenueDaily",
    "ServicePopularityMonthly",
    "TherapistWorkloadDaily",
    "TherapistWorkloadWeekly",
]
from scheduling.models.bookings import (
    AppointmentItemCache,
    AppointmentListRow,
    AppointmentStatusCount,
    BookingRole,
    StaffBooking,
)

__all__ += ["AppointmentItemCache", "AppointmentListRow", "AppointmentStatusCount", "BookingRole", "StaffBooking"]
