"""Data versions: a number per kind of data that grows whenever a statement changes it, for conditional GETs.

A list's ETag (api/conditional.py) is derived from the sum of the versions it depends on, the caller and the
query string, so an unchanged list is answered 304 after one indexed read of this table, never the list query.

Kept by statement-level triggers declared on each model (`Meta.triggers = [*versions.bump(...)]`): one upsert
per statement whatever its size. A scope is global (key 0: appointments, users, clients, ...) or personal (key =
the user id: notifications). Each (scope, key) is split into SHARDS rows, picked by the writing backend: one row
would make every writer of a kind wait for the previous writer's commit; sharded, two transactions meet on a row
only when their backends share a shard. Versions only grow (the guard below keeps client statements out), so
the sum over shards and scopes is a number no earlier state had: a tag never comes back for other data.

Appointments: the version follows appointment_item_cache, the finished JSON of every appointment, which the
item-cache triggers refresh on any change an appointment list can show (the appointment, its services,
therapists and rejections, the displayed columns of clients, users and services).
"""

import pgtrigger
from django.db import models

from scheduling.models.trigger_only import trigger_only

VERSION_TABLE = "scheduling_dataversion"
SHARDS = 8


class Scope(models.TextChoices):
    APPOINTMENTS = "appointments", "Appointments (their list JSON and counts)"
    NOTIFICATIONS = "notifications", "One user's notifications"
    USERS = "users", "Staff accounts"
    CLIENTS = "clients", "Clients"
    SERVICES = "services", "Services"
    AVAILABILITY = "availability", "Availability slots"


PERSONAL = (Scope.NOTIFICATIONS,)

# Columns whose change is bookkeeping nobody's list shows (a login, a failed password, the driver queue).
USER_BOOKKEEPING = ("last_login", "last_available_at", "password")


class DataVersion(models.Model):
    scope = models.CharField(max_length=32, choices=Scope.choices)
    key = models.BigIntegerField(default=0)  # 0 for a global scope, the user id for a personal one
    shard = models.SmallIntegerField()
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = VERSION_TABLE
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "shard"], name="data_version_key"),
        ]
        triggers = [
            trigger_only("data_version_trigger_only"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.key} (shard {self.shard}): {self.version}"


def _bump_func(scope: Scope, keys_sql: str) -> str:
    """Add one to this backend's shard of (scope, key) for every key `keys_sql` yields (in key order)."""
    return f"""
    INSERT INTO {VERSION_TABLE} AS v (scope, key, shard, version)
    SELECT '{scope.value}', k.key, pg_backend_pid() % {SHARDS}, 1 FROM ({keys_sql}) AS k (key)
    GROUP BY k.key ORDER BY k.key
    ON CONFLICT (scope, key, shard) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
    """


def _trigger(name: str, operation, referencing, keys_sql: str, scope: Scope) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        func=_bump_func(scope, keys_sql),
    )


def bump(scope: Scope, name: str, ignore_columns: tuple[str, ...] = ()) -> list[pgtrigger.Trigger]:
    """Triggers that move a global scope on every insert, update and delete that touches a row. With
    `ignore_columns`, an update that changes only those columns moves nothing."""
    if ignore_columns:
        minus = "".join(f" - '{c}'" for c in ignore_columns)
        changed = (
            "SELECT 0 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id "
            f"WHERE (to_jsonb(n){minus}) IS DISTINCT FROM (to_jsonb(o){minus}) LIMIT 1"
        )
    else:
        changed = "SELECT 0 FROM new_rows LIMIT 1"
    return [
        _trigger(
            f"{name}_version_ins", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"),
            "SELECT 0 FROM new_rows LIMIT 1", scope,
        ),
        _trigger(
            f"{name}_version_upd", pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows"),
            changed, scope,
        ),
        _trigger(
            f"{name}_version_del", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"),
            "SELECT 0 FROM old_rows LIMIT 1", scope,
        ),
    ]  # fmt: skip


def bump_per_user(scope: Scope, name: str, user_column: str = "user_id") -> list[pgtrigger.Trigger]:
    """Triggers that move a personal scope for each user whose rows a statement touched."""
    new, old = f"SELECT {user_column} FROM new_rows", f"SELECT {user_column} FROM old_rows"
    return [
        _trigger(f"{name}_version_ins", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), new, scope),
        _trigger(
            f"{name}_version_upd",
            pgtrigger.Update,
            pgtrigger.Referencing(old="old_rows", new="new_rows"),
            f"{new} UNION ALL {old}",
            scope,
        ),
        _trigger(f"{name}_version_del", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), old, scope),
    ]


def version_sql(user_id_sql: str, scopes: tuple[Scope, ...]) -> str:
    """A scalar subquery: the sum of the versions of `scopes` (personal ones for the user `user_id_sql`)."""
    shared = [s.value for s in scopes if s not in PERSONAL]
    personal = [s.value for s in scopes if s in PERSONAL]
    terms = []
    if shared:
        terms.append(f"(v.scope IN ({', '.join(repr(s) for s in shared)}) AND v.key = 0)")
    if personal:
        terms.append(f"(v.scope IN ({', '.join(repr(s) for s in personal)}) AND v.key = {user_id_sql})")
    where = " OR ".join(terms) or "false"
    return f"(SELECT coalesce(sum(v.version), 0) FROM {VERSION_TABLE} AS v WHERE {where})"
