"""How django-pghistory's triggers compare with other ways to keep the history of appointment changes.

    python -m bench.history_alternatives [--database NAME] [--updates 400] [--rounds 5]

Runs on a database the benchmark has seeded (default `<db>_bench` on the server in use, which `make bench`
leaves behind). Each variant times the same single-row UPDATEs of appointments with only its own history trigger
enabled (the project's other triggers off), inside a transaction that is rolled back, so nothing is kept;
variants alternate within every round to share the machine's noise. Variants:

- none: no trigger at all (the floor);
- pghistory-json: the project's choice (pghistory row trigger, context copied into the event row);
- pghistory-fk: pghistory's default context (a foreign key to pghistory_context, upserted by each event);
- jsonb-diff: a hand-written trigger that stores only {field: [old, new]} of the changed columns as jsonb.

The two hand-written variants call pgtrigger's ignore check first, as a trigger declared with pgtrigger would.
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

from bench import database

HISTORY_TRIGGERS = (
    "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE c.relname = 'scheduling_appointment' AND t.tgname LIKE 'pgtrigger\\_appointment\\_history\\_%'"
)
# FK_EVENT and DIFF_EVENT create throwaway triggers by hand, for this measurement only: they live inside a
# rolled-back transaction and are never part of the schema, so they stay outside pgtrigger on purpose (every
# trigger of the project itself is declared with pgtrigger; tests/database/test_trigger_registry.py holds to that).
CONTEXT = """SELECT set_config('pghistory.context_id', gen_random_uuid()::text, true),
                    set_config('pghistory.context_metadata', '{"user": 1, "url": "/bench/"}', true)"""
FK_EVENT = """
CREATE TEMP TABLE alt_fk_event (LIKE scheduling_appointmentevent INCLUDING DEFAULTS INCLUDING IDENTITY) ON COMMIT DROP;
ALTER TABLE alt_fk_event DROP COLUMN pgh_context, DROP COLUMN pgh_context_id, ADD COLUMN pgh_context_id uuid;
CREATE INDEX ON alt_fk_event (pgh_obj_id, pgh_id);
CREATE FUNCTION pg_temp.alt_fk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF _pgtrigger_should_ignore(TG_NAME) IS TRUE THEN RETURN NULL; END IF;  -- as every pgtrigger trigger does
  INSERT INTO alt_fk_event (client_id, therapist_id, driver_id, operator_id, group_size, date, start_time, end_time,
      location, notes, status, payment_status, payment_method, payment_amount, payment_verified_at,
      payment_verified_by_id, payment_notes, receipt_hash, receipt_url, pickup_urgency, pickup_notes,
      rejection_reason, cancellation_reason, metadata, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)
  VALUES (NEW.client_id, NEW.therapist_id, NEW.driver_id, NEW.operator_id, NEW.group_size, NEW.date, NEW.start_time,
      NEW.end_time, NEW.location, NEW.notes, NEW.status, NEW.payment_status, NEW.payment_method, NEW.payment_amount,
      NEW.payment_verified_at, NEW.payment_verified_by_id, NEW.payment_notes, NEW.receipt_hash, NEW.receipt_url,
      NEW.pickup_urgency, NEW.pickup_notes, NEW.rejection_reason, NEW.cancellation_reason, NEW.metadata,
      clock_timestamp(), 'update', NEW.id, _pgh_attach_context());
  RETURN NULL; END $$;
CREATE TRIGGER alt_fk AFTER UPDATE ON scheduling_appointment FOR EACH ROW EXECUTE FUNCTION pg_temp.alt_fk();
"""
DIFF_EVENT = """
CREATE TEMP TABLE alt_diff_event (id bigserial PRIMARY KEY, appointment_id bigint, at timestamptz, context jsonb,
    diff jsonb) ON COMMIT DROP;
CREATE INDEX ON alt_diff_event (appointment_id, id);
CREATE FUNCTION pg_temp.alt_diff() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF _pgtrigger_should_ignore(TG_NAME) IS TRUE THEN RETURN NULL; END IF;
  INSERT INTO alt_diff_event (appointment_id, at, context, diff)
  SELECT NEW.id, clock_timestamp(), nullif(current_setting('pghistory.context_metadata', true), '')::jsonb,
         jsonb_object_agg(n.key, jsonb_build_array(o.value, n.value))
  FROM jsonb_each(to_jsonb(NEW) - 'updated_at') n JOIN jsonb_each(to_jsonb(OLD)) o USING (key)
  WHERE n.value IS DISTINCT FROM o.value;
  RETURN NULL; END $$;
CREATE TRIGGER alt_diff AFTER UPDATE ON scheduling_appointment FOR EACH ROW EXECUTE FUNCTION pg_temp.alt_diff();
"""


def run_variant(conn: psycopg.Connection, variant: str, ids: list[int]) -> list[float]:
    samples = []
    with conn.transaction(force_rollback=True):
        # Only the variant's own history trigger runs: the project's other triggers (item cache, counters,
        # bookings) cost about 9 ms a row here and their noise would hide the differences.
        conn.execute("ALTER TABLE scheduling_appointment DISABLE TRIGGER USER")
        if variant == "pghistory-json":
            for (trigger,) in conn.execute(HISTORY_TRIGGERS).fetchall():
                conn.execute(f'ALTER TABLE scheduling_appointment ENABLE TRIGGER "{trigger}"')
        if variant == "pghistory-fk":
            conn.execute(FK_EVENT)
        elif variant == "jsonb-diff":
            conn.execute(DIFF_EVENT)
        update = "UPDATE scheduling_appointment SET notes = notes || '.' WHERE id = %s"
        for appointment_id in ids[:20]:  # warm-up
            conn.execute(CONTEXT)
            conn.execute(update, [appointment_id])
        for appointment_id in ids:
            start = time.perf_counter()
            conn.execute(CONTEXT)  # a new request context for every change, as one API request each
            conn.execute(update, [appointment_id])
            samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=None, help="default: the benchmark's database, <db>_bench")
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = database.database_url()
    url = database.with_database(url, args.database) if args.database else database.bench_url(url)
    with psycopg.connect(database.psycopg_conninfo(url), autocommit=True) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM scheduling_appointment ORDER BY random() LIMIT %s", [args.updates]
        ).fetchall()]  # fmt: skip
        variants = ["none", "pghistory-json", "pghistory-fk", "jsonb-diff"]
        samples: dict[str, list[float]] = {v: [] for v in variants}
        for round_ in range(args.rounds):
            for variant in variants if round_ % 2 == 0 else reversed(variants):
                samples[variant] += run_variant(conn, variant, ids)
    base = statistics.median(samples["none"]) * 1000
    print(f"new context + single-row UPDATE of an appointment, median of {args.updates * args.rounds} per variant")
    print("| variant | median ms | added ms | ratio |\n|---|---|---|---|")
    for variant in variants:
        med = statistics.median(samples[variant]) * 1000
        print(f"| {variant} | {med:.3f} | {med - base:+.3f} | {med / base:.2f} |")


if __name__ == "__main__":
    main()
