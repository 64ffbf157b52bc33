"""The database rules of the appointment lifecycle, declared once and used by the models' Meta.triggers.

- TRANSITIONS: the allowed status changes of SPEC section 4 (pgtrigger.FSM refuses every other one).
- status_count_triggers(): statement-level triggers with transition tables that keep the (date, status)
  counter table exact on insert, update and delete, one upsert per statement however many rows it touches.
- sync_bookings_func(): keeps scheduling_staffbooking (one row per staff member holding an appointment's time
  range) in step with the appointment, so the exclusion constraint on that table forbids double booking.
"""

import pgtrigger

from scheduling.models.rollups import TOTAL_SHARDS, TOTAL_TABLE

PENDING, THERAPIST_CONFIRMED, DRIVER_CONFIRMED = "pending", "therapist_confirmed", "driver_confirmed"
IN_PROGRESS, JOURNEY, ARRIVED, DROPPED_OFF = "in_progress", "journey", "arrived", "dropped_off"
SESSION_IN_PROGRESS, AWAITING_PAYMENT, PAYMENT_VERIFIED = "session_in_progress", "awaiting_payment", "payment_verified"
COMPLETED, PICKUP_REQUESTED, DRIVER_ASSIGNED_PICKUP = "completed", "pickup_requested", "driver_assigned_pickup"
RETURN_JOURNEY, TRANSPORT_COMPLETED = "return_journey", "transport_completed"
REJECTED, CANCELLED, AUTO_CANCELLED = "rejected", "cancelled", "auto_cancelled"

# Statuses an operator may still cancel from (everything before in_progress).
CANCELLABLE = (PENDING, THERAPIST_CONFIRMED, DRIVER_CONFIRMED, REJECTED)

TRANSITIONS = [
    (PENDING, THERAPIST_CONFIRMED),
    (THERAPIST_CONFIRMED, DRIVER_CONFIRMED),
    (DRIVER_CONFIRMED, IN_PROGRESS),
    (THERAPIST_CONFIRMED, IN_PROGRESS),  # no driver assigned
    (IN_PROGRESS, JOURNEY),
    (JOURNEY, ARRIVED),
    (ARRIVED, DROPPED_OFF),
    (DROPPED_OFF, SESSION_IN_PROGRESS),
    (IN_PROGRESS, SESSION_IN_PROGRESS),  # no driver assigned
    (SESSION_IN_PROGRESS, AWAITING_PAYMENT),
    (AWAITING_PAYMENT, PAYMENT_VERIFIED),
    (PAYMENT_VERIFIED, COMPLETED),
    (COMPLETED, DRIVER_ASSIGNED_PICKUP),
    (COMPLETED, PICKUP_REQUESTED),
    (PICKUP_REQUESTED, DRIVER_ASSIGNED_PICKUP),
    (DRIVER_ASSIGNED_PICKUP, PICKUP_REQUESTED),
    (DRIVER_ASSIGNED_PICKUP, RETURN_JOURNEY),
    (RETURN_JOURNEY, TRANSPORT_COMPLETED),
    (PENDING, REJECTED),
    (REJECTED, PENDING),
    (PENDING, AUTO_CANCELLED),
    *[(status, CANCELLED) for status in CANCELLABLE],
]

# A therapist holds the appointment's time range unless it was cancelled; a driver only until the drop-off
# (SPEC: "driver becomes available again"); a pickup driver is matched on "free now", not on this range.
THERAPIST_FREED = (CANCELLED, AUTO_CANCELLED)
DRIVER_HELD = (PENDING, THERAPIST_CONFIRMED, DRIVER_CONFIRMED, IN_PROGRESS, JOURNEY, ARRIVED, REJECTED)


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


# Wall-clock times as a UTC range: only overlap matters; an end at or before the start is on the next day.
PERIOD_SQL = """tstzrange(
    (a.date + a.start_time) AT TIME ZONE 'UTC',
    (a.date + a.end_time + CASE WHEN a.end_time <= a.start_time THEN interval '1 day' ELSE interval '0' END)
        AT TIME ZONE 'UTC',
    '[)')"""

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
