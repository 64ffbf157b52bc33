-- report_driver_workload_daily: one row per driver and appointment date on which they were the appointment's
-- driver or rejected one. appointments and booked_minutes count bookings that are not dropped (rejected,
-- cancelled, auto-cancelled); trips_out those where the journey out has started (status journey or later);
-- trips_back those where they picked the therapist up (return_journey, transport_completed); completed,
-- revenue_billed and revenue_paid those from payment_verified onwards; rejections count
-- scheduling_appointmentrejection rows by this driver, on the date of the appointment they rejected.
-- An appointment has one driver column: a pickup by another driver credits both trips to that driver.
-- Read by: GET /api/scheduling/reports/driver_workload/?period=day, report_driver_workload_weekly, analysts.
CREATE OR REPLACE VIEW report_driver_workload_daily AS
SELECT
    u.id AS driver_id,
    u.username AS driver_username,
    trim(u.first_name || ' ' || u.last_name) AS driver_name,
    x.date,
    x.appointments,
    x.trips_out,
    x.trips_back,
    x.completed,
    x.booked_minutes,
    x.revenue_billed,
    x.revenue_paid,
    x.rejections
FROM (
    SELECT
        w.driver_id,
        w.date,
        count(*) FILTER (WHERE w.is_assignment AND NOT w.is_dropped)::integer AS appointments,
        count(*) FILTER (WHERE w.is_assignment AND w.is_trip_out)::integer AS trips_out,
        count(*) FILTER (WHERE w.is_assignment AND w.is_trip_back)::integer AS trips_back,
        count(*) FILTER (WHERE w.is_assignment AND w.is_revenue)::integer AS completed,
        coalesce(sum(w.total_duration) FILTER (WHERE w.is_assignment AND NOT w.is_dropped), 0)::integer
            AS booked_minutes,
        coalesce(sum(w.revenue_billed) FILTER (WHERE w.is_assignment), 0)::numeric(12, 2) AS revenue_billed,
        coalesce(sum(w.revenue_paid) FILTER (WHERE w.is_assignment), 0)::numeric(12, 2) AS revenue_paid,
        count(*) FILTER (WHERE NOT w.is_assignment)::integer AS rejections
    FROM (
        SELECT f.driver_id, f.date, true AS is_assignment, f.is_dropped, f.is_revenue, f.is_trip_out,
               f.is_trip_back, f.total_duration, f.revenue_billed, f.revenue_paid
        FROM report_appointment_facts AS f
        WHERE f.driver_id IS NOT NULL
        UNION ALL
        SELECT r.rejected_by_id, a.date, false, false, false, false, false, 0, 0, 0
        FROM scheduling_appointmentrejection AS r
        JOIN scheduling_appointment AS a ON a.id = r.appointment_id
        JOIN scheduling_user AS ru ON ru.id = r.rejected_by_id AND ru.role = 'driver'
    ) AS w
    GROUP BY w.driver_id, w.date
) AS x
JOIN scheduling_user AS u ON u.id = x.driver_id;
