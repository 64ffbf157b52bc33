"""Wall-clock spans: a date, a start time and an end time, where an end at or before the start is on the next
day (13:00-01:00 runs past midnight). The Python side of the rule; in SQL it is `slot_period(date, start, end)`
(migration 0004) and `wall_clock_range(date, start, end)` (migration 0008), which every query and trigger use."""

import datetime as dt


def ends_next_day(start: dt.time, end: dt.time) -> bool:
    return end <= start


def span(date: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """The real (naive) start and end of the span."""
    end_day = date + dt.timedelta(days=1) if ends_next_day(start, end) else date
    return dt.datetime.combine(date, start), dt.datetime.combine(end_day, end)


def length(start: dt.time, end: dt.time) -> dt.timedelta:
    begin, finish = span(dt.date(2000, 1, 1), start, end)
    return finish - begin
