-- Who is free: one row per active therapist or driver (of the role asked for) whose available slot covers the whole window
-- [date + start_time, date + end_time) (the end on the next day when end_time <= start_time) and who holds no
-- staff booking overlapping it (as main therapist, group therapist or driver). Each row carries the covering
-- slot (slot_*). Read by scheduling.selectors.availability.free_staff, one query per request.
-- Slots start on the window's date or the evening before. Ranges are half-open, so back-to-back (11:00-12:00
-- after 10:00-11:00) is free.
WITH win AS (
    SELECT slot_period(%(date)s::date, %(start)s::time, %(end)s::time) AS span
)
SELECT u.*,
       a.id AS slot_id, a.date AS slot_date, a.start_time AS slot_start_time, a.end_time AS slot_end_time
FROM win, scheduling_user u
JOIN scheduling_availability a ON a.user_id = u.id
WHERE u.role = %(role)s
  AND u.is_active
  AND (%(specialization)s::text IS NULL OR u.specialization ILIKE %(specialization)s::text)
  AND (%(massage_pressure)s::text IS NULL OR u.massage_pressure = %(massage_pressure)s::text)
  -- checked_in=true: only people who are in now: checked in today (local) and not out, or, with no check-in
  -- today, still in the shift they started yesterday at most 24 hours ago (a check-out after midnight belongs to
  -- the day the shift started; scheduling.selectors.attendance.current_record, the same rule). The unique
  -- (staff_member_id, date) index finds the rows.
  AND (NOT %(checked_in)s::boolean OR EXISTS (
      SELECT 1 FROM scheduling_attendancerecord r
      WHERE r.staff_member_id = u.id AND r.check_in_time IS NOT NULL AND r.check_out_time IS NULL
        AND (r.date = %(today)s::date
             OR (r.date = %(today)s::date - 1 AND r.check_in_time >= %(now)s::timestamptz - interval '24 hours'
                 AND NOT EXISTS (
                     SELECT 1 FROM scheduling_attendancerecord t
                     WHERE t.staff_member_id = u.id AND t.date = %(today)s::date AND t.check_in_time IS NOT NULL
                 )))
  ))
  AND a.is_available
  AND a.date BETWEEN %(date)s::date - 1 AND %(date)s::date
  AND slot_period(a.date, a.start_time, a.end_time) @> win.span
  -- Busy = holding a staff booking that overlaps the window: the very rows the no-double-booking exclusion
  -- constraint guards (scheduling_staffbooking, wall-clock times stored as UTC), so whoever is listed here can be
  -- booked for the window. Therapists hold until cancelled; drivers until they drop the therapist off.
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_staffbooking b
      WHERE b.staff_id = u.id
        AND b.period && wall_clock_range(%(date)s::date, %(start)s::time, %(end)s::time)
  )
ORDER BY u.first_name, u.last_name, u.id
