"""Attendance on the live channel: a check-in, check-out, approval, correction or absence is pushed to those who may
see the record through REST (`records_visible_to`: every operator, and the person themself), whoever wrote it.

Message: `{type: "attendance_update", action: "created"|"updated"|"deleted", record: {...}}`, the record exactly
as `GET /api/attendance/records/` renders it; a deleted record is `{id, staff_member: {id}}` and goes to the
person and the operators.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduling.live.events import Outgoing, Peer, audience, handles, message
from scheduling.selectors.attendance import records_visible_to, rows_by_id

ATTENDANCE_EVENT = "attendance_update"
ACTIONS = {"I": "created", "U": "updated", "D": "deleted"}


@handles("attendance")
def attendance_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    """One query for the records, one for who may see them (a day marked absent at once is one batch)."""
    last = {row["id"]: (op, row["u"]) for op, row in rows}
    records = rows_by_id(last)
    seen = audience(records_visible_to, peers, records)
    out: list[Outgoing] = []
    for record_id, (op, person) in last.items():
        record = records.get(record_id)
        if record is None:  # deleted: the person, and those who see every record (the selector's unfiltered case)
            gone = {"id": record_id, "staff_member": {"id": person}}
            text = message(ATTENDANCE_EVENT, action="deleted", record=gone)
            targets = [p for p in peers if p.user.pk == person or p.user.is_operator]
        else:
            text = message(ATTENDANCE_EVENT, action=ACTIONS[op], record=record)
            targets = [p for p in peers if (p.user.pk, record_id) in seen]
        out += [Outgoing(p, text) for p in targets]
    return out
