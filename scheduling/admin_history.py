"""The change history as a read-only section of the appointment's admin page (the same rows as the API's
{id}/history/, from the appointment_changes view)."""

import json

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from scheduling.models import Appointment, AppointmentChange
from scheduling.selectors.history import NEWEST_FIRST

ADMIN_HISTORY_ROWS = 100


def _value(value) -> str:
    return (
        "–" if value in (None, "") else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    )


def _changes(changes: dict) -> str:
    return "; ".join(f"{field}: {_value(v['old'])} → {_value(v['new'])}" for field, v in sorted(changes.items()))


class ChangeHistoryAdmin(admin.ModelAdmin):
    """Adds a read-only "change history" field: the latest changes, newest first, with who made each."""

    readonly_fields = ("change_history",)

    @admin.display(description="Change history (newest first)")
    def change_history(self, obj: Appointment) -> str:
        if obj is None or obj.pk is None:
            return "–"
        rows = AppointmentChange.objects.filter(appointment_id=obj.pk).order_by(*NEWEST_FIRST)[:ADMIN_HISTORY_ROWS]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{timezone.localtime(r.changed_at):%Y-%m-%d %H:%M:%S}", r.actor_name or "(no user: SQL or command)", r.event,
                 _changes(r.changes))
                for r in rows
            ),
        )  # fmt: skip
        if not body:
            return "No recorded change."
        return format_html(
            '<table class="change-history"><thead><tr><th>when</th><th>who</th><th>event</th><th>changes</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            body,
        )
