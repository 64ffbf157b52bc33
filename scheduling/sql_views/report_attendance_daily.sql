-- report_attendance_daily: one row per therapist or driver and local day with an attendance record: the status,
-- when they checked in and out (timestamptz: psql shows them in the session's time zone; the day is the
-- business's, settings.TIME_ZONE), the hours worked (a check-out after midnight counts for the day the shift
-- started), whether an operator approved it and who last corrected the times.
-- Read by: analysts and BI tools (docs/reports.md).
CREATE OR REPLACE VIEW report_attendance_daily AS
SELECT r.date,
       r.staff_member_id,
       u.username,
       u.first_name,
       u.last_name,
       u.role,
       r.status,
       r.check_in_time AS check_in_at,
       r.check_out_time AS check_out_at,
       r.hours_worked,
       r.status IN ('present', 'late', 'pending_approval') AS came_in,
       r.approved_at IS NOT NULL AS approved,
       r.approved_by_id,
       r.approved_at,
       r.corrected_by_id,
       r.corrected_at,
       r.notes
  FROM scheduling_attendancerecord AS r
  JOIN scheduling_user AS u ON u.id = r.staff_member_id;
