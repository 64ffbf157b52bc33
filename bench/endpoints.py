"""The endpoints the benchmark measures: one table, easy to extend.

`paths` are tried in order; the first that answers 200 is measured (so an endpoint mounted at either of the
places the SPEC allows is found). Placeholders in braces come from the run's context (see `context()` in
bench/inprocess.py): {today}, {week_start}, {tomorrow}.
`as_user` names who calls: operator, therapist, driver, or notified (the user with the most notifications).
`heavy` endpoints return hundreds of rows: fewer repetitions.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("operator", "therapist", "driver")
APPOINTMENTS = "/api/scheduling/appointments/"
REPORTS = "/api/scheduling/reports/"


@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: tuple[str, ...]
    as_user: str = "operator"
    heavy: bool = False
    http: bool = False  # also driven over real HTTP
    growth: bool = False  # also measured as the data grows

    def key(self) -> str:
        return f"{self.name} [{self.as_user}]"


def _appointment_pages() -> list[Endpoint]:
    rows = []
    for size in (12, 50, 200):
        for role in ROLES:
            rows.append(
                Endpoint(
                    f"appointments page {size}",
                    (f"{APPOINTMENTS}?page_size={size}",),
                    as_user=role,
                    heavy=size == 200,
                    http=size == 50 and role == "operator",
                    growth=size == 50 and role == "operator",
                )
            )
    return rows


WINDOW = "date={tomorrow}&start_time=10:00&end_time=11:00"

ENDPOINTS: list[Endpoint] = [
    # references: the cheapest authenticated and anonymous answers the API can give
    Endpoint("auth me", ("/api/auth/me/",)),
    Endpoint("health", ("/api/health/",)),
    *_appointment_pages(),
    Endpoint("appointments today", (f"{APPOINTMENTS}today/",)),
    Endpoint("appointments upcoming", (f"{APPOINTMENTS}upcoming/",), heavy=True),
    Endpoint("appointments by_week", (f"{APPOINTMENTS}by_week/?week_start={{week_start}}",), heavy=True),
    Endpoint("appointments status_counts", (f"{APPOINTMENTS}status_counts/",)),
    Endpoint("appointments status_counts", (f"{APPOINTMENTS}status_counts/",), as_user="therapist"),
    Endpoint("notifications page", ("/api/scheduling/notifications/",), as_user="notified", http=True, growth=True),
    Endpoint(
        "notifications unread_count",
        ("/api/scheduling/notifications/unread_count/",),
        as_user="notified",
        http=True,
        growth=True,
    ),
    Endpoint("staff", ("/api/scheduling/staff/",)),
    Endpoint("staff active_staff", ("/api/scheduling/staff/active_staff/",)),
    Endpoint(
        "available_therapists",
        (
            f"/api/scheduling/available_therapists/?{WINDOW}",
            f"/api/scheduling/availabilities/available_therapists/?{WINDOW}",
        ),
    ),
    Endpoint("clients", ("/api/scheduling/clients/",)),
    Endpoint("services", ("/api/scheduling/services/",)),
    # every dashboard polls these two; the operators' attendance page reads the summary
    Endpoint("attendance records", ("/api/attendance/records/?date={today}",)),
    Endpoint("attendance records", ("/api/attendance/records/?date={today}",), as_user="therapist"),
    Endpoint("attendance today-status", ("/api/attendance/today-status/",), as_user="therapist"),
    Endpoint("attendance summary", ("/api/attendance/summary/?date={today}",)),
    # reports: the default window (the last 30 days), read from the daily roll-ups; growth adds older history
    *[
        Endpoint(f"reports {name}", (f"{REPORTS}{path}",), growth=name in ("revenue", "therapist_workload"))
        for name, path in (
            ("revenue", "revenue/"),
            ("therapist_workload", "therapist_workload/"),
            ("therapist_workload week", "therapist_workload/?period=week"),
            ("driver_workload", "driver_workload/"),
            ("service_popularity", "service_popularity/"),
            ("funnel", "funnel/"),
        )
    ],
]
