-- Who is free: one row per active therapist or driver (of the role asked for) whose available slot covers the whole window
-- [date + start_time, date + end_time) (the end on the next day when end_time <= start_time) and who holds no
-- active appointment overlapping it, as main therapist, group therapist or driver. Each row carries the covering
-- slot (slot_*). Read by scheduling.selectors.availability.free_staff, one query per request.
-- Slots start on the window's date or the evening before; appointments that could overlap start between the day
-- before and the day after. tsrange is half-open, so back-to-back (11:00-12:00 after 10:00-11:00) is free.
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
  AND a.is_available
  AND a.date BETWEEN %(date)s::date - 1 AND %(date)s::date
  AND slot_period(a.date, a.start_time, a.end_time) @> win.span
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointment ap
      WHERE ap.therapist_id = u.id
        AND ap.date BETWEEN %(date)s::date - 1 AND %(date)s::date + 1
        AND ap.status <> ALL(%(inactive)s::text[])
        AND slot_period(ap.date, ap.start_time, ap.end_time) && win.span
  )
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointment ap
      WHERE ap.driver_id = u.id
        AND ap.date BETWEEN %(date)s::date - 1 AND %(date)s::date + 1
        AND ap.status <> ALL(%(inactive)s::text[])
        AND slot_period(ap.date, ap.start_time, ap.end_time) && win.span
  )
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointmenttherapist link
      JOIN scheduling_appointment ap ON ap.id = link.appointment_id
      WHERE link.therapist_id = u.id
        AND ap.date BETWEEN %(date)s::date - 1 AND %(date)s::date + 1
        AND ap.status <> ALL(%(inactive)s::text[])
        AND slot_period(ap.date, ap.start_time, ap.end_time) && win.span
  )
ORDER BY u.first_name, u.last_name, u.id
