"""The database rules of the appointment lifecycle, declared once and used by the models' Meta.triggers.
(The allowed status changes themselves, pgtrigger.FSM's transitions, come from scheduling/lifecycle.py.)

- status_count_triggers(): statement-level triggers with transition tables that keep the (date, status)
  counter table exact on insert, update and delete, one upsert per statement however many rows it touches.
- sync_bookings_func(): keeps scheduling_staffbooking (one row per staff member holding an appointment's time
  range) in step with the appointment, so the exclusion constraint on that table forbids double booking.
"""

import pgtrigger

from scheduling.lifecycle import DRIVER_HELD, THERAPIST_FREED
from scheduling.models.rollups import TOTAL_SHARDS, TOTAL_TABLE


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


COUNTER_TABLE = "scheduling_appointmentstatuscount"

_UPSERT = f"""
    INSERT INTO {COUNTER_TABLE} AS c (date, status, count)
    SELECT date, status, sum(delta) FROM ({{deltas}}) AS d
    GROUP BY date, status HAVING sum(delta) <> 0
    ORDER BY date, status
    ON CONFLICT (date, status) DO UPDATE SET count = c.count + EXCLUDED.count;
    -- the same deltas per status over all dates (scheduling/models/rollups.py), in this backend's shard
    INSERT INTO {TOTAL_TABLE} AS t (status, shard, count)
    SELECT status, pg_backend_pid() % {TOTAL_SHARDS}, sum(delta) FROM ({{deltas}}) AS d
    GROUP BY status HAVING sum(delta) <> 0
    ORDER BY status
    ON CONFLICT (status, shard) DO UPDATE SET count = t.count + EXCLUDED.count;
    RETURN NULL;
"""


def status_count_triggers() -> list[pgtrigger.Trigger]:
    new = "SELECT date, status, 1 AS delta FROM new_rows"
    old = "SELECT date, status, -1 AS delta FROM old_rows"
    return [
        pgtrigger.Trigger(
            name="appointment_status_count_ins",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Insert,
            referencing=pgtrigger.Referencing(new="new_rows"),
            func=_UPSERT.format(deltas=new),
        ),
        pgtrigger.Trigger(
            name="appointment_status_count_upd",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Update,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
            func=_UPSERT.format(deltas=f"{new} UNION ALL {old}"),
        ),
        pgtrigger.Trigger(
            name="appointment_status_count_del",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Delete,
            referencing=pgtrigger.Referencing(old="old_rows"),
            func=_UPSERT.format(deltas=old),
        ),
    ]


# Wall-clock times as a UTC range (only overlap matters); the SQL function of migration 0008 puts an end at or
# before the start on the next day.
PERIOD_SQL = "wall_clock_range(a.date, a.start_time, a.end_time)"

BOOKING_RELEVANT_CHANGE = " OR ".join(
    f'OLD."{col}" IS DISTINCT FROM NEW."{col}"'
    for col in ("date", "start_time", "end_time", "status", "therapist_id", "driver_id")
)


def sync_bookings_func(appointment_id_sql: str) -> str:
    return f"""
    DELETE FROM scheduling_staffbooking WHERE appointment_id = {appointment_id_sql};
    INSERT INTO scheduling_staffbooking (appointment_id, staff_id, role, period)
    SELECT a.id, s.staff_id, s.role, {PERIOD_SQL}
    FROM scheduling_appointment AS a
    CROSS JOIN LATERAL (
        SELECT a.therapist_id AS staff_id, 'therapist' AS role WHERE a.therapist_id IS NOT NULL
        UNION
        SELECT l.therapist_id, 'therapist' FROM scheduling_appointmenttherapist AS l WHERE l.appointment_id = a.id
        UNION
        SELECT a.driver_id, 'driver' WHERE a.driver_id IS NOT NULL AND a.status IN ({_sql_list(DRIVER_HELD)})
    ) AS s
    WHERE a.id = {appointment_id_sql} AND a.status NOT IN ({_sql_list(THERAPIST_FREED)});
    RETURN NULL;
    """
