-- attendance_summary_drift: one row per day whose trigger-kept summary (scheduling_attendancedaysummary) differs
-- from a recount of scheduling_attendancerecord (a day with records but no summary row, or a summary row left
-- without records, shows too). Empty when the summaries are exact, which the triggers guarantee. The counts are
-- defined as in scheduling.models.attendance.SUMMARY_COUNTS.
-- `summary` is the kept row (NULL when there is none), `recount` the same keys recounted (zeros for no records).
-- Read by: `manage.py verify_attendance_summary [--fix]`, operators and analysts checking the summary (psql).
CREATE OR REPLACE VIEW attendance_summary_drift AS
WITH actual AS (
    SELECT date,
           count(*)::integer AS total,
           (count(*) FILTER (WHERE status = 'present'))::integer AS present,
           (count(*) FILTER (WHERE status = 'late'))::integer AS late,
           (count(*) FILTER (WHERE status = 'absent'))::integer AS absent,
           (count(*) FILTER (WHERE status = 'pending_approval'))::integer AS pending_approval,
           (count(*) FILTER (WHERE check_in_time IS NOT NULL AND check_out_time IS NULL))::integer AS checked_in,
           (count(*) FILTER (WHERE check_out_time IS NOT NULL))::integer AS checked_out,
           coalesce(sum(hours_worked), 0)::numeric(9, 2) AS hours_total
      FROM scheduling_attendancerecord
     GROUP BY date
)
SELECT coalesce(a.date, s.date) AS date,
       CASE WHEN s.date IS NOT NULL THEN jsonb_build_object(
           'total', s.total, 'present', s.present, 'late', s.late, 'absent', s.absent,
           'pending_approval', s.pending_approval, 'checked_in', s.checked_in, 'checked_out', s.checked_out,
           'hours_total', s.hours_total
       ) END AS summary,
       jsonb_build_object(
           'total', coalesce(a.total, 0), 'present', coalesce(a.present, 0), 'late', coalesce(a.late, 0),
           'absent', coalesce(a.absent, 0), 'pending_approval', coalesce(a.pending_approval, 0),
           'checked_in', coalesce(a.checked_in, 0), 'checked_out', coalesce(a.checked_out, 0),
           'hours_total', coalesce(a.hours_total, 0)
       ) AS recount
  FROM actual AS a
  FULL JOIN scheduling_attendancedaysummary AS s ON s.date = a.date
 WHERE (s.total, s.present, s.late, s.absent, s.pending_approval, s.checked_in, s.checked_out, s.hours_total)
       IS DISTINCT FROM
       (a.total, a.present, a.late, a.absent, a.pending_approval, a.checked_in, a.checked_out, a.hours_total);
