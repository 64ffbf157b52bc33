"""Tables only triggers write, kept so that a figure over all history is a read of constant size.

- AppointmentStatusTotal: appointments per status over all dates, for the operator's unfiltered list count and
  status_counts/ without a date (summing the (date, status) counters grew with history). Written by the same
  statement-level triggers as AppointmentStatusCount (scheduling/models/triggers_sql.py). Each status is split
  into TOTAL_SHARDS rows, picked by the writing backend: a single row per status would make every booking in
  the business wait for the one before it to commit; a read sums at most statuses x shards rows.
"""

import pgtrigger
from django.db import models

TOTAL_TABLE = "scheduling_appointmentstatustotal"
TOTAL_SHARDS = 8


class AppointmentStatusTotal(models.Model):
    status = models.CharField(max_length=32)
    shard = models.SmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        db_table = TOTAL_TABLE
        constraints = [
            models.UniqueConstraint(fields=["status", "shard"], name="appointment_status_total_key"),
        ]
        triggers = [
            # pg_trigger_depth() is 0 when the write comes from a client statement, >= 1 from a trigger.
            pgtrigger.Protect(
                name="status_total_trigger_only",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Condition("pg_trigger_depth() < 1"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} (shard {self.shard}): {self.count}"
