-- report_funnel_daily: one row per appointment date with at least one booking: how that day's bookings went.
-- booked counts every appointment; pending those still waiting for the therapist; confirmed those the
-- therapist confirmed (at any point); completed those from payment_verified onwards; rejected those rejected
-- at least once; cancelled and auto_cancelled their current status. The stages overlap (a rejected booking
-- may later be cancelled or confirmed). Rates are shares of booked, rounded to 4 decimals.
-- Read by: GET /api/scheduling/reports/funnel/, analysts.
CREATE OR REPLACE VIEW report_funnel_daily AS
SELECT
    c.date,
    c.booked,
    c.pending,
    c.confirmed,
    c.completed,
    c.rejected,
    c.cancelled,
    c.auto_cancelled,
    round(c.confirmed::numeric / c.booked, 4)::float8 AS confirmation_rate,
    round(c.completed::numeric / c.booked, 4)::float8 AS completion_rate,
    round(c.rejected::numeric / c.booked, 4)::float8 AS rejection_rate,
    round((c.cancelled + c.auto_cancelled)::numeric / c.booked, 4)::float8 AS cancellation_rate
FROM (
    SELECT
        f.date,
        count(*)::integer AS booked,
        count(*) FILTER (WHERE f.status = 'pending')::integer AS pending,
        count(*) FILTER (WHERE f.is_confirmed)::integer AS confirmed,
        count(*) FILTER (WHERE f.is_revenue)::integer AS completed,
        count(*) FILTER (WHERE f.was_rejected)::integer AS rejected,
        count(*) FILTER (WHERE f.status = 'cancelled')::integer AS cancelled,
        count(*) FILTER (WHERE f.status = 'auto_cancelled')::integer AS auto_cancelled
    FROM report_appointment_flags AS f
    GROUP BY f.date
) AS c;
