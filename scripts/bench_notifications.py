"""Notification timings on the database of DATABASE_URL (not the test suite): unread_count/ for a user with 1,000
and one with 1,000,000 notifications, and mark_all_as_read/ over 10,000 unread rows. In-process Django test
client, medians after warm-up. Seeds its own users (bench_notif_*) with INSERT ... SELECT generate_series.

    DATABASE_URL=... python scripts/bench_notifications.py [--reps 2000]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from scheduling.models import Notification, NotificationCounter, Role, User  # noqa: E402
from scheduling.services.auth import issue_token  # noqa: E402

URL = "/api/scheduling/notifications/"


def bench_user(name: str, rows: int, read_every: int) -> User:
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


def client_for(user: User) -> Client:
    return Client(headers={"Authorization": f"Token {issue_token(user, hours=2)}"})


def median_ms(call, reps: int) -> tuple[float, float]:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args()

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
    for _ in range(args.reps):
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
    p50, _ = median_ms(lambda: clients["1,000"].get("/api/auth/me/"), args.reps // 4)
    print(f"for scale, /api/auth/me/ (the authentication query alone): median {p50:.3f} ms")
    for label, client in clients.items():
        p50, p95 = median_ms(lambda c=client: c.get(URL + "?page_size=50"), args.reps // 4)
        print(f"list page of 50, user with {label:>9} notifications: median {p50:.3f} ms, p95 {p95:.3f} ms")

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
    main()
