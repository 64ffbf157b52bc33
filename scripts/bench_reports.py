"""Seed the standard data set's appointments and time the report endpoints in-process.

    DATABASE_URL=postgresql://... python scripts/bench_reports.py --seed   # wipes scheduling data first!
    DATABASE_URL=postgresql://... python scripts/bench_reports.py          # time only

The data: 2,000 clients, 40 therapists, 15 drivers, 7 services, 20,000 appointments over 120 days (90 past, 30
ahead) with 1 to 3 services, 5% group bookings, 5% with a rejection, realistic statuses; no two appointments of a
therapist or driver overlap. Prints per endpoint: queries, p50 and p95 latency,
the p50 of the same view query run alone through the cursor (the SQL floor), rows and response bytes.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from scheduling import models as m  # noqa: E402

APPOINTMENTS = 20_000
DAYS = 120
SLOT_STARTS = [dt.time(0), dt.time(4, 30), dt.time(9), dt.time(13, 30), dt.time(18)]  # 4.5 h apart, max 270 min
DEMO_SERVICES = [
    ("Shiatsu", 60, "500"),
    ("Combi", 60, "400"),
    ("Dry", 60, "500"),
    ("Foot", 60, "500"),
    ("Hot Stone", 90, "675"),
    ("Ventosa", 90, "675"),
    ("Hand", 60, "450"),
]
PAST = (
    ["transport_completed"] * 55
    + ["completed"] * 10
    + ["payment_verified"] * 3
    + ["return_journey", "driver_assigned_pickup", "pickup_requested"]
    + ["cancelled"] * 8
    + ["auto_cancelled"] * 4
    + ["rejected"] * 2
)
FUTURE = ["pending"] * 50 + ["therapist_confirmed"] * 25 + ["driver_confirmed"] * 15 + ["cancelled"] * 5
METHODS = ["cash"] * 5 + ["gcash"] * 3 + ["bank_transfer", "credit_card"]


def seed() -> None:
    rng = random.Random(42)
    today = timezone.localdate()
    first = today - dt.timedelta(days=89)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE scheduling_appointmentrejection, scheduling_appointmenttherapist, "
                "scheduling_appointment_services, scheduling_appointment, scheduling_client, scheduling_service "
                "RESTART IDENTITY CASCADE"
            )
        m.User.objects.filter(username__startswith="bench_").delete()
        password = "!unusable"
        operator = m.User.objects.create(username="bench_operator", role=m.Role.OPERATOR, password=password)
        therapists = m.User.objects.bulk_create(
            [
                m.User(
                    username=f"bench_therapist{i}",
                    first_name="T",
                    last_name=str(i),
                    role=m.Role.THERAPIST,
                    license_number=f"L{i}",
                    password=password,
                )
                for i in range(40)
            ]
        )
        drivers = m.User.objects.bulk_create(
            [
                m.User(
                    username=f"bench_driver{i}",
                    first_name="D",
                    last_name=str(i),
                    role=m.Role.DRIVER,
                    motorcycle_plate=f"P{i}",
                    password=password,
                )
                for i in range(15)
            ]
        )
        clients = m.Client.objects.bulk_create(
            [m.Client(first_name="C", last_name=str(i), phone_number=f"+6390{i:07d}") for i in range(2000)]
        )
        services = m.Service.objects.bulk_create(
            [m.Service(name=n, duration=d, price=Decimal(p)) for n, d, p in DEMO_SERVICES]
        )
        per_day = APPOINTMENTS // DAYS
        extra = APPOINTMENTS - per_day * DAYS
        rows, chosen = [], []
        for day in range(DAYS):
            date = first + dt.timedelta(days=day)
            statuses = PAST if date < today else FUTURE
            count = per_day + (1 if day < extra else 0)
            for k in range(count):
                slot, t_index = divmod(k, len(therapists))  # therapist k % 40 in slot k // 40: never overlapping
                picked = rng.sample(services, rng.choice([1, 1, 2, 2, 3]))
                start = dt.datetime.combine(date, SLOT_STARTS[slot])
                status = rng.choice(statuses)
                revenue = status in (
                    "payment_verified",
                    "completed",
                    "pickup_requested",
                    "driver_assigned_pickup",
                    "return_journey",
                    "transport_completed",
                )
                total = sum(s.price for s in picked)
                rows.append(
                    m.Appointment(
                        client=rng.choice(clients),
                        therapist=therapists[t_index],
                        driver=drivers[t_index] if t_index < len(drivers) else None,
                        operator=operator,
                        date=date,
                        start_time=start.time(),
                        end_time=(start + dt.timedelta(minutes=sum(s.duration for s in picked))).time(),
                        location="bench",
                        status=status,
                        payment_status="paid" if revenue else "unpaid",
                        payment_method=rng.choice(METHODS) if revenue else "",
                        payment_amount=total + rng.choice([0, 0, 0, 50, 100]) if revenue else None,
                    )
                )
                chosen.append(picked)
        rows = m.Appointment.objects.bulk_create(rows, batch_size=2000)
        m.Appointment.services.through.objects.bulk_create(
            [
                m.Appointment.services.through(appointment_id=a.id, service_id=s.id)
                for a, picked in zip(rows, chosen, strict=True)
                for s in picked
            ],
            batch_size=5000,
        )
        # Group bookings: the therapist 20 places along, who is free in the same slot (20 < 40).
        links, rejections = [], []
        by_index = {t.id: i for i, t in enumerate(therapists)}
        for a in rows:
            if rng.random() < 0.05:
                partner = therapists[(by_index[a.therapist_id] + 20) % 40]
                links.append(m.AppointmentTherapist(appointment_id=a.id, therapist_id=partner.id))
            if rng.random() < 0.05:
                rejections.append(
                    m.AppointmentRejection(appointment_id=a.id, rejected_by_id=a.therapist_id, reason="busy")
                )
        m.AppointmentTherapist.objects.bulk_create(links, batch_size=5000)
        m.AppointmentRejection.objects.bulk_create(rejections, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {len(rows)} appointments from {first} to {first + dt.timedelta(days=DAYS - 1)}, "
        f"{len(links)} group links, {len(rejections)} rejections"
    )


def bench(repeat: int) -> None:
    from scheduling.services.auth import issue_token

    operator = m.User.objects.get(username="bench_operator")
    client = HttpClient(headers={"Authorization": f"Token {issue_token(operator)}"})
    today = timezone.localdate()
    full = {
        "date_after": (today - dt.timedelta(days=89)).isoformat(),
        "date_before": (today + dt.timedelta(days=30)).isoformat(),
    }
    cases = [
        ("revenue/", {}),
        ("revenue/", full),
        ("therapist_workload/", {}),
        ("therapist_workload/", full),
        ("therapist_workload/", {**full, "period": "week"}),
        ("therapist_workload/", {"therapist": operator.id + 1}),
        ("driver_workload/", {}),
        ("driver_workload/", {**full, "period": "week"}),
        ("service_popularity/", {}),
        ("service_popularity/", full),
        ("funnel/", {}),
        ("funnel/", full),
        ("therapist_workload/", {**full, "format": "csv"}),
    ]
    print(f"{'endpoint':<58} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8} {'rows':>6} {'bytes':>8}")
    for path, params in cases:
        url = "/api/scheduling/reports/" + path
        timings = []
        for _ in range(repeat + 3):
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params)
        view_sql = captured.captured_queries[-1]["sql"]  # the report query, parameters inlined by Django
        floor = []
        with connection.cursor() as cursor:
            for _ in range(repeat):
                start = time.perf_counter()
                cursor.execute(view_sql)
                cursor.fetchall()
                floor.append((time.perf_counter() - start) * 1000)
        timings = sorted(timings[3:])  # the first three warm the connection and the plan cache
        queries = response["Server-Timing"].split('desc="')[1].split(" ")[0]
        rows = response.json()["count"] if params.get("format") != "csv" else response.content.count(b"\n") - 1
        label = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items() if k not in full) if params else "")
        label += " (120 days)" if params.get("date_after") else " (30 days)"
        print(
            f"{label:<58} {queries:>7} {statistics.median(timings):>8.1f} "
            f"{timings[int(len(timings) * 0.95) - 1]:>8.1f} {statistics.median(floor):>8.1f} {rows:>6} "
            f"{len(response.content):>8}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", action="store_true", help="wipe the appointment data and seed the standard set")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    if args.seed:
        seed()
    bench(args.repeat)
