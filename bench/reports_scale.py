"""The report endpoints at scale, in-process: each report of bench/endpoints.py over its default window (the
last 30 days) and over the whole seeded span, by week and as CSV. Per case: queries, p50 and p95, the p50 of the
same SQL through psycopg (the floor, bench/floor.py), rows and bytes.

    python -m config.embedded_pg run -- python -m bench.reports_scale [--seed] [--size standard] [--repeat 30]

Runs on the benchmark's database (`<db>_bench`, as `make bench` leaves it; --seed seeds it first the same way,
bench/seeded.py). With DATABASE_URL set, that server is used.
"""

from __future__ import annotations

import argparse
import datetime as dt

from bench import seeded
from bench.endpoints import ENDPOINTS, REPORTS, Endpoint

# The reports make bench measures (bench/endpoints.py), each once: revenue, therapist_workload, ...
REPORT_NAMES = tuple(
    dict.fromkeys(e.paths[0][len(REPORTS) :].split("/")[0] for e in ENDPOINTS if e.paths[0].startswith(REPORTS))
)


def cases(first: dt.date, last: dt.date) -> list[Endpoint]:
    """Every report over its default window and over first..last; the workloads by week; one CSV download."""
    span = f"date_after={first.isoformat()}&date_before={last.isoformat()}"
    found = []
    for name in REPORT_NAMES:
        found.append(Endpoint(f"{name} (30 days)", (f"{REPORTS}{name}/",)))
        found.append(Endpoint(f"{name} (whole span)", (f"{REPORTS}{name}/?{span}",), heavy=True))
        if name.endswith("_workload"):
            found.append(Endpoint(f"{name} by week (whole span)", (f"{REPORTS}{name}/?{span}&period=week",)))
    found.append(Endpoint("therapist_workload csv (whole span)", (f"{REPORTS}therapist_workload/?{span}&format=csv",)))
    return found


def rows_of(response) -> int:
    if response["Content-Type"].startswith("text/csv"):
        return response.content.count(b"\n") - 1  # the header row
    return response.json()["count"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    seeded.add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    url = seeded.open_database(args)

    import psycopg
    from django.db.models import Max, Min

    from bench import database, inprocess
    from bench.floor import prepare_floor_connection
    from scheduling.models import Appointment

    actors = inprocess.prepare_actors()
    ctx = inprocess.context()
    span = Appointment.objects.aggregate(first=Min("date"), last=Max("date"))
    print(f"{'report':<46} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'floor p50':>9} {'rows':>6} {'bytes':>9}")
    with psycopg.connect(database.psycopg_conninfo(url), autocommit=True) as conn:
        floor_conn = prepare_floor_connection(conn)
        for endpoint in cases(span["first"], span["last"]):
            result = inprocess.measure(endpoint, actors, ctx, warmup=3, reps=args.repeat, floor_conn=floor_conn)
            if result["status"] != "ok":
                print(f"{endpoint.name:<46} answered {result['code']}")
                continue
            rows = rows_of(actors.client(endpoint.as_user).get(result["path"]))
            print(
                f"{endpoint.name:<46} {result['queries']:>7} {result['latency']['p50_ms']:>8.1f} "
                f"{result['latency']['p95_ms']:>8.1f} {result['floor']['p50_ms']:>9.1f} {rows:>6} "
                f"{result['bytes']:>9}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
