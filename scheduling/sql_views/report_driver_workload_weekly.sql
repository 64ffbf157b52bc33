-- report_driver_workload_weekly: one row per driver and ISO week (week_start is its Monday): the sums of
-- report_driver_workload_daily over that week, same column meanings.
-- Read by: GET /api/scheduling/reports/driver_workload/?period=week, analysts.
CREATE OR REPLACE VIEW report_driver_workload_weekly AS
SELECT
    d.driver_id,
    d.driver_username,
    d.driver_name,
    date_trunc('week', d.date)::date AS week_start,
    sum(d.appointments)::integer AS appointments,
    sum(d.trips_out)::integer AS trips_out,
    sum(d.trips_back)::integer AS trips_back,
    sum(d.completed)::integer AS completed,
    sum(d.booked_minutes)::integer AS booked_minutes,
    sum(d.revenue_billed)::numeric(12, 2) AS revenue_billed,
    sum(d.revenue_paid)::numeric(12, 2) AS revenue_paid,
    sum(d.rejections)::integer AS rejections
FROM report_driver_workload_daily AS d
GROUP BY d.driver_id, d.driver_username, d.driver_name, date_trunc('week', d.date)::date;
