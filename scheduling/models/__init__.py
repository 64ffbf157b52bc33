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
from scheduling.models.replication import WritePosition
from scheduling.models.reports import (
    DriverWorkloadDaily,
    DriverWorkloadWeekly,
    FunnelDaily,
    RevenueDaily,
    ServicePopularityMonthly,
    TherapistWorkloadDaily,
    TherapistWorkloadWeekly,
)
from scheduling.models.rollups import (
    AppointmentStatusTotal,
    DriverDayRollup,
    FunnelDayRollup,
    ReportDirtyDay,
    RevenueDayRollup,
    ServiceDayRollup,
    TherapistDayRollup,
)
from scheduling.models.users import MassagePressure, Role, User
from scheduling.models.versions import DataVersion

__all__ = [
    "WritePosition",
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

from scheduling.models.history import (  # noqa: E402 (the tracked models first)
    AppointmentChange,
    AppointmentEvent,
    AppointmentServiceEvent,
    AppointmentServiceLink,
    AppointmentTherapistEvent,
    AvailabilityEvent,
    UserEvent,
)

__all__ += [
    "AppointmentChange",
    "AppointmentEvent",
    "AppointmentServiceEvent",
    "AppointmentServiceLink",
    "AppointmentTherapistEvent",
    "AvailabilityEvent",
    "UserEvent",
]
__all__ += ["AppointmentStatusTotal", "DataVersion", "ReportDirtyDay"]
__all__ += ["DriverDayRollup", "FunnelDayRollup", "RevenueDayRollup", "ServiceDayRollup", "TherapistDayRollup"]
