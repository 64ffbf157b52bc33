"""The randomized appointments the report tests share, and their recomputation in plain Python.

Appointments are inserted directly in their final status (no UPDATE of a status), each in its own time slot of the
day, so no therapist or driver is ever double-booked. `factories` is the fixture
of tests/conftest.py that build_dataset takes."""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from scheduling.models import Appointment, AppointmentRejection, AppointmentTherapist, Service
from scheduling.selectors.reports import DateSpan

FIRST_DAY = dt.date(2026, 3, 2)  # a Monday
DAYS = 45  # spans March and April, seven ISO weeks
SLOT_HOURS = (0, 5, 10, 15)  # at most 3 x 90 minutes each: slots never overlap

# The lifecycle as SPEC section 4 lists it, written out again here so the views are checked against the spec.
REVENUE = {
    "payment_verified",
    "completed",
    "pickup_requested",
    "driver_assigned_pickup",
    "return_journey",
    "transport_completed",
}
DROPPED = {"rejected", "cancelled", "auto_cancelled"}
BEFORE_CONFIRMATION = {"pending"} | DROPPED
TRIP_OUT = REVENUE | {"journey", "arrived", "dropped_off", "session_in_progress", "awaiting_payment"}
TRIP_BACK = {"return_journey", "transport_completed"}
ALL_STATUSES = sorted(
    REVENUE | DROPPED | TRIP_OUT | {"pending", "therapist_confirmed", "driver_confirmed", "in_progress"}
)
METHODS = ["cash", "gcash", "bank_transfer", "credit_card", ""]
ZERO = Decimal("0.00")


@dataclass
class Booking:
    """What the test wrote for one appointment: the recomputations read these, never the database."""

    id: int
    date: dt.date
    status: str
    therapist_id: int | None
    driver_id: int | None
    team: set[int]  # the main therapist and the linked ones, once each
    services: list[Service]
    payment_method: str
    payment_amount: Decimal | None
    therapist_confirmed: bool
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (user id, role)
    metadata: dict = field(default_factory=dict)

    @property
    def duration(self) -> int:
        return sum(s.duration for s in self.services)

    @property
    def price(self) -> Decimal:
        return sum((s.price for s in self.services), ZERO)

    @property
    def is_revenue(self) -> bool:
        return self.status in REVENUE

    @property
    def paid(self) -> Decimal:
        return (self.payment_amount or ZERO) if self.is_revenue else ZERO

    @property
    def billed(self) -> Decimal:
        return self.price if self.is_revenue else ZERO

    @property
    def extension(self) -> Decimal:
        """metadata.service_extension.extension_amount when it is a number (mark_completed stores it so)."""
        amount = self.metadata.get("service_extension", {}).get("extension_amount")
        is_number = isinstance(amount, int | float) and not isinstance(amount, bool)
        return Decimal(str(amount)).quantize(Decimal("0.01")) if self.is_revenue and is_number else ZERO


@dataclass
class Dataset:
    bookings: list[Booking]
    users: dict[int, object]
    services: list[Service]

    @property
    def window(self) -> DateSpan:
        return DateSpan(FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS - 1))


def build_dataset(seed: int, factories: dict, *, days: int = DAYS, density: float = 0.8) -> Dataset:
    """Random appointments of every status, with group bookings, 1 to 3 services and rejection events."""
    rng = random.Random(seed)
    extensions = random.Random(seed + 1)  # its own stream, so the rest of the data set stays as it was
    services = [
        factories["service"](name="Shiatsu", duration=60, price=Decimal("500.00")),
        factories["service"](name="Combi", duration=60, price=Decimal("400.00")),
        factories["service"](name="Hot Stone", duration=90, price=Decimal("675.00")),
        factories["service"](name="Hand", duration=60, price=Decimal("450.00")),
    ]
    therapists = [factories["therapist"]() for _ in range(4)]
    drivers = [factories["driver"]() for _ in range(3)]
    operator = factories["operator"]()
    clients = [factories["client"]() for _ in range(3)]

    specs = []
    for day in range(days):
        date = FIRST_DAY + dt.timedelta(days=day)
        for hour in SLOT_HOURS:
            if rng.random() > density:
                continue
            status = rng.choice(ALL_STATUSES)
            main = rng.choice(therapists) if rng.random() > 0.05 else None
            team = {main.id} if main else set()
            links = []
            if rng.random() < 0.25:  # a group booking; sometimes the main therapist is linked as well
                links = rng.sample(therapists, rng.randint(1, 3))
                team |= {t.id for t in links}
            chosen = rng.sample(services, rng.randint(1, 3))
            minutes = sum(s.duration for s in chosen)
            start = dt.datetime.combine(date, dt.time(hour))
            amount = None
            if rng.random() < 0.8:
                amount = Decimal(rng.randrange(0, 200000)) / 100
            specs.append(
                {
                    "booking": Booking(
                        id=0,
                        date=date,
                        status=status,
                        therapist_id=main.id if main else None,
                        driver_id=(rng.choice(drivers).id if rng.random() < 0.7 else None),
                        team=team,
                        services=chosen,
                        payment_method=rng.choice(METHODS),
                        payment_amount=amount,
                        therapist_confirmed=(status == "cancelled" and rng.random() < 0.5),
                        metadata=extensions.choice(
                            [
                                {},
                                {},
                                {},
                                {"service_extension": {"has_extension": True, "extension_amount": 150.5}},
                                {"service_extension": {"extension_amount": extensions.randrange(1, 500)}},
                                {"service_extension": {"extension_amount": "not a number"}},
                            ]
                        ),
                    ),
                    "links": links,
                    "start": start.time(),
                    "end": (start + dt.timedelta(minutes=minutes)).time(),
                }
            )

    rows = Appointment.objects.bulk_create(
        [
            Appointment(
                client=rng.choice(clients),
                therapist_id=s["booking"].therapist_id,
                driver_id=s["booking"].driver_id,
                operator=operator,
                group_size=max(1, len(s["booking"].team)),
                date=s["booking"].date,
                start_time=s["start"],
                end_time=s["end"],
                location="somewhere",
                status=s["booking"].status,
                payment_method=s["booking"].payment_method,
                payment_amount=s["booking"].payment_amount,
                metadata=s["booking"].metadata,
                therapist_confirmed_at=(
                    dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if s["booking"].therapist_confirmed else None
                ),
            )
            for s in specs
        ]
    )
    through, team_links, rejections = [], [], []
    staff = {u.id: u for u in therapists + drivers}
    for spec, row in zip(specs, rows, strict=True):
        booking = spec["booking"]
        booking.id = row.id
        through += [Appointment.services.through(appointment_id=row.id, service_id=s.id) for s in booking.services]
        team_links += [AppointmentTherapist(appointment_id=row.id, therapist_id=t.id) for t in spec["links"]]
        if booking.status == "rejected" or rng.random() < 0.15:
            # By an assigned therapist or driver, or by someone no longer on the booking (reassigned since).
            for _ in range(rng.randint(1, 2)):
                by = rng.choice(therapists + drivers)
                booking.rejections.append((by.id, by.role))
                rejections.append(AppointmentRejection(appointment_id=row.id, rejected_by_id=by.id, reason="busy"))
    Appointment.services.through.objects.bulk_create(through)
    AppointmentTherapist.objects.bulk_create(team_links)
    AppointmentRejection.objects.bulk_create(rejections)
    users = {u.id: u for u in staff.values()}
    return Dataset([s["booking"] for s in specs], users, services)


# ---- recomputations in plain Python ----


def expected_revenue(data: Dataset) -> list[dict]:
    days: dict[dt.date, dict] = {}
    for b in data.bookings:
        if not b.is_revenue:
            continue
        row = days.setdefault(
            b.date,
            {"date": b.date, "appointments": 0, "revenue_billed": ZERO, "revenue_paid": ZERO}
            | {f"paid_{m or 'unrecorded'}": ZERO for m in METHODS}
            | {"revenue_extension": ZERO},
        )
        row["appointments"] += 1
        row["revenue_extension"] += b.extension
        row["revenue_billed"] += b.billed
        row["revenue_paid"] += b.paid
        row[f"paid_{b.payment_method or 'unrecorded'}"] += b.paid
    return [days[d] for d in sorted(days)]


def _name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def expected_workload(data: Dataset, role: str, week: bool = False) -> list[dict]:
    """role='therapist': every therapist on the booking; role='driver': the booking's driver."""
    rows: dict[tuple, dict] = {}

    def row_for(user_id: int, day: dt.date) -> dict:
        key_day = day - dt.timedelta(days=day.weekday()) if week else day
        user = data.users[user_id]
        counters = ["appointments", "completed", "booked_minutes", "rejections"]
        if role == "driver":
            counters += ["trips_out", "trips_back"]
        return rows.setdefault(
            (key_day, user_id),
            {
                f"{role}_id": user_id,
                f"{role}_username": user.username,
                f"{role}_name": _name(user),
                "week_start" if week else "date": key_day,
                "revenue_billed": ZERO,
                "revenue_paid": ZERO,
            }
            | dict.fromkeys(counters, 0),
        )

    for b in data.bookings:
        people = b.team if role == "therapist" else ({b.driver_id} if b.driver_id else set())
        for user_id in people:
            row = row_for(user_id, b.date)
            if b.status not in DROPPED:
                row["appointments"] += 1
                row["booked_minutes"] += b.duration
            if b.is_revenue:
                row["completed"] += 1
            row["revenue_billed"] += b.billed
            row["revenue_paid"] += b.paid
            if role == "driver":
                row["trips_out"] += b.status in TRIP_OUT
                row["trips_back"] += b.status in TRIP_BACK
        for user_id, by_role in b.rejections:
            if by_role == role:
                row_for(user_id, b.date)["rejections"] += 1
    return [rows[k] for k in sorted(rows)]


def expected_service_popularity(data: Dataset) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for b in data.bookings:
        month = b.date.replace(day=1)
        for s in b.services:
            row = rows.setdefault(
                (month, s.id),
                {
                    "month": month,
                    "service_id": s.id,
                    "service_name": s.name,
                    "bookings": 0,
                    "completed": 0,
                    "dropped": 0,
                    "revenue_billed": ZERO,
                },
            )
            row["bookings"] += 1
            row["completed"] += b.is_revenue
            row["dropped"] += b.status in DROPPED
            row["revenue_billed"] += s.price if b.is_revenue else ZERO
    return sorted(rows.values(), key=lambda r: (r["month"], -r["bookings"], r["service_name"]))


def expected_funnel(data: Dataset) -> list[dict]:
    days: dict[dt.date, dict] = {}
    names = ["booked", "pending", "confirmed", "completed", "rejected", "cancelled", "auto_cancelled"]
    for b in data.bookings:
        row = days.setdefault(b.date, {"date": b.date} | dict.fromkeys(names, 0))
        row["booked"] += 1
        row["pending"] += b.status == "pending"
        row["confirmed"] += b.therapist_confirmed or b.status not in BEFORE_CONFIRMATION
        row["completed"] += b.is_revenue
        row["rejected"] += b.status == "rejected" or bool(b.rejections)
        row["cancelled"] += b.status == "cancelled"
        row["auto_cancelled"] += b.status == "auto_cancelled"
    for row in days.values():
        booked = row["booked"]
        row["confirmation_rate"] = round(row["confirmed"] / booked, 4)
        row["completion_rate"] = round(row["completed"] / booked, 4)
        row["rejection_rate"] = round(row["rejected"] / booked, 4)
        row["cancellation_rate"] = round((row["cancelled"] + row["auto_cancelled"]) / booked, 4)
    return [days[d] for d in sorted(days)]


def sorted_workload(rows: list[dict], role: str, week: bool) -> list[dict]:
    return sorted(rows, key=lambda r: (r["week_start" if week else "date"], r[f"{role}_id"]))


def assert_same_rows(actual: list[dict], expected: list[dict]) -> None:
    """Exact equality, rates included: both sides round the same quotient to 4 decimals."""
    assert len(actual) == len(expected) > 0
    for got, want in zip(actual, expected, strict=True):
        assert got == want
