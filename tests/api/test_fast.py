"""schema_response renders exactly what Ninja's validated response would, for the shapes the API uses."""

import datetime as dt
import re

import orjson
import pytest
from django.utils import timezone

from api.availabilities import AvailabilityOut
from api.catalog import ServiceOut
from api.clients import ClientOut
from api.notifications import NotificationPage
from api.pagination import Page
from api.renderers import dumps
from api.schema_rendering import dump, schema_response
from api.schemas import UserOut
from api.staff import ActiveStaffOut


def ninja_json(data, schema) -> bytes:
    """What Ninja does: validate through the schema, dump, render."""
    return dumps(schema.model_validate(data).model_dump())


INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def same_instants(value):
    """`value` with every ISO 8601 date-time string parsed: two spellings of one instant compare equal."""
    if isinstance(value, dict):
        return {k: same_instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [same_instants(v) for v in value]
    if isinstance(value, str) and INSTANT.match(value):
        return dt.datetime.fromisoformat(value)
    return value


def test_model_instances_with_resolvers_match_ninja(therapist, make_availability, make_client, make_service):
    slot = make_availability(user=therapist, start_time=dt.time(22), end_time=dt.time(2))
    cases = [
        (therapist, UserOut),
        (slot, AvailabilityOut),
        (make_client(last_name=""), ClientOut),
        (make_service(name="Hot Stone", duration=90), ServiceOut),
    ]
    for obj, schema in cases:
        assert schema_response(obj, schema).content == ninja_json(obj, schema)


def test_nested_envelopes_and_lists_match_ninja(operator, therapist, driver):
    page = {
        "count": 2,
        "total_pages": 1,
        "current_page": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "has_next": False,
        "has_previous": False,
        "results": [therapist, driver],
    }
    assert schema_response(page, Page[UserOut]).content == ninja_json(page, Page[UserOut])
    active = {"staff": [operator, therapist], "count": 2, "filter": {"role": None, "is_active": True}}
    assert schema_response(active, ActiveStaffOut).content == ninja_json(active, ActiveStaffOut)
    assert orjson.loads(schema_response([therapist, driver], list[UserOut]).content)[1]["role"] == "driver"


def test_dicts_with_optional_nested_objects_match_ninja(db):
    item = {
        "id": 1,
        "notification_type": "system",
        "type": "system",
        "message": "m",
        "is_read": False,
        "created_at": timezone.now(),
        "appointment": 5,
        "rejection": None,
        "appointment_info": {"id": 5, "date": dt.date(2030, 1, 1), "status": "pending"},
    }
    bare = {**item, "id": 2, "appointment": None, "appointment_info": None}
    results = {"notifications": [item, bare], "unreadCount": 2}
    page = {
        "count": 2,
        "total_pages": 1,
        "current_page": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "has_next": False,
        "has_previous": False,
        "results": results,
        **results,
    }
    assert schema_response(page, NotificationPage).content == ninja_json(page, NotificationPage)


def test_instance_method_resolvers_are_refused():
    from ninja import Schema

    class Bad(Schema):
        x: int

        def resolve_x(self, obj):
            return 1

    with pytest.raises(TypeError):
        dump({}, Bad)


def test_the_notifications_page_is_exactly_its_declared_schema(
    api_client, operator, make_appointment, make_notification
):
    appointment = make_appointment()
    make_notification(user=operator, appointment=appointment)
    make_notification(user=operator, is_read=True)
    response = api_client(operator).get("/api/scheduling/notifications/")
    assert response.status_code == 200
    body = orjson.loads(response.content)
    assert len(body["notifications"]) == 2
    # PostgreSQL renders the page (selectors/notifications.py): the same keys, values and types as Ninja's rendering,
    # with its own spelling of an instant (no trailing zeros in the fraction of a second)
    assert same_instants(body) == same_instants(orjson.loads(ninja_json(body, NotificationPage)))
    assert response.content == orjson.dumps(body)  # compact, as orjson writes it
