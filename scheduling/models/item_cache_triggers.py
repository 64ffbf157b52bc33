"""The triggers that keep appointment_item_cache equal to the view appointment_items, declared on the models
they watch (Meta.triggers), all statement-level with transition tables, all calling the one refresh function
refresh_appointment_items(ids) of scheduling/sql_views/appointment_item_cache.sql (which locks what it reads, so a
concurrent edit is never missed).

Watched: appointments (insert, update, delete), their services, group therapists and rejections (insert, update,
delete), and the displayed columns of clients, users and services (update; a change of any other column, such as
a login's last_login or a driver's last_available_at, rewrites nothing).
"""

import pgtrigger

OLD, NEW = "old_rows", "new_rows"
# Columns the cached JSON shows, per referenced table: an update that changes none of them refreshes nothing.
CLIENT_COLUMNS = ("first_name", "last_name", "phone_number", "email", "address")
USER_COLUMNS = ("username", "first_name", "last_name", "role", "phone", "email", "specialization", "motorcycle_plate")
SERVICE_COLUMNS = ("name", "duration", "price", "oil")


def _trigger(name: str, operation, func: str, **referencing: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=pgtrigger.Referencing(**referencing),
        func=func,
        **({"declare": [("changed", "bigint[]")]} if "changed" in func else {}),
    )


def _refresh(ids_sql: str) -> str:
    return f"PERFORM refresh_appointment_items(ARRAY({ids_sql}));\nRETURN NULL;"


def _changed_ids(columns: tuple[str, ...]) -> str:
    """Ids of the rows of this statement whose displayed columns changed."""
    new = ", ".join(f"n.{c}" for c in columns)
    old = ", ".join(f"o.{c}" for c in columns)
    return f"SELECT n.id FROM {NEW} AS n JOIN {OLD} AS o ON o.id = n.id WHERE ({new}) IS DISTINCT FROM ({old})"


# Key of the advisory lock that stands for "what the cache shows of this person" (see refresh_appointment_items).
USER_LOCK_KEY = "hashtextextended('appointment_item_user:' || id, 0)"


def _on_changed(columns: tuple[str, ...], appointment_ids_sql: str, lock_sql: str = "") -> str:
    """This edit holds its own row (or person) lock already: the refresh takes only the cache rows (lock_shown =
    false), so editors of two kinds never wait for each other's rows in opposite orders."""
    return f"""
    changed := ARRAY({_changed_ids(columns)});
    IF cardinality(changed) > 0 THEN{lock_sql}
        PERFORM refresh_appointment_items(ARRAY({appointment_ids_sql}), false);
    END IF;
    RETURN NULL;"""


def appointment() -> list[pgtrigger.Trigger]:
    return [
        _trigger("item_cache_ins", pgtrigger.Insert, _refresh(f"SELECT id FROM {NEW}"), new=NEW),
        _trigger("item_cache_upd", pgtrigger.Update, _refresh(f"SELECT id FROM {NEW}"), new=NEW),
        _trigger(
            "item_cache_del",
            pgtrigger.Delete,
            f"DELETE FROM appointment_item_cache WHERE appointment_id IN (SELECT id FROM {OLD});\nRETURN NULL;",
            old=OLD,
        ),
    ]


def appointment_child(prefix: str, *, updates: bool = True) -> list[pgtrigger.Trigger]:
    """A table with an appointment_id column whose rows the appointment's JSON shows."""
    new, old = (_refresh(f"SELECT DISTINCT appointment_id FROM {rows}") for rows in (NEW, OLD))
    triggers = [
        _trigger(f"{prefix}_item_cache_ins", pgtrigger.Insert, new, new=NEW),
        _trigger(f"{prefix}_item_cache_del", pgtrigger.Delete, old, old=OLD),
    ]
    if updates:
        triggers.append(_trigger(f"{prefix}_item_cache_upd", pgtrigger.Update, new, new=NEW))
    return triggers


def client() -> list[pgtrigger.Trigger]:
    ids = "SELECT a.id FROM scheduling_appointment AS a WHERE a.client_id = ANY (changed)"
    return [_trigger("client_item_cache_upd", pgtrigger.Update, _on_changed(CLIENT_COLUMNS, ids), old=OLD, new=NEW)]


def user() -> list[pgtrigger.Trigger]:
    ids = """SELECT a.id FROM scheduling_appointment AS a
            WHERE a.therapist_id = ANY (changed) OR a.driver_id = ANY (changed) OR a.operator_id = ANY (changed)
            UNION SELECT l.appointment_id FROM scheduling_appointmenttherapist AS l WHERE l.therapist_id = ANY (changed)
            UNION SELECT r.appointment_id FROM scheduling_appointmentrejection AS r WHERE r.rejected_by_id = ANY (changed)"""
    # Exclusive while we read the appointments: a refresh in flight that shows this person finishes first (and we
    # see its rows), a later one waits for our commit (and sees the new name). The row lock of the UPDATE cannot
    # serve: refreshes do not lock user rows (see refresh_appointment_items).
    lock = f"""
        PERFORM pg_advisory_xact_lock({USER_LOCK_KEY}) FROM unnest(changed) AS id ORDER BY id;"""
    return [_trigger("user_item_cache_upd", pgtrigger.Update, _on_changed(USER_COLUMNS, ids, lock), old=OLD, new=NEW)]


def service() -> list[pgtrigger.Trigger]:
    ids = """SELECT DISTINCT aps.appointment_id FROM scheduling_appointment_services AS aps
            WHERE aps.service_id = ANY (changed)"""
    return [_trigger("service_item_cache_upd", pgtrigger.Update, _on_changed(SERVICE_COLUMNS, ids), old=OLD, new=NEW)]
