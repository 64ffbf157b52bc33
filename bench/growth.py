"""Growth: copies of the seeded appointments shifted into earlier dates, and notifications multiplied, measured
at each rung of a ladder (1x, 5x, 25x, and a million notifications for the busiest user)."""

from __future__ import annotations

import contextlib
import time

from django.db import DatabaseError, connection, transaction
from tqdm import tqdm

from bench.sqlcopy import copy_sql, table_columns
from scheduling.models import Appointment, AppointmentTherapist, Notification

SHIFT_DAYS = 120  # the seeded books span 120 days; copy k lies k*120 days earlier, so nobody is double-booked


class Grower:
    def __init__(self, notified_user_id: int):
        self.user_id = notified_user_id
        self.appt = Appointment._meta.db_table
        self.services = Appointment.services.through._meta.db_table
        self.links = AppointmentTherapist._meta.db_table
        self.notif = Notification._meta.db_table
        # Made right after seeding: only the seeded rows (id <= these maxima) are ever copied, so rows that the
        # write measurements add later (appointments a year ahead) are neither copied nor collided with.
        with connection.cursor() as cur:
            cur.execute(f'SELECT coalesce(max(id), 0), count(*) FROM "{self.appt}"')
            self.max_appt, self.base_appointments = cur.fetchone()
            cur.execute(f'SELECT coalesce(max(id), 0) FROM "{self.notif}"')
            self.max_notif = cur.fetchone()[0]
            cur.execute(f'SELECT count(*) FROM "{self.notif}" WHERE user_id = %s', [self.user_id])
            self.base_notifications = cur.fetchone()[0]
        self.id_step: int | None = None  # copy k gets ids s.id + k * id_step, above every id at first growth
        self.copies = 1  # the seeded data is copy 0
        self.copy_seconds: list[float] = []  # time of each appointment copy, to forecast the next rung
        self.notification_seconds_per_row: float | None = None
        self.notif_generation = 0

    def counts(self) -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{self.appt}"')
            appointments = cur.fetchone()[0]
            cur.execute(f'SELECT count(*) FROM "{self.notif}"')
            notifications = cur.fetchone()[0]
            cur.execute(f'SELECT count(*) FROM "{self.notif}" WHERE user_id = %s', [self.user_id])
            mine = cur.fetchone()[0]
        return {"appointments": appointments, "notifications": notifications, "user_notifications": mine}

    def grow_appointments(self, factor: int, progress: bool = True) -> None:
        """Add copies until the appointments are `factor` times the seeded set."""
        if factor <= self.copies:
            return
        m = self.max_appt
        if self.id_step is None:
            with connection.cursor() as cur:
                cur.execute(f'SELECT coalesce(max(id), 0) FROM "{self.appt}"')
                self.id_step = max(m, cur.fetchone()[0])
        step = self.id_step
        bar = tqdm(total=factor - self.copies, desc=f"appointments x{factor}", unit="copy", disable=not progress)
        with connection.cursor() as cur:
            appt_cols = table_columns(cur, self.appt)
            svc_cols = table_columns(cur, self.services)
            link_cols = table_columns(cur, self.links)
            for k in range(self.copies, factor):
                started = time.perf_counter()
                with transaction.atomic():
                    cur.execute(
                        copy_sql(
                            appt_cols,
                            self.appt,
                            {"id": f"s.id + {k * step}", "date": f"s.date - {k * SHIFT_DAYS}"},
                            f'"{self.appt}" s WHERE s.id <= {m} ORDER BY s.id',
                        )
                    )
                    cur.execute(
                        copy_sql(
                            svc_cols,
                            self.services,
                            {"id": None, "appointment_id": f"s.appointment_id + {k * step}"},
                            f'"{self.services}" s WHERE s.appointment_id <= {m}',
                        )
                    )
                    cur.execute(
                        copy_sql(
                            link_cols,
                            self.links,
                            {"id": None, "appointment_id": f"s.appointment_id + {k * step}"},
                            f'"{self.links}" s WHERE s.appointment_id <= {m}',
                        )
                    )
                self.copy_seconds.append(time.perf_counter() - started)
                bar.update(1)
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{self.appt}', 'id'), (SELECT max(id) FROM \"{self.appt}\"))"
            )
        bar.close()
        self.copies = factor

    def grow_notifications(self, target: int, progress: bool = True) -> None:
        """Top the busiest user's notifications up to `target` rows (copies of theirs, shifted earlier)."""
        have = self.counts()["user_notifications"]
        need = target - have
        if need <= 0:
            return
        base = max(1, self.base_notifications)
        generations = -(-need // base)
        first = self.notif_generation + 1
        last = self.notif_generation + generations
        started, rows = time.perf_counter(), need
        with connection.cursor() as cur:
            cols = table_columns(cur, self.notif)
            chunk_generations = max(1, 200_000 // base)  # keeps each statement's transition table moderate
            bar = tqdm(total=need, desc=f"notifications to {target:,}", unit="row", disable=not progress)
            g = first
            while g <= last and need > 0:
                upto = min(last, g + chunk_generations - 1)
                source = (
                    f'"{self.notif}" s CROSS JOIN generate_series({g}, {upto}) g '
                    f"WHERE s.user_id = {int(self.user_id)} AND s.id <= {self.max_notif} LIMIT {need}"
                )
                cur.execute(
                    copy_sql(
                        cols, self.notif, {"id": None, "created_at": "s.created_at - g * interval '120 days'"}, source
                    )
                )
                need -= cur.rowcount
                bar.update(cur.rowcount)
                g = upto + 1
            bar.close()
        self.notif_generation = last
        self.notification_seconds_per_row = (time.perf_counter() - started) / rows

    def forecast(self, factor: int, notifications: int) -> float | None:
        """Seconds the next rung's growth should take, from the pace so far (None before any copy)."""
        if not self.copy_seconds:
            return None
        per_copy = max(self.copy_seconds[-3:])
        extra = max(0, notifications - self.counts()["user_notifications"])
        return per_copy * max(0, factor - self.copies) + extra * (self.notification_seconds_per_row or 0.0)

    def analyze(self) -> float:
        """Settle the database after a rung's bulk load, so that what is measured next is the endpoints and not
        the aftermath of the load: VACUUM ANALYZE of the whole database (the tables the triggers filled too,
        appointment_item_cache above all, which autovacuum would otherwise start on mid-measurement), then a
        CHECKPOINT (the load's dirty pages written now, not by a checkpoint during the measurement; skipped
        without the right to run it). Before, only the four grown tables were vacuumed, and the 25x rung measured
        even the constant-size unread count 1.4x slower than 1x."""
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            with contextlib.suppress(DatabaseError):  # needs superuser or pg_checkpoint: then no settling
                cur.execute("CHECKPOINT")
        return time.perf_counter() - start
