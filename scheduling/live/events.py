"""What each kind of database event means for the connected sockets.

A handler receives the payload rows of its kind from one batch of notifications (already committed changes)
and the process's connected peers, loads what it needs with the REST selectors, and returns what to send to
whom. Handlers run in Django's thread for synchronous database work, never on the event loop. A new kind
(attendance, ...) is one `live_event(...)` in its model's Meta plus one function decorated with
`@handles("its_kind")` in a module imported at start-up (`LIVE_EVENT_MODULES` in settings).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from scheduling.models import Availability, NotificationCounter, User
from scheduling.selectors import appointments as appointment_selectors
from scheduling.selectors import rendered
from scheduling.selectors.availability import availabilities_visible_to
from scheduling.selectors.notifications import notifications_of

# close codes (4000-4999 are the application's): the client reconnects with back-off unless the code is 1000
CLOSE_TOKEN_REVOKED = 4001
CLOSE_ACCOUNT_DISABLED = 4003


class Peer(Protocol):
    """What a handler knows of one connected socket."""

    user: User
    token_id: int
    known: set[int]  # appointment ids this socket has been shown (initial_data and pushes)
    ready: bool  # initial_data was built: later changes are pushed


@dataclasses.dataclass
class Outgoing:
    peer: Peer
    text: str | None = None  # a JSON message to send
    close_code: int | None = None  # or close the socket with this code


Handler = Callable[[list[tuple[str, dict]], Sequence[Peer]], list[Outgoing]]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of one event kind: `fn(rows: [(op, row)], peers) -> [Outgoing]`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def load_handlers() -> None:
    for module in getattr(settings, "LIVE_EVENT_MODULES", ()):
        importlib.import_module(module)


def dispatch(payloads: Iterable[dict], peers: Sequence[Peer]) -> list[Outgoing]:
    """One batch of notification payloads, in commit order, to the messages for `peers`."""
    by_kind: dict[str, list[tuple[str, dict]]] = {}
    for payload in payloads:
        by_kind.setdefault(payload["k"], []).extend((payload["op"], row) for row in payload["rows"])
    out: list[Outgoing] = []
    for kind, rows in by_kind.items():
        handler = HANDLERS.get(kind)
        if handler is not None and peers:
            out += handler(rows, peers)
    return out


def message(kind: str, **fields) -> str:
    return orjson.dumps({"type": kind, **fields}).decode()


def now_iso() -> str:
    return timezone.now().isoformat()


def audience(visible_to: Callable[[User], QuerySet], peers: Sequence[Peer], ids: Iterable[int]) -> set[tuple[int, int]]:
    """(user id, object id) for every object of `ids` each peer's user may see, by that area's REST selector
    (`visible_to(user)`): one query, the union of each user's scoped ids restricted to `ids`."""
    ids = list(ids)
    pairs: set[tuple[int, int]] = set()
    parts, params = [], []
    for user in {peer.user.pk: peer.user for peer in peers}.values():
        scoped = rendered.scope_sql(visible_to, user)
        if scoped is None:
            pairs.update((user.pk, i) for i in ids)
            continue
        sql, scope_params = scoped
        parts.append(f"SELECT {int(user.pk)}::bigint, s.id FROM ({sql}) AS s WHERE s.id = ANY(%s)")
        params += [*scope_params, ids]
    if parts and ids:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            pairs.update(cursor.fetchall())
    return pairs


# --- appointments -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class AppointmentChange:
    op: str  # I, U or D: what the batch did to it overall
    old_status: str | None
    status: str | None
    old_driver: int | None
    driver: int | None


def _coalesce(rows: list[tuple[str, dict]]) -> dict[int, AppointmentChange]:
    """One change per appointment: a create followed by updates is a create, anything then deleted a delete;
    the status before is the first seen, the status after the last."""
    changes: dict[int, AppointmentChange] = {}
    for op, row in rows:
        change = changes.get(row["id"])
        if change is None:
            change = changes[row["id"]] = AppointmentChange(op, None, None, None, None)
        else:
            change.op = "D" if op == "D" else change.op if change.op in "ID" else op
        if "s" not in row:  # a link table's row: only the appointment id
            continue
        if change.status is None:
            change.old_status, change.old_driver = row.get("o", row["s"]), row.get("od", row["d"])
        change.status, change.driver = row["s"], row["d"]
    return changes


def _event_forms(appointment_id: int, change: AppointmentChange, item: dict) -> list[str]:
    """The event messages the frontend also handles (CONTRACT.md section 3), derived from the status change."""
    forms = []
    status = item["status"]
    if change.op == "U" and (change.status != change.old_status or change.driver != change.old_driver):
        if change.driver is not None and (change.driver != change.old_driver or status == "driver_assigned_pickup"):
            name = (item.get("driver_details") or {}).get("full_name", "")
            forms.append(
                _event(
                    "driver_assigned",
                    appointment_id=appointment_id,
                    driver_id=change.driver,
                    driver_name=name,
                    status=status,
                )
            )
        if status in ("therapist_confirmed", "driver_confirmed"):
            therapist_ok = item.get("therapist_confirmed_at") is not None
            driver_ok = item.get("driver_confirmed_at") is not None
            forms.append(
                _event(
                    "therapist_acceptance",
                    appointment_id=appointment_id,
                    therapist_accepted=therapist_ok,
                    driver_accepted=driver_ok,
                    both_accepted=therapist_ok and driver_ok,
                    status=status,
                )
            )
        if status == "in_progress":
            forms.append(
                _event("appointment_started", appointment_id=appointment_id, started_at=item.get("started_at"))
            )
        if status == "session_in_progress":
            forms.append(
                _event(
                    "session_started", appointment_id=appointment_id, session_started_at=item.get("session_started_at")
                )
            )
        if status == "awaiting_payment":
            forms.append(
                _event(
                    "awaiting_payment",
                    appointment_id=appointment_id,
                    session_completed_at=item.get("awaiting_payment_at"),
                )
            )
    return forms


def _event(kind: str, **fields) -> str:
    # the fields at the top level and under `message`, the two places the app's handlers read them from
    return message(kind, message=fields, **fields)


@handles("appointment")
def appointment_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    changes = _coalesce(rows)
    items = appointment_selectors.items_json(changes)
    seen = audience(appointment_selectors.appointment_rows_visible_to, peers, items)
    out: list[Outgoing] = []
    for appointment_id, change in changes.items():
        item = items.get(appointment_id)
        deleted = message("appointment_deleted", appointment={"id": appointment_id}, appointment_id=appointment_id)
        if item is None:  # deleted (or gone before we looked): tell whoever was shown it
            out += [Outgoing(p, deleted) for p in peers if appointment_id in p.known]
            for peer in peers:
                peer.known.discard(appointment_id)
            continue
        kind = "appointment_created" if change.op == "I" else "appointment_updated"
        text = f'{{"type":"{kind}","appointment":{item}}}'
        forms = _event_forms(appointment_id, change, orjson.loads(item))
        for peer in peers:
            if (peer.user.pk, appointment_id) in seen:
                peer.known.add(appointment_id)
                out += [Outgoing(peer, text), *(Outgoing(peer, form) for form in forms)]
            elif appointment_id in peer.known:  # it left this user's view (reassigned): as good as deleted for them
                peer.known.discard(appointment_id)
                out.append(Outgoing(peer, deleted))
    return out


def initial_data(peer: Peer, connection_id: str) -> str:
    """The caller's visible appointments of today and the next LIVE_INITIAL_DAYS days, as the REST API shows them."""
    today = timezone.localdate()
    rows = (
        appointment_selectors.appointments_visible_to(peer.user)
        .filter(date__gte=today, date__lte=today + dt.timedelta(days=settings.LIVE_INITIAL_DAYS))
        .order_by("date", "start_time", "id")
    )
    items = appointment_selectors.array_json(rows).decode()
    peer.known = set(rows.values_list("id", flat=True))
    peer.ready = True
    return (
        f'{{"type":"initial_data","appointments":{items},"connection_id":"{connection_id}","timestamp":"{now_iso()}"}}'
    )


# --- availability, notifications, tokens ------------------------------------------------------------------------


@handles("availability")
def availability_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    from api.availabilities import AvailabilityOut  # the REST rendering; api imports scheduling, not the reverse

    last = {row["id"]: (op, row["u"]) for op, row in rows}
    live = {a.id: a for a in Availability.objects.select_related("user").filter(id__in=list(last))}
    seen = audience(availabilities_visible_to, peers, live)
    out: list[Outgoing] = []
    for slot_id, (op, owner) in last.items():
        action = {"I": "created", "U": "updated", "D": "deleted"}[op]
        slot = live.get(slot_id)
        if slot is None:  # deleted: its owner and those who see every slot (the selector's unfiltered case)
            text = message("availability_update", action="deleted", availability={"id": slot_id, "user": owner})
            targets = [p for p in peers if p.user.pk == owner or p.user.is_operator]
        else:
            body = AvailabilityOut.from_orm(slot).model_dump(mode="json")
            text = message("availability_update", action=action, availability=body)
            targets = [p for p in peers if (p.user.pk, slot_id) in seen]
        out += [Outgoing(p, text) for p in targets]
    return out


@handles("notification")
def notification_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    recipients = {row["u"] for _, row in rows}
    listening = [p for p in peers if p.user.pk in recipients]
    if not listening:
        return []
    ids = [row["id"] for _, row in rows]
    unread = dict(NotificationCounter.objects.filter(user_id__in=recipients).values_list("user_id", "unread"))
    out: list[Outgoing] = []
    for user in {p.user.pk: p.user for p in listening}.values():
        for n in notifications_of(user).filter(id__in=ids).order_by("id"):
            text = message(
                "notification_created",
                id=n.id,
                notification_type=n.notification_type,
                message=n.message,
                appointment=n.appointment_id,
                created_at=n.created_at.isoformat(),
                unreadCount=unread.get(user.pk, 0),
            )
            out += [Outgoing(p, text) for p in listening if p.user.pk == user.pk]
    return out


@handles("token")
def token_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    revoked = {row["id"] for _, row in rows}
    return [Outgoing(p, close_code=CLOSE_TOKEN_REVOKED) for p in peers if p.token_id in revoked]


@handles("account")
def account_events(rows: list[tuple[str, dict]], peers: Sequence[Peer]) -> list[Outgoing]:
    disabled = {row["id"] for _, row in rows}
    return [Outgoing(p, close_code=CLOSE_ACCOUNT_DISABLED) for p in peers if p.user.pk in disabled]
