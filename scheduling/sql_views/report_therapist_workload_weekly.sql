-- report_therapist_workload_weekly: one row per therapist and ISO week (week_start is its Monday): the sums of
-- report_therapist_workload_daily over that week, same column meanings.
-- Read by: GET /api/scheduling/reports/therapist_workload/?period=week, analysts.
CREATE OR REPLACE VIEW report_therapist_workload_weekly AS
SELECT
    d.therapist_id,
    d.therapist_username,
    d.therapist_name,
    date_trunc('week', d.date)::date AS week_start,
    sum(d.appointments)::integer AS appointments,
    sum(d.completed)::integer AS completed,
    sum(d.booked_minutes)::integer AS booked_minutes,
    sum(d.revenue_billed)::numeric(12, 2) AS revenue_billed,
    sum(d.revenue_paid)::numeric(12, 2) AS revenue_paid,
    sum(d.rejections)::integer AS rejections
FROM report_therapist_workload_daily AS d
GROUP BY d.therapist_id, d.therapist_username, d.therapist_name, date_trunc('week', d.date)::date;
