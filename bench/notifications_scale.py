"""Notification timings at scale, in-process (medians after warm-up): unread_count/ for a user with 1,000 and one
with 1,000,000 notifications, interleaved; list pages; and mark_all_as_read/ over 10,000 unread rows.

    python -m config.embedded_pg run -- python -m bench.notifications_scale [--seed] [--reps 2000]

Runs on the benchmark's database (`<db>_bench`, as `make bench` leaves it; --seed seeds it first the same way,
bench/seeded.py). On top of it, users with an exact number of notifications (bench_notif_*): one
INSERT ... SELECT generate_series each, kept for the next run.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench import seeded
from bench.stats import summarize, time_calls

URL = "/api/scheduling/notifications/"


def bench_user(name: str, rows: int, read_every: int):
    from django.db import connection

    from scheduling.models import Notification, NotificationCounter, Role, User

    user, _ = User.objects.get_or_create(username=name, defaults={"role": Role.OPERATOR, "email": f"{name}@bench"})
    have = NotificationCounter.objects.filter(user=user).values_list("total", flat=True).first() or 0
    if have != rows:
        Notification.objects.filter(user=user).delete()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO scheduling_notification (user_id, notification_type, message, is_read, created_at)"
                " SELECT %s, 'system', 'Bench notification ' || g, %s > 0 AND g %% GREATEST(%s, 1) = 0,"
                "        now() - g * interval '1 second'"
                " FROM generate_series(1, %s) AS g",
                [user.pk, read_every, read_every, rows],
            )
            cursor.execute("ANALYZE scheduling_notification")
        print(f"seeded {rows:,} notifications for {name} in {time.perf_counter() - start:.1f} s (one statement)")
    return user


def client_for(user):
    from bench.inprocess import ServerClient
    from scheduling.services.auth import issue_token

    return ServerClient(issue_token(user, hours=2))


def median_ms(call, reps: int) -> tuple[float, float]:
    latency = summarize(time_calls(call, warmup=0, reps=reps))
    return latency["p50_ms"], latency["p95_ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    seeded.add_arguments(parser)
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args(argv)
    seeded.open_database(args)
    unread_count(args.reps)
    mark_all_as_read()
    return 0


def unread_count(reps: int) -> None:
    """unread_count/ and a list page for a user with 1,000 and one with 1,000,000 notifications, interleaved."""

    small = bench_user("bench_notif_1k", 1_000, 4)
    large = bench_user("bench_notif_1m", 1_000_000, 4)
    clients = {"1,000": client_for(small), "1,000,000": client_for(large)}
    for client in clients.values():
        assert client.get(URL + "unread_count/").status_code == 200
        for _ in range(300):  # warm-up
            client.get(URL + "unread_count/")
            client.get(URL)

    # Interleaved (1k, 1M, 1k, 1M, ...) so both users see the same machine load: the machine is shared.
    samples: dict[str, list[float]] = {label: [] for label in clients}
    for _ in range(reps):
        for label, client in clients.items():
            start = time.perf_counter()
            client.get(URL + "unread_count/")
            samples[label].append((time.perf_counter() - start) * 1000)
    results = {}
    for label, values in samples.items():
        values.sort()
        results[label] = (statistics.median(values), values[int(len(values) * 0.95) - 1])
    for label, client in clients.items():
        body = client.get(URL + "unread_count/").json()
        p50, p95 = results[label]
        print(f"unread_count/ user with {label:>9} notifications {body}: median {p50:.3f} ms, p95 {p95:.3f} ms")
    print(f"ratio 1,000,000 / 1,000 (medians): {results['1,000,000'][0] / results['1,000'][0]:.3f}")
    p50, _ = median_ms(lambda: clients["1,000"].get("/api/auth/me/"), reps // 4)
    print(f"for scale, /api/auth/me/ (the authentication query alone): median {p50:.3f} ms")
    for label, client in clients.items():
        p50, p95 = median_ms(lambda c=client: c.get(URL + "?page_size=50"), reps // 4)
        print(f"list page of 50, user with {label:>9} notifications: median {p50:.3f} ms, p95 {p95:.3f} ms")


def mark_all_as_read() -> None:
    """mark_all_as_read/ over 10,000 unread rows, against the bare UPDATE with its counter trigger."""
    from django.db import connection

    from scheduling.models import Notification, NotificationCounter

    ten_k = bench_user("bench_notif_10k", 10_000, 0)
    client = client_for(ten_k)
    endpoint, statement = [], []
    for _ in range(7):
        Notification.objects.filter(user=ten_k).update(is_read=False)
        start = time.perf_counter()
        response = client.post(URL + "mark_all_as_read/")
        endpoint.append((time.perf_counter() - start) * 1000)
        assert response.json()["count"] == 10_000, response.content
        Notification.objects.filter(user=ten_k).update(is_read=False)
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(
                "UPDATE scheduling_notification SET is_read = true WHERE user_id = %s AND NOT is_read", [ten_k.pk]
            )
            statement.append((time.perf_counter() - start) * 1000)
    print(
        f"mark_all_as_read/ over 10,000 unread rows: endpoint median {statistics.median(endpoint):.1f} ms "
        f"(runs: {', '.join(f'{t:.1f}' for t in endpoint)}); the UPDATE statement alone, trigger included: "
        f"median {statistics.median(statement):.1f} ms"
    )
    print("counter after:", NotificationCounter.objects.filter(user=ten_k).values("total", "unread").first())


if __name__ == "__main__":
    raise SystemExit(main())
