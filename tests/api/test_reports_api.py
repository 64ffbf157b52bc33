"""The operator report endpoints: roles, parameters, query budgets, CSV, and agreement with the views."""

import csv
import datetime as dt
import io
from decimal import Decimal

import orjson
import pytest
from django.utils import timezone

from api import reports
from api.renderers import dumps
from scheduling.models import AppointmentTherapist
from scheduling.models.rollups import ROLLUPS
from tests.report_dataset import (
    FIRST_DAY,
    build_dataset,
    expected_funnel,
    expected_revenue,
    expected_service_popularity,
    expected_workload,
)

BASE = "/api/scheduling/reports/"
REPORTS = ["revenue/", "therapist_workload/", "driver_workload/", "service_popularity/", "funnel/"]
RANGE = {"date_after": "2026-03-02", "date_before": "2026-04-15"}


def _json_rows(rows: list[dict]) -> list[dict]:
    """A recomputed row as the JSON renderer writes it: dates ISO, money as strings."""
    out = []
    for row in rows:
        out.append(
            {
                k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
                for k, v in row.items()
            }
        )
    return out


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_therapists_and_drivers_may_not_read_reports(api_client, therapist, driver, path, role):
    user = therapist if role == "therapist" else driver
    response = api_client(user).get(BASE + path)
    assert response.status_code == 403
    assert "operator" in response.json()["detail"]


@pytest.mark.parametrize("path", REPORTS)
def test_reports_need_a_token(api_client, db, path):
    assert api_client().get(BASE + path).status_code == 401


def test_the_operator_reads_every_report_as_the_views_compute_it(api_client, operator, factories):  # noqa: F811
    data = build_dataset(5, factories)
    client = api_client(operator)

    body = client.get(BASE + "revenue/", RANGE).json()
    assert body["date_after"] == "2026-03-02" and body["date_before"] == "2026-04-15"
    assert body["count"] == len(body["results"]) > 0
    assert body["results"] == _json_rows(expected_revenue(data))

    for role in ("therapist", "driver"):
        for period, key in (("day", "date"), ("week", "week_start")):
            body = client.get(BASE + f"{role}_workload/", {**RANGE, "period": period}).json()
            assert body["period"] == period
            rows = [
                {k: v for k, v in r.items() if v is not None or k not in ("date", "week_start")}
                for r in body["results"]
            ]
            expected = _json_rows(expected_workload(data, role, week=period == "week"))
            assert sorted(rows, key=lambda r: (r[key], r[f"{role}_id"])) == expected

    body = client.get(BASE + "service_popularity/", RANGE).json()
    assert body["results"] == _json_rows(expected_service_popularity(data))

    body = client.get(BASE + "funnel/", RANGE).json()
    assert body["results"] == _json_rows(expected_funnel(data))


def test_the_staff_and_service_filters_narrow_the_rows(api_client, operator, factories):  # noqa: F811
    data = build_dataset(6, factories)
    client = api_client(operator)
    therapist_id = next(b.therapist_id for b in data.bookings if b.therapist_id)
    driver_id = next(b.driver_id for b in data.bookings if b.driver_id)
    service_id = data.services[2].id

    rows = client.get(BASE + "therapist_workload/", {**RANGE, "therapist": therapist_id}).json()["results"]
    assert rows and {r["therapist_id"] for r in rows} == {therapist_id}
    rows = client.get(BASE + "driver_workload/", {**RANGE, "driver": driver_id, "period": "week"}).json()["results"]
    assert rows and {r["driver_id"] for r in rows} == {driver_id}
    rows = client.get(BASE + "service_popularity/", {**RANGE, "service": service_id}).json()["results"]
    assert rows and {r["service_id"] for r in rows} == {service_id}


def test_without_dates_a_report_covers_the_last_30_days(api_client, operator):
    today = timezone.localdate()
    body = api_client(operator).get(BASE + "revenue/").json()
    assert body["date_before"] == today.isoformat()
    assert body["date_after"] == (today - dt.timedelta(days=29)).isoformat()


def test_with_one_date_a_report_covers_30_days_from_it(api_client, operator):
    body = api_client(operator).get(BASE + "funnel/", {"date_after": "2026-03-01"}).json()
    assert (body["date_after"], body["date_before"]) == ("2026-03-01", "2026-03-30")
    body = api_client(operator).get(BASE + "funnel/", {"date_before": "2026-03-30"}).json()
    assert (body["date_after"], body["date_before"]) == ("2026-03-01", "2026-03-30")


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"date_after": "yesterday"}, 422, "date_after"),
        ({"date_before": "2026-02-30"}, 422, "date_before"),
        ({"date_after": "2026-04-02", "date_before": "2026-04-01"}, 400, "date_after"),
        ({"date_after": "2025-01-01", "date_before": "2026-02-05"}, 400, "date_before"),
        ({"format": "xlsx"}, 422, "format"),
        ({"period": "month"}, 422, "period"),
        ({"therapist": "-3"}, 422, "therapist"),
        ({"therapist": "anna"}, 422, "therapist"),
    ],
)
def test_bad_parameters_get_a_4xx_naming_the_field(api_client, operator, params, status, field):
    response = api_client(operator).get(BASE + "therapist_workload/", params)
    assert response.status_code == status
    assert field in response.json()["error"]
    assert response.json()["detail"]


def test_a_range_of_exactly_400_days_is_allowed_and_401_is_not(api_client, operator):
    client = api_client(operator)
    assert client.get(BASE + "revenue/", {"date_after": "2025-01-01", "date_before": "2026-02-04"}).status_code == 200
    response = client.get(BASE + "revenue/", {"date_after": "2025-01-01", "date_before": "2026-02-05"})
    assert response.status_code == 400
    assert "401 days" in response.json()["detail"]


def _seed(count: int, make_appointment, make_service, make_therapist, make_driver) -> None:
    """count appointments with three services each, group links and a driver, one per day."""
    services = [make_service(name=n) for n in ("Shiatsu", "Combi", "Hand")]
    therapist, partner, driver = make_therapist(), make_therapist(), make_driver()
    for day in range(count):
        appointment = make_appointment(
            therapist=therapist,
            driver=driver,
            date=FIRST_DAY + dt.timedelta(days=day),
            status="transport_completed",
            payment_amount=Decimal("1400.00"),
            payment_method="cash",
            services=services,
        )
        AppointmentTherapist.objects.create(appointment=appointment, therapist=partner)


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("path", [*REPORTS, "therapist_workload/?period=week", "driver_workload/?period=week"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_report_costs_two_queries_whatever_its_size_and_a_fixed_few_more_after_a_write(
    api_client,
    operator,
    make_appointment,
    make_service,
    make_therapist,
    make_driver,
    django_assert_num_queries,
    size,
    path,
    fmt,
):
    _seed(size, make_appointment, make_service, make_therapist, make_driver)
    client = api_client(operator)
    sep = "&" if "?" in path else "?"
    url = f"{BASE}{path}{sep}date_after=2026-03-01&date_before=2026-04-30&format={fmt}"
    # the first read after the writes recounts the dirty days of the window: a fixed number of statements
    # (token, read, savepoint, lock timeout, lock, take the marks, delete + insert per roll-up table, reset,
    # release, read again) whatever the size
    with django_assert_num_queries(9 + 2 * len(ROLLUPS)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(2):  # then: the token, then the roll-up rows and the dirty check in one
        response = client.get(url)
    assert response.status_code == 200
    if fmt == "json":
        assert response.json()["count"] >= 1


@pytest.mark.parametrize("path", REPORTS)
def test_the_csv_variant_is_a_download_with_a_header_row_and_the_json_rows(api_client, operator, factories, path):  # noqa: F811
    build_dataset(8, factories)
    client = api_client(operator)
    body = client.get(BASE + path, RANGE).json()
    response = client.get(BASE + path, {**RANGE, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "2026-03-02_2026-04-15.csv" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    header, lines = table[0], table[1:]
    assert len(lines) == body["count"] > 0
    json_rows = [{k: v for k, v in r.items() if k in header} for r in body["results"]]
    assert set(json_rows[0]) == set(header)
    assert [dict(zip(header, line, strict=True)) for line in lines] == [
        {k: ("" if v is None else str(v)) for k, v in r.items()} for r in json_rows
    ]


def test_an_empty_csv_still_has_its_header_row(api_client, operator):
    response = api_client(operator).get(BASE + "funnel/", {"format": "csv"})
    assert response.content.decode().splitlines() == [
        "date,booked,pending,confirmed,completed,rejected,cancelled,auto_cancelled,"
        "confirmation_rate,completion_rate,rejection_rate,cancellation_rate"
    ]


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("revenue/", "RevenueReport"),
        ("therapist_workload/", "TherapistWorkloadReport"),
        ("therapist_workload/?period=week", "TherapistWorkloadReport"),
        ("driver_workload/", "DriverWorkloadReport"),
        ("driver_workload/?period=week", "DriverWorkloadReport"),
        ("service_popularity/", "ServicePopularityReport"),
        ("funnel/", "FunnelReport"),
    ],
)
def test_a_report_is_exactly_what_ninja_would_render_from_its_schema(
    api_client,
    operator,
    factories,
    path,
    schema,  # noqa: F811
):
    """The reports skip Ninja's validation of every row (api/reports.py _answer): the bytes must still be the
    schema's rendering, with its keys (a weekly row's date null), its types (rates as numbers, money as strings)."""
    build_dataset(3, factories)
    response = api_client(operator).get(BASE + path, RANGE)
    assert response.status_code == 200 and response.json()["count"] > 0
    model = getattr(reports, schema)
    assert response.content == dumps(model.model_validate(orjson.loads(response.content)).model_dump())
