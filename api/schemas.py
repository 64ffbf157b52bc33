"""Schemas shared by several routers."""

from datetime import datetime

from ninja import Schema


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
    phone: str
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
        return f"{obj.first_name} {obj.last_name}".strip() or obj.username
