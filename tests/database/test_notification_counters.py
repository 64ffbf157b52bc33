import random
from io import StringIO

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from scheduling.management.commands.prune_notifications import parse_duration
from scheduling.models import Notification, NotificationCounter, NotificationType
from scheduling.services import notification_counters
from scheduling.services import notifications as services
from tests import factories
from tests.concurrency import run_in_threads

PROTECT = notification_counters.PROTECT_TRIGGER


def counter(user) -> tuple[int, int]:
    row = NotificationCounter.objects.filter(user=user).values_list("total", "unread").first()
    return row or (0, 0)


def recount() -> dict[int, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, count(*), count(*) FILTER (WHERE NOT is_read) FROM scheduling_notification"
            " GROUP BY user_id"
        )
        return {user_id: (total, unread) for user_id, total, unread in cursor.fetchall()}


def counters() -> dict[int, tuple[int, int]]:
    return {c.user_id: (c.total, c.unread) for c in NotificationCounter.objects.all()}


def bulk_insert(user_id: int, count: int, read_every: int = 0) -> None:
    """count notifications for one user in one INSERT ... SELECT generate_series statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scheduling_notification (user_id, notification_type, message, is_read, created_at)"
            " SELECT %s, 'system', 'n' || g, CASE WHEN %s > 0 THEN g %% %s = 0 ELSE false END, now()"
            " FROM generate_series(1, %s) AS g",
            [user_id, read_every, max(read_every, 1), count],
        )


def counter_writes() -> int:
    """Rows inserted, updated or deleted in the counter table so far by the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname = 'scheduling_notificationcounter'"
        )
        return cursor.fetchone()[0]


def test_insert_update_and_delete_keep_the_counter_exact(operator, make_notification):
    first = make_notification(user=operator)
    make_notification(user=operator, is_read=True)
    assert counter(operator) == (2, 1)
    Notification.objects.filter(pk=first.pk).update(is_read=True)
    assert counter(operator) == (2, 0)
    Notification.objects.filter(pk=first.pk).update(is_read=False, message="changed")
    assert counter(operator) == (2, 1)
    Notification.objects.filter(pk=first.pk).update(message="no count change")
    assert counter(operator) == (2, 1)
    first.delete()
    assert counter(operator) == (1, 0)


def test_moving_a_notification_to_another_user_moves_its_count(operator, therapist, make_notification):
    moved = make_notification(user=operator)
    make_notification(user=operator, is_read=True)
    Notification.objects.filter(pk=moved.pk).update(user=therapist)
    assert counter(operator) == (1, 0)
    assert counter(therapist) == (1, 1)


def test_the_last_notification_gone_leaves_no_counter_row(operator, make_notification):
    make_notification(user=operator)
    Notification.objects.filter(user=operator).delete()
    assert not NotificationCounter.objects.filter(user=operator).exists()


def test_deleting_a_user_takes_their_notifications_and_counter(operator, make_notification):
    make_notification(user=operator)
    user_id = operator.pk
    operator.delete()
    assert not NotificationCounter.objects.filter(user_id=user_id).exists()
    assert not Notification.objects.filter(user_id=user_id).exists()


def test_bulk_insert_and_mark_all_read_of_10000_rows_write_the_counter_row_once(operator):
    before = counter_writes()
    bulk_insert(operator.pk, 10_000, read_every=4)
    assert counter(operator) == (10_000, 7_500)
    assert counter_writes() - before == 1
    before = counter_writes()
    assert services.mark_all_read(operator) == 7_500
    assert counter(operator) == (10_000, 0)
    assert counter_writes() - before == 1


def test_a_bulk_statement_over_many_users_writes_each_counter_once(make_operator):
    users = [make_operator() for _ in range(5)]
    before = counter_writes()
    services.notify(users * 3, NotificationType.SYSTEM, "hello")  # duplicates collapse to one per user
    assert counter_writes() - before == 5
    assert all(counter(u) == (1, 1) for u in users)


def test_notify_writes_one_row_per_user_in_one_statement(
    make_operator, make_driver, make_appointment, django_assert_num_queries
):
    appointment = make_appointment()
    people = [make_operator(), make_driver(), None]
    with django_assert_num_queries(1):
        created = services.notify(people, "appointment_created", "Booked", appointment=appointment)
    assert [n.user_id for n in created] == [people[0].pk, people[1].pk]
    assert all(n.appointment_id == appointment.pk for n in created)
    with pytest.raises(services.BadRequest):
        services.notify(people, "no_such_type", "x")


def test_direct_writes_to_the_counter_table_are_refused(operator, make_notification):
    make_notification(user=operator)
    for statement in (
        lambda: NotificationCounter.objects.filter(user=operator).update(total=99),
        lambda: NotificationCounter.objects.filter(user=operator).delete(),
        lambda: NotificationCounter.objects.create(user=factories.DriverFactory(), total=1, unread=0),
    ):
        with pytest.raises(DatabaseError, match="Cannot insert or update or delete"), transaction.atomic():
            statement()
    assert counter(operator) == (1, 1)


def test_the_counter_row_can_never_hold_impossible_numbers(operator, make_notification):
    make_notification(user=operator)
    with pytest.raises(IntegrityError), pgtrigger.ignore(PROTECT), transaction.atomic():
        NotificationCounter.objects.filter(user=operator).update(unread=5)


def test_verify_reports_nothing_when_counters_are_exact(operator, make_notification):
    make_notification(user=operator)
    out = StringIO()
    call_command("verify_notification_counters", stdout=out)
    assert "exact" in out.getvalue()


def test_verify_fails_on_drift_and_fix_repairs_it(operator, therapist, make_notification):
    make_notification(user=operator)
    make_notification(user=operator, is_read=True)
    make_notification(user=therapist)
    with pgtrigger.ignore(PROTECT), transaction.atomic():
        NotificationCounter.objects.filter(user=operator).update(total=7, unread=3)
        NotificationCounter.objects.filter(user=therapist).delete()
        NotificationCounter.objects.create(user=factories.DriverFactory(), total=4, unread=0)
    out = StringIO()
    with pytest.raises(CommandError, match="3 notification counter"):
        call_command("verify_notification_counters", stdout=out)
    assert f"user {operator.pk}: counter total=7 unread=3, recount total=2 unread=1" in out.getvalue()
    assert counter(operator) == (7, 3)  # without --fix nothing changes

    with pytest.raises(CommandError, match="repaired"):
        call_command("verify_notification_counters", "--fix", stdout=StringIO())
    assert counters() == recount()
    call_command("verify_notification_counters", stdout=StringIO())


@pytest.mark.parametrize(("text", "days"), [("90d", 90), ("2w", 14), ("36h", 1.5), ("7D", 7)])
def test_prune_durations_are_read(text, days):
    assert parse_duration(text).total_seconds() == days * 86400


@pytest.mark.parametrize("text", ["90", "d", "0d", "-5d", "1.5d", "3m", "90 days", "", "99999999999999d"])
def test_bad_prune_durations_are_refused(db, text):
    with pytest.raises(CommandError):
        call_command("prune_notifications", "--older-than", text, stdout=StringIO())


def test_prune_deletes_old_notifications_in_batches_and_counters_stay_exact(operator, therapist):
    bulk_insert(operator.pk, 25, read_every=2)
    bulk_insert(therapist.pk, 10)
    old = timezone.now() - timezone.timedelta(days=100)
    Notification.objects.filter(
        user=operator, id__in=Notification.objects.filter(user=operator).order_by("id").values("id")[:20]
    ).update(created_at=old)
    Notification.objects.filter(user=therapist).update(created_at=old)
    out = StringIO()
    call_command("prune_notifications", "--older-than", "90d", "--read-only", "--batch-size", "3", stdout=out)
    assert "Deleted 10 read notifications" in out.getvalue()
    assert counters() == recount()
    call_command("prune_notifications", "--older-than", "90d", "--dry-run", stdout=(dry := StringIO()))
    assert "20 notifications" in dry.getvalue()
    call_command("prune_notifications", "--older-than", "90d", "--batch-size", "4", stdout=StringIO())
    assert counters() == recount() == {operator.pk: (5, 3)}
    assert not NotificationCounter.objects.filter(user=therapist).exists()


# ---- concurrency: each thread has its own connection, with real commits (transactional tests) ----


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_the_same_users_never_drift_or_deadlock():
    users = [factories.OperatorFactory() for _ in range(4)]
    ids = [u.pk for u in users]

    def inserter(order):
        def job():
            for _ in range(10):
                with transaction.atomic():
                    services.notify(order, NotificationType.SYSTEM, "x")
                    services.notify(list(reversed(order)), NotificationType.SYSTEM, "y")

        return job

    def reader_marker(user):
        def job():
            for _ in range(10):
                services.mark_all_read(user)
                services.delete_read(user)

        return job

    jobs = [inserter(ids), inserter(list(reversed(ids))), inserter(ids[1:] + ids[:1])]
    jobs += [reader_marker(u) for u in users[:2]]
    errors = run_in_threads(jobs)
    assert errors == []
    assert counters() == recount()
    assert notification_counters.drift() == []


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_notifications_for_a_new_user_both_count():
    user = factories.TherapistFactory()
    errors = run_in_threads([lambda: services.notify([user], "system", "a") for _ in range(6)])
    assert errors == []
    assert counter(user) == (6, 6)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_long_random_sequence_of_writes_leaves_counters_equal_to_a_recount():
    rng = random.Random(20261129)
    users = [factories.OperatorFactory() for _ in range(3)] + [factories.DriverFactory() for _ in range(3)]

    def random_step(r: random.Random) -> None:
        user = r.choice(users)
        own = Notification.objects.filter(user=user)
        step = r.randrange(9)
        if step == 0:
            services.notify(r.sample(users, r.randint(1, len(users))), NotificationType.SYSTEM, "bulk")
        elif step == 1:
            bulk_insert(user.pk, r.randint(1, 40), read_every=r.randint(0, 3))
        elif step == 2:
            pk = own.values_list("pk", flat=True).first()
            if pk:
                services.set_read(user, pk, r.random() < 0.5)
        elif step == 3:
            services.mark_all_read(user)
        elif step == 4:
            own.filter(pk__in=own.values("pk")[: r.randint(1, 10)]).update(is_read=False)
        elif step == 5:
            pk = own.values_list("pk", flat=True).last()
            if pk:
                services.delete_one(user, pk)
        elif step == 6:
            services.delete_read(user)
        elif step == 7:
            own.filter(pk__in=own.values("pk")[: r.randint(1, 5)]).update(user=r.choice(users))
        else:
            with transaction.atomic():  # several statements, one transaction
                services.notify([user], NotificationType.SYSTEM, "t")
                Notification.objects.filter(user__in=r.sample(users, 2), is_read=False).update(is_read=True)
                if r.random() < 0.3:
                    services.delete_all(user)

    for _ in range(150):
        random_step(rng)
    assert counters() == recount()

    aborted: list[str] = []

    def worker(seed: int):
        def job():
            r = random.Random(seed)
            for _ in range(60):
                try:
                    random_step(r)
                except services.NotFound:  # another thread deleted it first
                    pass
                except OperationalError as exc:
                    # Two transactions of several statements can lock rows in opposite orders; PostgreSQL then
                    # rolls one back whole. That must leave the counters exact like any other rollback.
                    if "deadlock detected" not in str(exc):
                        raise
                    aborted.append(str(exc))

        return job

    errors = run_in_threads([worker(seed) for seed in range(4)])
    assert errors == []
    for _ in range(50):
        random_step(rng)
    assert sum(total for total, _ in recount().values()) > 0
    assert counters() == recount()
    assert notification_counters.drift() == []
