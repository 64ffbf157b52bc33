-- report_service_popularity_monthly: one row per calendar month (month is its first day) and service booked in it.
-- bookings counts every appointment with the service, whatever its status; completed those from payment_verified
-- onwards; dropped those rejected, cancelled or auto-cancelled. revenue_billed is the service's price times
-- completed: an appointment's services_total (appointment_totals.total_price) is the sum of its services'
-- prices, so a month's revenue_billed summed over services equals report_revenue_daily.revenue_billed summed
-- over that month. Payments are not split per service (a payment covers the whole appointment).
-- Read by: GET /api/scheduling/reports/service_popularity/, analysts.
CREATE OR REPLACE VIEW report_service_popularity_monthly AS
SELECT
    date_trunc('month', f.date)::date AS month,
    s.id AS service_id,
    s.name AS service_name,
    count(*)::integer AS bookings,
    count(*) FILTER (WHERE f.is_revenue)::integer AS completed,
    count(*) FILTER (WHERE f.is_dropped)::integer AS dropped,
    coalesce(sum(s.price) FILTER (WHERE f.is_revenue), 0)::numeric(12, 2) AS revenue_billed
FROM report_appointment_facts AS f
JOIN scheduling_appointment_services AS aps ON aps.appointment_id = f.appointment_id
JOIN scheduling_service AS s ON s.id = aps.service_id
GROUP BY date_trunc('month', f.date)::date, s.id, s.name;
