"""Demo data: a realistic home-service business, written with COPY so the standard set takes seconds.

Two sizes (SPEC section 9 defines the standard one). Idempotent: people, services and clients are matched by
their natural keys; appointments and notifications are topped up to the target count, never duplicated.
Appointments never overlap for one therapist or driver, so every database rule holds for the seeded rows.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from psycopg.types.json import Jsonb
from tqdm import tqdm

from scheduling.lifecycle import (
    PROGRESSION,
    SKIPPED_WITHOUT_DRIVER,
    notifications_reaching,
    stamp_reaching,
    way_to,
)
from scheduling.models import (
    Appointment,
    AppointmentRejection,
    AppointmentStatus,
    AppointmentTherapist,
    AttendanceRecord,
    AttendanceStatus,
    Availability,
    Client,
    MassagePressure,
    Notification,
    NotificationType,
    PaymentMethod,
    PaymentStatus,
    Role,
    Service,
    User,
)
from scheduling.services.attendance import classify

S = AppointmentStatus

DEMO_SERVICES = [
    # name, duration (minutes), price, oil
    ("Shiatsu", 60, "500.00", ""),
    ("Combi", 60, "400.00", "Lavender"),
    ("Dry", 60, "500.00", ""),
    ("Foot", 60, "500.00", "Peppermint"),
    ("Hot Stone", 90, "675.00", "Coconut"),
    ("Ventosa", 90, "675.00", "Eucalyptus"),
    ("Hand", 60, "450.00", "Almond"),
]


@dataclass(frozen=True)
class Size:
    operators: int
    therapists: int
    drivers: int
    clients: int
    appointments: int
    notifications: int
    days_back: int
    days_ahead: int


SIZES = {
    "small": Size(
        operators=2,
        therapists=8,
        drivers=4,
        clients=60,
        appointments=300,
        notifications=600,
        days_back=20,
        days_ahead=10,
    ),
    "standard": Size(
        operators=3,
        therapists=40,
        drivers=15,
        clients=2000,
        appointments=20_000,
        notifications=100_000,
        days_back=100,
        days_ahead=20,
    ),
}

FIRST = [
    "Maria",
    "Jose",
    "Ana",
    "Juan",
    "Rosa",
    "Carlo",
    "Liza",
    "Mark",
    "Grace",
    "Paolo",
    "Joy",
    "Miguel",
    "Bea",
    "Rafael",
    "Nina",
    "Enzo",
    "Camille",
    "Luis",
    "Ella",
    "Marco",
    "Trisha",
    "Andres",
    "Kim",
    "Noel",
]
LAST = [
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Ocampo",
    "Garcia",
    "Mendoza",
    "Torres",
    "Flores",
    "Ramos",
    "Villanueva",
    "Castillo",
    "Aquino",
    "Navarro",
    "Domingo",
    "Salazar",
    "Morales",
    "Dela Cruz",
]
STREETS = [
    "Ayala Ave",
    "Roxas Blvd",
    "Katipunan Ave",
    "Shaw Blvd",
    "Ortigas Ave",
    "EDSA",
    "Kalayaan Ave",
    "Jupiter St",
    "Paseo de Roxas",
    "Aurora Blvd",
    "Timog Ave",
    "Quezon Ave",
]
CITIES = ["Makati", "Taguig", "Pasig", "Quezon City", "Mandaluyong", "Manila", "San Juan", "Pasay"]

# The progression of statuses and the timestamp each step sets come from the lifecycle table.
ORDER = list(PROGRESSION)
ACTIVE_TODAY = [*ORDER, S.REJECTED]  # today: every step of the day's work, and a fresh rejection
PAST = [
    (S.TRANSPORT_COMPLETED, 50),
    (S.COMPLETED, 20),
    (S.CANCELLED, 13),
    (S.AUTO_CANCELLED, 6),
    (S.PAYMENT_VERIFIED, 6),
    (S.REJECTED, 2),
    (S.PICKUP_REQUESTED, 3),
]
FUTURE = [(S.PENDING, 45), (S.THERAPIST_CONFIRMED, 25), (S.DRIVER_CONFIRMED, 18), (S.REJECTED, 5), (S.CANCELLED, 7)]
# A driver is assigned: the statuses only a driven appointment passes through, and the return ride's.
NEEDS_DRIVER = SKIPPED_WITHOUT_DRIVER | set(ORDER[ORDER.index(S.PICKUP_REQUESTED) + 1 :])
# status reached -> the timestamp field that records it: the step's own, and the pickup's estimated time, which
# the operator's assignment sets (a computed time, not a step's stamp)
STEP_FIELD = {status: stamp_reaching(status) for status in ORDER[1:] if stamp_reaching(status)}
STEP_FIELD[S.DRIVER_ASSIGNED_PICKUP] = "estimated_pickup_time"
TRAVEL_BUFFER = dt.timedelta(minutes=30)
ATTENDANCE_DAYS = 21  # three weeks of check-ins before today, and today's so far


def demo_usernames(size: Size) -> dict[str, list[str]]:
    return {
        Role.OPERATOR: [f"operator{i}" for i in range(1, size.operators + 1)],
        Role.THERAPIST: [f"therapist{i}" for i in range(1, size.therapists + 1)],
        Role.DRIVER: [f"driver{i}" for i in range(1, size.drivers + 1)],
    }


def copy_rows(model: type[Model], rows: list[dict]) -> None:
    """COPY rows into the model's table; missing columns take the field default (so new fields need no edit).
    Generated columns are left to the database."""
    if not rows:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and "id" not in rows[0]) and not getattr(f, "generated", False)
    ]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults = {f.attname: f.get_default() for f in fields}
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for f in fields:
                    value = row.get(f.attname, defaults[f.attname])
                    if isinstance(value, dict | list):
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)


def next_ids(model: type[Model], n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
        return [r[0] for r in cursor.fetchall()]


class Booking(NamedTuple):
    """One planned appointment: its day and times, services, therapists (the first is the main one), driver,
    status."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    services: list[Service]
    therapists: list[User]
    driver: User | None
    status: str


@dataclass
class StaffCalendar:
    """Who is busy when, per (person, day), sorted: a booking needs TRAVEL_BUFFER on both sides."""

    busy: dict[tuple[int, dt.date], list[tuple[dt.datetime, dt.datetime]]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of_existing(cls) -> StaffCalendar:
        """The bookings already in the database (a re-run tops the data set up around them)."""
        calendar = cls()
        for t_id, d_id, day, start, end in Appointment.objects.values_list(
            "therapist_id", "driver_id", "date", "start_time", "end_time"
        ):
            for staff_id in (t_id, d_id):
                if staff_id:
                    calendar.book(staff_id, day, dt.datetime.combine(day, start), dt.datetime.combine(day, end))
        for t_id, day, start, end in AppointmentTherapist.objects.values_list(
            "therapist_id", "appointment__date", "appointment__start_time", "appointment__end_time"
        ):
            calendar.book(t_id, day, dt.datetime.combine(day, start), dt.datetime.combine(day, end))
        return calendar

    def free(self, staff_id: int, day: dt.date, s: dt.datetime, e: dt.datetime) -> bool:
        return all(e + TRAVEL_BUFFER <= bs or s >= be + TRAVEL_BUFFER for bs, be in self.busy.get((staff_id, day), ()))

    def book(self, staff_id: int, day: dt.date, s: dt.datetime, e: dt.datetime) -> None:
        bisect.insort(self.busy.setdefault((staff_id, day), []), (s, e))


class Seeder:
    def __init__(
        self,
        size_name: str,
        *,
        seed: int = 2026,
        progress: bool = True,
        out=None,
        appointments: int | None = None,
        notifications: int | None = None,
    ):
        size = SIZES[size_name]
        self.size = dataclasses.replace(
            size,
            appointments=size.appointments if appointments is None else appointments,
            notifications=size.notifications if notifications is None else notifications,
        )
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.out = out
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    # People, services, clients -------------------------------------------------------------------------
    def seed_services(self) -> list[Service]:
        existing = set(Service.objects.values_list("name", flat=True))
        Service.objects.bulk_create(
            [
                Service(name=n, duration=d, price=Decimal(p), oil=o, description=f"{n} massage, {d} minutes")
                for n, d, p, o in DEMO_SERVICES
                if n not in existing
            ]
        )
        return list(Service.objects.filter(name__in=[s[0] for s in DEMO_SERVICES]).order_by("id"))

    def seed_users(self) -> dict[str, list[User]]:
        password_hash = make_password(settings.DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
        existing = set(User.objects.values_list("username", flat=True))
        new = []
        specializations = ["Shiatsu", "Swedish", "Hot Stone", "Ventosa", "Reflexology", "Deep Tissue"]
        for role, names in demo_usernames(self.size).items():
            for i, username in enumerate(names, start=1):
                if username in existing:
                    continue
                first, last = FIRST[(i * 7 + len(role)) % len(FIRST)], LAST[(i * 5) % len(LAST)]
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=role,
                    email=f"{username}@demo.example",
                    phone=f"+63917{abs(hash(username)) % 10**7:07d}",
                    password=password_hash,
                    is_staff=role == Role.OPERATOR,
                    is_superuser=username == "operator1",
                )
                if role == Role.THERAPIST:
                    user.license_number = f"PRC-{i:05d}"
                    user.specialization = specializations[i % len(specializations)]
                    user.massage_pressure = list(MassagePressure.values)[i % 3]
                elif role == Role.DRIVER:
                    user.motorcycle_plate = f"MC {1000 + i}"
                    user.last_available_at = self.now - dt.timedelta(minutes=15 * i)
                new.append(user)
        User.objects.bulk_create(new)
        by_role = {}
        for role, names in demo_usernames(self.size).items():
            by_role[role] = list(User.objects.filter(username__in=names).order_by("id"))
        return by_role

    def seed_clients(self) -> list[Client]:
        existing = Client.objects.count()
        rows = []
        for i in range(existing + 1, self.size.clients + 1):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            rows.append(
                Client(
                    first_name=first,
                    last_name=last,
                    phone_number=f"+63918{i:07d}",
                    email=f"client{i}@demo.example" if i % 5 else None,
                    address=f"{self.rng.randint(1, 999)} {self.rng.choice(STREETS)}, {self.rng.choice(CITIES)}",
                    notes="Prefers female therapist" if i % 17 == 0 else "",
                )
            )
        Client.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        return list(Client.objects.order_by("id")[: self.size.clients])

    def seed_availability(self, staff: list[User]) -> None:
        first = self.today - dt.timedelta(days=1)
        days = [first + dt.timedelta(days=d) for d in range(self.size.days_ahead + 2)]
        have = set(Availability.objects.filter(date__in=days).values_list("user_id", "date"))
        rows = []
        for user in staff:
            for day in days:
                if (user.id, day) in have:
                    continue
                if user.id % 4 == day.toordinal() % 4:
                    # an evening shift that runs past midnight
                    rows.append(Availability(user=user, date=day, start_time=dt.time(16), end_time=dt.time(2)))
                else:
                    rows.append(Availability(user=user, date=day, start_time=dt.time(7), end_time=dt.time(22)))
        Availability.objects.bulk_create(rows, batch_size=2000)

    # Appointments ----------------------------------------------------------------------------------------
    def _day_counts(self, target: int) -> dict[dt.date, int]:
        days = range(-self.size.days_back, self.size.days_ahead)
        # bookings thin out into the future, as real books do
        weights = {d: (1.0 if d <= 0 else max(0.15, 0.6 - d * 0.03)) for d in days}
        total = sum(weights.values())
        return {self.today + dt.timedelta(days=d): round(target * w / total) for d, w in weights.items()}

    def seed_appointments(
        self, users: dict[str, list[User]], services: list[Service], clients: list[Client]
    ) -> list[int]:
        """Three phases: plan the bookings around who is busy, build the rows, COPY them in."""
        missing = self.size.appointments - Appointment.objects.count()
        if missing <= 0:
            return []
        plan = self._plan_bookings(missing, users, services, StaffCalendar.of_existing())
        ids = next_ids(Appointment, len(plan))
        rows = self._booking_rows(ids, plan, clients, users[Role.OPERATOR])
        self._copy_bookings(rows)
        return ids

    def _plan_bookings(
        self, missing: int, users: dict[str, list[User]], services: list[Service], calendar: StaffCalendar
    ) -> list[Booking]:
        """Up to `missing` bookings spread over the days; each books its staff in `calendar`."""
        counts = self._day_counts(missing)
        # the day of each booking; a booking that finds nobody free is retried on another day, boundedly
        queue = [day for day, n in counts.items() for _ in range(n)]
        days = list(counts)
        plan: list[Booking] = []
        tries = 0
        while len(plan) < missing and tries < missing * 3:
            tries += 1
            day = queue.pop() if queue else self.rng.choice(days)
            booking = self._plan_one(day, users, services, calendar)
            if booking is not None:
                plan.append(booking)
        return plan

    def _plan_one(
        self, day: dt.date, users: dict[str, list[User]], services: list[Service], calendar: StaffCalendar
    ) -> Booking | None:
        """One booking on `day`: services, a start time with enough free therapists, its status, a driver."""
        therapists, drivers = users[Role.THERAPIST], users[Role.DRIVER]
        chosen = self.rng.sample(services, k=self.rng.choices([1, 2, 3], weights=[60, 30, 10])[0])
        minutes = sum(s.duration for s in chosen)
        group = 2 if self.rng.random() < 0.04 else 1
        for _attempt in range(8):  # another start time when everyone is busy at this one
            start_min = self.rng.randrange(7 * 60, 22 * 60 - minutes + 1, 15)
            s = dt.datetime.combine(day, dt.time(start_min // 60, start_min % 60))
            e = s + dt.timedelta(minutes=minutes)
            picked = [t for t in self.rng.sample(therapists, k=len(therapists)) if calendar.free(t.id, day, s, e)]
            if len(picked) >= group:
                picked = picked[:group]
                break
        else:
            return None
        status = self._status_on(day)
        driver = None
        if status in NEEDS_DRIVER or self.rng.random() < 0.3:
            driver = next((d for d in self.rng.sample(drivers, k=len(drivers)) if calendar.free(d.id, day, s, e)), None)
        if driver is None and status in NEEDS_DRIVER:
            status = {S.DRIVER_CONFIRMED: S.THERAPIST_CONFIRMED, S.TRANSPORT_COMPLETED: S.COMPLETED}.get(
                status, S.SESSION_IN_PROGRESS if status in SKIPPED_WITHOUT_DRIVER else S.PICKUP_REQUESTED
            )
        for person in [*picked, driver] if driver else picked:
            calendar.book(person.id, day, s, e)
        return Booking(day, s, e, chosen, picked, driver, status)

    def _status_on(self, day: dt.date) -> str:
        """Past days end their way (mostly transported home), today is every step, the future is not started."""
        offset = (day - self.today).days
        if offset < 0:
            return self.rng.choices([x for x, _ in PAST], weights=[w for _, w in PAST])[0]
        if offset == 0:
            return self.rng.choice(ACTIVE_TODAY)
        return self.rng.choices([x for x, _ in FUTURE], weights=[w for _, w in FUTURE])[0]

    def _booking_rows(
        self, ids: list[int], plan: list[Booking], clients: list[Client], operators: list[User]
    ) -> dict[type[Model], list[dict]]:
        """The rows of every table a booking writes, by model."""
        rows: dict[type[Model], list[dict]] = {
            Appointment: [],
            Appointment.services.through: [],
            AppointmentTherapist: [],
            AppointmentRejection: [],
        }
        for appt_id, (day, s, e, chosen, picked, driver, status) in zip(ids, plan, strict=True):
            row = self._appointment_row(appt_id, day, s, e, chosen, picked, driver, status, clients, operators)
            rows[Appointment].append(row)
            rows[Appointment.services.through] += [{"appointment_id": appt_id, "service_id": svc.id} for svc in chosen]
            if len(picked) > 1:
                confirmed_at = None if status == S.PENDING else row["created_at"]
                rows[AppointmentTherapist] += [
                    {"appointment_id": appt_id, "therapist_id": t.id, "confirmed_at": confirmed_at} for t in picked
                ]
            if status == S.REJECTED:
                rows[AppointmentRejection].append(
                    {
                        "appointment_id": appt_id,
                        "reason": "Not available at that time",
                        "rejected_by_id": picked[0].id,
                        "rejected_at": row["rejected_at"],
                        "operator_response": "pending",
                    }
                )
        return rows

    def _copy_bookings(self, rows: dict[type[Model], list[dict]]) -> None:
        appointment_rows = rows.pop(Appointment)
        chunk = 2000
        bar = tqdm(total=len(appointment_rows), desc="appointments", unit="row", disable=not self.progress)
        for i in range(0, len(appointment_rows), chunk):
            copy_rows(Appointment, appointment_rows[i : i + chunk])
            bar.update(len(appointment_rows[i : i + chunk]))
        bar.close()
        for model, model_rows in rows.items():
            copy_rows(model, model_rows)

    def _appointment_row(self, appt_id, day, s, e, chosen, picked, driver, status, clients, operators) -> dict:
        start_aware = timezone.make_aware(s, self.tz)
        created = min(self.now, start_aware) - dt.timedelta(
            days=self.rng.randint(1, 10), minutes=self.rng.randint(0, 600)
        )
        total = sum((svc.price for svc in chosen), Decimal("0"))
        row = {
            "id": appt_id,
            "client_id": self.rng.choice(clients).id,
            "therapist_id": picked[0].id,
            "group_size": len(picked),
            "driver_id": driver.id if driver else None,
            "operator_id": self.rng.choice(operators).id,
            "date": day,
            "start_time": s.time(),
            "end_time": e.time(),
            "location": f"{self.rng.randint(1, 999)} {self.rng.choice(STREETS)}, {self.rng.choice(CITIES)}",
            "notes": self.rng.choice(["", "", "Gate code 1234", "Bring extra towels", "Pet at home"]),
            "status": status,
            "created_at": created,
            "updated_at": created,
            "metadata": {"source": "demo"},
        }
        if status in ORDER:
            moment = start_aware - dt.timedelta(hours=2)
            for step in way_to(status, has_driver=bool(driver))[1:]:
                moment += dt.timedelta(minutes=20)
                row[STEP_FIELD[step]] = min(moment, self.now)
        if status == S.PENDING:
            row["response_deadline"] = self.now + dt.timedelta(minutes=self.rng.randint(-120, 600))
        if status in ORDER and ORDER.index(status) >= ORDER.index(S.PAYMENT_VERIFIED):
            row.update(
                payment_status=PaymentStatus.PAID,
                payment_method=self.rng.choice(PaymentMethod.values),
                payment_amount=total,
                payment_verified_by_id=self.rng.choice(operators).id,
            )
        if status in (S.PICKUP_REQUESTED, S.DRIVER_ASSIGNED_PICKUP, S.RETURN_JOURNEY, S.TRANSPORT_COMPLETED):
            row["pickup_urgency"] = self.rng.choice(["normal", "normal", "urgent"])
        if status == S.REJECTED:
            row.update(
                rejection_reason="Not available at that time",
                rejected_by_id=picked[0].id,
                rejected_at=min(self.now, created + dt.timedelta(minutes=10)),
            )
        if status in (S.CANCELLED, S.AUTO_CANCELLED):
            row["cancelled_at"] = min(self.now, created + dt.timedelta(minutes=40))
            row["cancellation_reason"] = "Client cancelled" if status == S.CANCELLED else "No response in time"
        return row

    # Notifications ---------------------------------------------------------------------------------------
    def seed_notifications(self, users: dict[str, list[User]]) -> int:
        missing = self.size.notifications - Notification.objects.count()
        if missing <= 0:
            return 0
        everyone = [u.id for group in users.values() for u in group]
        heavy = users[Role.OPERATOR][0].id  # the dispatch desk's main account gets the most
        # each about an appointment, of a kind its own way to its status gave rise to (lifecycle.py), sent to one
        # of its people (therapist, driver, booking operator)
        recent = Appointment.objects.order_by("-date").values_list(
            "id", "status", "therapist_id", "driver_id", "operator_id"
        )[:5000]
        about = []
        for pk, status, therapist, driver, operator in recent:
            people = [p for p in (therapist, driver, operator) if p] or everyone
            about.append((pk, notifications_reaching(status, has_driver=driver is not None), people))
        about = about or [(None, (NotificationType.SYSTEM,), everyone)]
        chunk = 10_000
        bar = tqdm(total=missing, desc="notifications", unit="row", disable=not self.progress)
        done = 0
        while done < missing:
            rows = []
            for _ in range(min(chunk, missing - done)):
                age = dt.timedelta(minutes=self.rng.randint(0, 60 * 24 * self.size.days_back))
                appointment_id, kinds, people = self.rng.choice(about)
                user_id = heavy if self.rng.random() < 0.25 else self.rng.choice(people)
                kind = self.rng.choice(kinds)
                rows.append(
                    {
                        "user_id": user_id,
                        "appointment_id": appointment_id,
                        "notification_type": kind,
                        "message": f"{kind.replace('_', ' ').capitalize()}.",
                        "is_read": age > dt.timedelta(days=2) and self.rng.random() < 0.85,
                        "created_at": self.now - age,
                    }
                )
            copy_rows(Notification, rows)
            done += len(rows)
            bar.update(len(rows))
        bar.close()
        return missing

    # Attendance ------------------------------------------------------------------------------------------
    def seed_attendance(self, staff: list[User], operators: list[User]) -> int:
        """Three weeks of check-ins and check-outs for every therapist and driver, and today's so far: mostly
        on time, some late, a few days off, absences the operator marked, evening shifts that end after
        midnight, approvals for most past days; one COPY (one summary write per day, by trigger)."""
        first = self.today - dt.timedelta(days=ATTENDANCE_DAYS)
        have = set(AttendanceRecord.objects.filter(date__gte=first).values_list("staff_member_id", "date"))
        rows = []
        for offset in range(ATTENDANCE_DAYS, -1, -1):
            day = self.today - dt.timedelta(days=offset)
            for index, user in enumerate(staff):
                # Each person's day decided on its own, so a second run tops up (today) and never adds a day off.
                rng = random.Random(f"{self.seed}-{user.id}-{day.toordinal()}")
                roll = rng.random()
                # yesterday, every fifth person came in after the operator had marked them absent: waiting for
                # the operator's decision (the Approve button)
                pending = offset == 1 and index % 5 == 0
                if (user.id, day) in have or (roll < 0.08 and not pending):  # already seeded, or a day off
                    continue
                operator = rng.choice(operators)
                if roll < 0.13 and offset > 0 and not pending:
                    marked = timezone.make_aware(dt.datetime.combine(day, dt.time(22)), self.tz)
                    rows.append(self._attendance_row(user, day, None, None, AttendanceStatus.ABSENT, operator, marked))
                    continue
                evening = user.id % 4 == day.toordinal() % 4  # the same rota as the availability slots
                start = dt.time(15, 30) if evening else dt.time(7)
                spread = 150 if evening else 420  # mornings run from 07:00 to 14:00: some arrive after 13:15
                check_in = timezone.make_aware(dt.datetime.combine(day, start), self.tz) + dt.timedelta(
                    minutes=rng.randrange(spread), seconds=rng.randrange(60)
                )
                if check_in > self.now:
                    continue  # not in yet today
                check_out = check_in + dt.timedelta(minutes=rng.randrange(6 * 60, 10 * 60))
                if check_out > self.now:
                    check_out = None  # still in
                approved = offset > 0 and not pending and rng.random() < 0.8
                status = AttendanceStatus.PENDING_APPROVAL if pending else classify(check_in)
                approved_at = check_in + dt.timedelta(hours=3) if approved else None
                rows.append(
                    self._attendance_row(
                        user, day, check_in, check_out, status, operator if approved else None, approved_at
                    )
                )
        copy_rows(AttendanceRecord, rows)
        return len(rows)

    def _attendance_row(self, user, day, check_in, check_out, status, approved_by, approved_at) -> dict:
        created = check_in or approved_at
        return {
            "staff_member_id": user.id,
            "date": day,
            "check_in_time": check_in,
            "check_out_time": check_out,
            "status": status,
            "approved_by_id": approved_by.id if approved_by else None,
            "approved_at": approved_at,
            "notes": "Marked absent: no show" if status == AttendanceStatus.ABSENT else "",
            "created_at": created,
            "updated_at": check_out or created,
        }

    def run(self) -> dict:
        with transaction.atomic():
            services = self.seed_services()
            users = self.seed_users()
            clients = self.seed_clients()
            self.seed_availability(users[Role.THERAPIST] + users[Role.DRIVER])
            new_appointments = self.seed_appointments(users, services, clients)
            new_notifications = self.seed_notifications(users)
            new_attendance = self.seed_attendance(users[Role.THERAPIST] + users[Role.DRIVER], users[Role.OPERATOR])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return {
            "appointments": len(new_appointments),
            "notifications": new_notifications,
            "attendance": new_attendance,
            "usernames": demo_usernames(self.size),
        }
