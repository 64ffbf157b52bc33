"""Operator reports (SPEC section 6 `reports/`): each endpoint reads one report_* view in one query.

Query parameters: date_after, date_before (inclusive; default the last 30 days; at most 400 days apart),
the staff/service filter where it applies, and format=json|csv."""

import csv
import datetime as dt
import functools
import typing
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, PositiveInt

from api.schema_rendering import json_response, schema_response
from scheduling.selectors import reports as selectors
from scheduling.selectors.reports import DateSpan, ReportRows

router = Router(tags=["reports"])

# format=csv answers text/csv: declared beside the JSON body so clients (and contract tests) expect it.
CSV_RESPONSE = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string", "format": "csv"}}}}}}


class ReportParams(Schema):
    date_after: dt.date | None = Field(None, description="first appointment date, inclusive (YYYY-MM-DD)")
    date_before: dt.date | None = Field(None, description="last appointment date, inclusive (YYYY-MM-DD)")
    format: Literal["json", "csv"] = Field("json", description="csv: a spreadsheet download with a header row")


class WorkloadParams(ReportParams):
    period: Literal["day", "week"] = Field("day", description="week: whole ISO weeks overlapping the range")


class TherapistWorkloadParams(WorkloadParams):
    therapist: PositiveInt | None = Field(None, description="one therapist's id")


class DriverWorkloadParams(WorkloadParams):
    driver: PositiveInt | None = Field(None, description="one driver's id")


class ServicePopularityParams(ReportParams):
    service: PositiveInt | None = Field(None, description="one service's id")


# Rows are plain pydantic models: they validate dicts from .values(), and skip ninja Schema's per-object
# attribute resolver, which costs about 0.2 ms a row (a second for a 4,800-row report).


class RevenueRow(BaseModel):
    date: dt.date
    appointments: int
    revenue_billed: Decimal
    revenue_paid: Decimal
    paid_cash: Decimal
    paid_gcash: Decimal
    paid_bank_transfer: Decimal
    paid_credit_card: Decimal
    paid_unrecorded: Decimal
    revenue_extension: Decimal = Field(description="service extensions (metadata.service_extension), apart from paid")


class TherapistWorkloadRow(BaseModel):
    therapist_id: int
    therapist_username: str
    therapist_name: str
    date: dt.date | None = Field(None, description="period=day")
    week_start: dt.date | None = Field(None, description="period=week: the Monday")
    appointments: int
    completed: int
    booked_minutes: int
    revenue_billed: Decimal
    revenue_paid: Decimal
    rejections: int


class DriverWorkloadRow(BaseModel):
    driver_id: int
    driver_username: str
    driver_name: str
    date: dt.date | None = Field(None, description="period=day")
    week_start: dt.date | None = Field(None, description="period=week: the Monday")
    appointments: int
    trips_out: int
    trips_back: int
    completed: int
    booked_minutes: int
    revenue_billed: Decimal
    revenue_paid: Decimal
    rejections: int


class ServicePopularityRow(BaseModel):
    month: dt.date
    service_id: int
    service_name: str
    bookings: int
    completed: int
    dropped: int
    revenue_billed: Decimal


class FunnelRow(BaseModel):
    date: dt.date
    booked: int
    pending: int
    confirmed: int
    completed: int
    rejected: int
    cancelled: int
    auto_cancelled: int
    confirmation_rate: float
    completion_rate: float
    rejection_rate: float
    cancellation_rate: float


class ReportOut(Schema):
    date_after: dt.date
    date_before: dt.date
    count: int


class RevenueReport(ReportOut):
    results: list[RevenueRow]


class TherapistWorkloadReport(ReportOut):
    period: str
    results: list[TherapistWorkloadRow]


class DriverWorkloadReport(ReportOut):
    period: str
    results: list[DriverWorkloadRow]


class ServicePopularityReport(ReportOut):
    results: list[ServicePopularityRow]


class FunnelReport(ReportOut):
    results: list[FunnelRow]


def _window(request: HttpRequest, params: ReportParams) -> DateSpan:
    return selectors.report_window_for(request.auth, params.date_after, params.date_before)


@functools.cache
def _row_fields(report_schema: type[ReportOut]) -> tuple[tuple[str, str], ...]:
    """The report's row schema as selectors.reports reads JSON rows: each field and its kind (money, float)."""
    row = typing.get_args(report_schema.model_fields["results"].annotation)[0]
    kinds = {Decimal: "money", float: "float"}
    return tuple((name, kinds.get(field.annotation, "")) for name, field in row.model_fields.items())


def _json_fields(params: ReportParams, report_schema: type[ReportOut]) -> tuple[tuple[str, str], ...] | None:
    """JSON rows rendered by PostgreSQL in the row schema's shape, unless the caller asked for CSV."""
    return None if params.format == "csv" else _row_fields(report_schema)


def _answer(
    name: str, window: DateSpan, report: ReportRows, params: ReportParams, schema: type[ReportOut], **extra
) -> HttpResponse:
    """The report as `schema` renders it (rows keep only the row schema's fields, a weekly row's `date` is null), or
    its CSV. The rows come as PostgreSQL rendered them (_json_fields), or, when a report fell back to its view, as
    dicts rendered by api.schema_rendering; tests/api/test_reports_api.py checks both equal Ninja's rendering."""
    if params.format == "csv":
        return _csv(name, window, report)
    body = {
        "date_after": window.date_after,
        "date_before": window.date_before,
        "count": len(report),
        **extra,
        "results": report.rows,
    }
    if report.items is not None:
        return json_response({**body, "results": report.items})
    return schema_response(body, schema)


def _csv(name: str, window: DateSpan, report: ReportRows) -> HttpResponse:
    """The view's columns as the header row (also when there are no rows), one line per row."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}_{window.date_after}_{window.date_before}.csv"'
    writer = csv.writer(response)
    writer.writerow(report.columns)
    writer.writerows([row[c] for c in report.columns] for row in report.rows)
    return response


@router.get(
    "/revenue/", response=RevenueReport, summary="Revenue per day, by payment method", openapi_extra=CSV_RESPONSE
)
def revenue(request: HttpRequest, params: Query[ReportParams]):
    """Operators only. One row per day of the window from the view report_revenue_daily: appointments, billed and paid
    revenue, paid per method. `format=csv` downloads it."""
    window = _window(request, params)
    rows = selectors.revenue_daily(window, _json_fields(params, RevenueReport))
    return _answer("revenue", window, rows, params, RevenueReport)


@router.get(
    "/therapist_workload/",
    response=TherapistWorkloadReport,
    summary="Workload per therapist per day/week",
    openapi_extra=CSV_RESPONSE,
)
def therapist_workload(request: HttpRequest, params: Query[TherapistWorkloadParams]):
    """Operators only. Appointments, completed ones, booked minutes, billed and paid revenue and rejections per
    therapist per day or week (views report_therapist_workload_daily/_weekly). `format=csv` downloads it."""
    window = _window(request, params)
    fields = _json_fields(params, TherapistWorkloadReport)
    rows = selectors.therapist_workload(window, params.period, params.therapist, fields)
    return _answer(
        f"therapist_workload_{params.period}", window, rows, params, TherapistWorkloadReport, period=params.period
    )


@router.get(
    "/driver_workload/",
    response=DriverWorkloadReport,
    summary="Workload per driver per day/week",
    openapi_extra=CSV_RESPONSE,
)
def driver_workload(request: HttpRequest, params: Query[DriverWorkloadParams]):
    """Operators only. Appointments, trips out and back, completed ones, booked minutes and revenue per driver per day
    or week (views report_driver_workload_daily/_weekly). `format=csv` downloads it."""
    window = _window(request, params)
    rows = selectors.driver_workload(window, params.period, params.driver, _json_fields(params, DriverWorkloadReport))
    return _answer(f"driver_workload_{params.period}", window, rows, params, DriverWorkloadReport, period=params.period)


@router.get(
    "/service_popularity/",
    response=ServicePopularityReport,
    summary="Bookings and revenue per service/month",
    openapi_extra=CSV_RESPONSE,
)
def service_popularity(request: HttpRequest, params: Query[ServicePopularityParams]):
    """Operators only. Bookings, completed and dropped ones and billed revenue per service and month (view
    report_service_popularity_monthly). `format=csv` downloads it."""
    window = _window(request, params)
    rows = selectors.service_popularity(window, params.service, _json_fields(params, ServicePopularityReport))
    return _answer("service_popularity", window, rows, params, ServicePopularityReport)


@router.get("/funnel/", response=FunnelReport, summary="Booking funnel per day, with rates", openapi_extra=CSV_RESPONSE)
def funnel(request: HttpRequest, params: Query[ReportParams]):
    """Operators only. Per day: booked, pending, confirmed, completed, rejected, cancelled and auto-cancelled
    appointments with the confirmation, completion, rejection and cancellation rates (view report_funnel_daily).
    `format=csv` downloads it."""
    window = _window(request, params)
    rows = selectors.funnel_daily(window, _json_fields(params, FunnelReport))
    return _answer("funnel", window, rows, params, FunnelReport)
