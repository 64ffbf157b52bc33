"""Schemas shared by several routers."""

from datetime import datetime, time
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema


class Message(Schema):
    detail: str


class UserBrief(Schema):
    """A person as nested in other objects (therapist_details, driver_details, ...)."""

    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str
    role: str
    phone: str


class UserOut(Schema):
    """A staff member's public profile. Never carries the password hash or tokens."""

    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    email_verified: bool = Field(description="false until a changed e-mail address is verified")
    phone: str
    phone_number: str = Field(description="the same as phone (the frontend's name)")
    role: str
    is_active: bool
    specialization: str
    massage_pressure: str
    license_number: str
    motorcycle_plate: str
    last_available_at: datetime | None
    date_joined: datetime

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.display_name

    @staticmethod
    def resolve_phone_number(obj) -> str:
        return obj.phone


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give a local wall-clock time without a UTC offset, such as 14:30 or 14:30:00")
    return value


# Appointment and availability times are local wall-clock times (PostgreSQL `time`, no zone): an offset such as
# "10:00+05:00" would turn into `timetz` in SQL and into aware/naive arithmetic errors in Python, so it is refused.
# OpenAPI's format "time" is RFC 3339 full-time, which requires an offset; these are RFC 3339 partial-time.
LocalTime = Annotated[
    time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "format": "partial-time",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["14:30:00"],
        }
    ),
]
