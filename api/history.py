"""GET /api/scheduling/appointments/{id}/history/: who changed what in an appointment, newest first (operators)."""

import datetime as dt
import uuid
from typing import Any

from ninja import Query, Router, Schema

from api.pagination import Page, PageParams, paginate
from api.schemas import Message
from scheduling.selectors import history as selectors

router = Router(tags=["history"])

COLUMNS = ("event_id", "changed_at", "event", "actor_id", "actor_name", "context_id", "changes")


class Actor(Schema):
    id: int
    name: str


class FieldChange(Schema):
    field: str
    old: Any = None
    new: Any = None


class ChangeOut(Schema):
    id: str
    changed_at: dt.datetime
    event: str
    actor: Actor | None
    context_id: uuid.UUID | None
    changes: list[FieldChange]


def _rendered(rows: list[dict]) -> list[dict]:
    return [
        {
            "id": row["event_id"],
            "changed_at": row["changed_at"],
            "event": row["event"],
            "actor": {"id": row["actor_id"], "name": row["actor_name"]} if row["actor_id"] is not None else None,
            "context_id": row["context_id"],
            "changes": [{"field": f, "old": v["old"], "new": v["new"]} for f, v in sorted(row["changes"].items())],
        }
        for row in rows
    ]


@router.get(
    "/{int:appointment_id}/history/",
    response={200: Page[ChangeOut], 403: Message, 404: Message, 422: Message},
    summary="Change history of an appointment (operators)",
    description="Every recorded change of the appointment, its services and therapists, newest first: the event, "
    "the staff user whose request made it (null for raw SQL and commands) and each changed field's old and new "
    "value. Paginated. Therapists and drivers: 403 for their own appointments, 404 for others.",
)
def appointment_history(request, appointment_id: int, params: Query[PageParams]):
    rows = selectors.appointment_changes_for(request.auth, appointment_id)
    page = paginate(request, rows.values(*COLUMNS), params)
    page["results"] = _rendered(page["results"])
    if page["count"] == 0:
        selectors.check_exists(appointment_id)
    return page
