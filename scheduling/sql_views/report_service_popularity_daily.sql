-- report_service_popularity_daily: one row per appointment date and service booked on it; the same figures as
-- report_service_popularity_monthly, per day: bookings counts every appointment with the service, whatever its
-- status; completed those from payment_verified onwards; dropped those rejected, cancelled or auto-cancelled;
-- revenue_billed is the service's price times completed. Summed over a month's days it is that month's row.
-- Read by: the daily roll-up report_rollup_service_daily (scheduling/models/rollups.py), which the
-- service_popularity endpoint sums per month; analysts who want a finer grain than the month.
CREATE OR REPLACE VIEW report_service_popularity_daily AS
SELECT
    f.date,
    s.id AS service_id,
    s.name AS service_name,
    count(*)::integer AS bookings,
    count(*) FILTER (WHERE f.is_revenue)::integer AS completed,
    count(*) FILTER (WHERE f.is_dropped)::integer AS dropped,
    coalesce(sum(s.price) FILTER (WHERE f.is_revenue), 0)::numeric(12, 2) AS revenue_billed
FROM report_appointment_flags AS f
JOIN scheduling_appointment_services AS aps ON aps.appointment_id = f.appointment_id
JOIN scheduling_service AS s ON s.id = aps.service_id
GROUP BY f.date, s.id, s.name;
