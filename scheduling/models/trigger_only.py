"""The Protect trigger of every table that only triggers write (counters, caches, versions, summaries)."""

import pgtrigger


def trigger_only(name: str) -> pgtrigger.Protect:
    """Refuses writes that come from a client statement: pg_trigger_depth() is 0 then, >= 1 from a trigger. A
    repair that rewrites the table on purpose names the trigger in `pgtrigger.ignore(...)`."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Condition("pg_trigger_depth() < 1"),
    )
