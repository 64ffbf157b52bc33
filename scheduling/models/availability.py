import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from scheduling.live.triggers import live_event
from scheduling.models import versions
from scheduling.models.rule_trigger import RuleTrigger
from scheduling.wall_clock import ends_next_day


class SlotPeriod(Func):
    """`slot_period(date, start, end)`: the real tsrange of a slot, one day longer when it runs past midnight.

    The SQL function is created by migration 0004 (IMMUTABLE, so it can back the exclusion constraint)."""

    function = "slot_period"
    arity = 3
    output_field = models.Field()


class Availability(models.Model):
    """A slot when a therapist or driver can work. An end before the start runs past midnight (13:00-01:00)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availabilities")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    is_available = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=F("end_time")),
                name="availability_not_zero_length",
                violation_error_message="end_time must differ from start_time.",
                violation_error_code="invalid",
            ),
            # One person's slots never overlap in real time, midnight-crossing ones included (needs btree_gist).
            ExclusionConstraint(
                name="availability_no_overlap",
                violation_error_message="The slot overlaps another slot of the same person.",
                violation_error_code="overlap",
                expressions=[
                    (F("user"), RangeOperators.EQUAL),
                    (SlotPeriod(F("date"), F("start_time"), F("end_time")), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [
            models.Index(fields=["user", "date"], name="availability_user_date_idx"),
            models.Index(fields=["date", "is_available"], name="availability_date_idx"),
        ]
        triggers = [
            # Operators and deactivated accounts hold no slots, whatever path writes the row.
            RuleTrigger(
                name="availability_staff_only",
                violation_error_message="Only active therapists and drivers can have availability slots.",
                violation_error_code="invalid",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF EXISTS (
                    SELECT 1 FROM scheduling_user u
                    WHERE u.id = NEW.user_id AND (u.role NOT IN ('therapist', 'driver') OR NOT u.is_active)
                ) THEN
                    RAISE EXCEPTION 'availability is only for active therapists and drivers (user %)', NEW.user_id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'availability_staff_only';
                END IF;
                RETURN NEW;
                """,
            ),
            *live_event("availability", name="availability", fields={"id": "id", "u": "user_id"}),
            *versions.bump(versions.Scope.AVAILABILITY, "availability"),  # ETags of availability lists
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.date} {self.start_time}-{self.end_time}"

    @property
    def crosses_midnight(self) -> bool:
        return ends_next_day(self.start_time, self.end_time)
