"""Request and response shapes of /api/scheduling/appointments/ (documented in OpenAPI).

Responses are built as JSON by PostgreSQL (view appointment_list_rows) and sent as they come; AppointmentOut
documents that JSON, and a test validates real responses against it so the documentation cannot drift.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import orjson
from ninja import Field, Schema
from pydantic import AfterValidator, model_validator

from api.schemas import LocalTime, UserBrief
from scheduling.models import AppointmentStatus, PaymentMethod, PaymentStatus

Money = str  # decimals travel as strings ("500.00") so no precision is lost
METADATA_MAX_BYTES = 16 * 1024


def _bounded_metadata(value: dict | None) -> dict | None:
    # Every list of that day carries the metadata: keep it small (issue 14).
    if value is not None and len(orjson.dumps(value)) > METADATA_MAX_BYTES:
        raise ValueError(f"metadata is larger than {METADATA_MAX_BYTES // 1024} kB as JSON")
    return value


Metadata = Annotated[dict, AfterValidator(_bounded_metadata)]


class ClientBrief(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    phone_number: str
    email: str | None
    address: str


class PersonDetails(UserBrief):
    """A person nested in an appointment, with what the frontend's cards show."""

    email: str
    phone_number: str = Field(description="the same as phone")
    specialization: str = Field(description="therapists; blank for others")
    motorcycle_plate: str = Field(description="drivers; blank for others")


class GroupTherapist(PersonDetails):
    confirmed_at: dt.datetime | None


class ServiceBrief(Schema):
    id: int
    name: str
    duration: int = Field(description="minutes")
    price: Money
    oil: str


class RejectionOut(Schema):
    id: int
    reason: str
    rejected_by: int
    rejected_by_name: str | None
    rejected_at: dt.datetime
    operator_response: Literal["pending", "accepted", "denied"]
    operator_response_reason: str
    reviewed_by: int | None
    reviewed_at: dt.datetime | None


class AppointmentOut(Schema):
    id: int
    client: int
    therapist: int | None
    therapists: list[int] = Field(description="group booking therapists (empty for a one-therapist booking)")
    driver: int | None
    operator: int | None
    services: list[int]
    group_size: int
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime = Field(description="before start_time: the appointment ends the next day")
    location: str
    notes: str
    status: AppointmentStatus
    payment_status: PaymentStatus
    payment_method: str
    payment_amount: Money | None
    payment_verified_at: dt.datetime | None
    payment_verified_by: int | None
    payment_notes: str
    receipt_hash: str
    receipt_url: str
    pickup_urgency: str
    pickup_notes: str
    pickup_request_time: dt.datetime | None
    estimated_pickup_time: dt.datetime | None
    pickup_confirmed_at: dt.datetime | None
    rejection_reason: str
    rejected_by: int | None
    rejected_at: dt.datetime | None
    response_deadline: dt.datetime | None
    therapist_confirmed_at: dt.datetime | None
    driver_confirmed_at: dt.datetime | None
    started_at: dt.datetime | None
    journey_started_at: dt.datetime | None
    arrived_at: dt.datetime | None
    dropped_off_at: dt.datetime | None
    session_started_at: dt.datetime | None
    awaiting_payment_at: dt.datetime | None
    completed_at: dt.datetime | None
    return_journey_completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancellation_reason: str
    metadata: dict
    created_at: dt.datetime
    updated_at: dt.datetime
    client_details: ClientBrief
    therapist_details: PersonDetails | None
    therapists_details: list[GroupTherapist]
    driver_details: PersonDetails | None
    operator_details: PersonDetails | None
    services_details: list[ServiceBrief]
    rejection_details: RejectionOut | None = Field(description="the latest rejection, if any")
    service_count: int
    total_duration: int = Field(description="minutes, from the appointment_totals view")
    total_price: Money = Field(description="from the appointment_totals view")
    formatted_date: str = Field(examples=["November 30, 2026"])
    formatted_start_time: str = Field(examples=["10:00 AM"])
    formatted_end_time: str = Field(examples=["11:30 AM"])


class AppointmentIn(Schema):
    client: int
    services: list[int] = Field(min_length=1)
    therapist: int | None = Field(None, description="the main therapist")
    therapists: list[int] = Field(default_factory=list, description="more than one therapist: a group booking")
    driver: int | None = None
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime | None = Field(None, description="default: start_time + the services' total duration")
    location: str = Field(min_length=1, max_length=1000)
    notes: str = Field("", max_length=5000)
    metadata: Metadata = Field(default_factory=dict, description="at most 16 kB as JSON")


class AppointmentPatch(Schema):
    status: AppointmentStatus | None = Field(
        None,
        description="the lifecycle step leading from the current status to this one, with that step's role, status "
        "rules, input (its other keys in this body) and notifications; the other fields are then ignored",
    )
    client: int | None = None
    services: list[int] | None = Field(None, min_length=1)
    therapist: int | None = None
    therapists: list[int] | None = None
    driver: int | None = None
    date: dt.date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    location: str | None = Field(None, min_length=1, max_length=1000)
    notes: str | None = Field(None, max_length=5000)
    metadata: Metadata | None = Field(None, description="at most 16 kB as JSON")


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


def _either(data: object, ours: str, theirs: str) -> object:
    """The frontend's spelling of a key (`theirs`) fills ours when ours is not given."""
    data = getattr(data, "_obj", data)  # Ninja hands validators its DjangoGetter wrapper
    if isinstance(data, dict) and data.get(ours) in (None, "") and data.get(theirs) not in (None, ""):
        return {**data, ours: data[theirs]}
    return data


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="required (or as rejection_reason)")
    rejection_reason: str | None = Field(None, max_length=2000, description="the frontend's name for reason")

    @model_validator(mode="before")
    @classmethod
    def _alias(cls, data: object) -> object:
        return _either(data, "reason", "rejection_reason")


class ReviewIn(Schema):
    action: Literal["accept", "deny"]
    reason: str = Field("", max_length=2000)


class PaymentIn(Schema):
    payment_method: PaymentMethod
    payment_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="a number or a string")
    payment_notes: str | None = Field("", max_length=2000, description="null: none")
    receipt_hash: str | None = Field("", max_length=128, description="null: none (cash)")
    receipt_url: str | None = Field("", max_length=500, description="null: none (cash)")
    has_service_extension: bool = Field(False, description="the client paid for extra time")
    extension_amount: Decimal | None = Field(
        None, ge=0, max_digits=10, decimal_places=2, description="stored as metadata.service_extension"
    )


class PickupIn(Schema):
    urgency: Literal["normal", "urgent"] = Field("normal", description="or as pickup_urgency")
    notes: str = Field("", max_length=2000, description="or as pickup_notes")
    pickup_urgency: Literal["normal", "urgent"] | None = Field(None, description="the frontend's name for urgency")
    pickup_notes: str | None = Field(None, max_length=2000, description="the frontend's name for notes")

    @model_validator(mode="before")
    @classmethod
    def _alias(cls, data: object) -> object:
        return _either(_either(data, "urgency", "pickup_urgency"), "notes", "pickup_notes")


class AssignDriverIn(Schema):
    driver: int


class StatusCountsOut(Schema):
    counts: dict[str, int] = Field(description="every status, 0 when none")
    total: int
    date: dt.date | None
    source: Literal["counter_table", "live_count"]


class AutoCancelOut(Schema):
    cancelled: int
    ids: list[int]
