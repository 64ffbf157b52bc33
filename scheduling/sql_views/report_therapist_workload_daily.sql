-- report_therapist_workload_daily: one row per therapist and appointment date on which they had an appointment
-- or rejected one. A group booking counts in full for every therapist on it (the main therapist and the
-- scheduling_appointmenttherapist links, the main one once even if also linked). appointments and
-- booked_minutes count bookings that are not dropped (rejected, cancelled, auto-cancelled); completed,
-- revenue_billed and revenue_paid count those from payment_verified onwards; rejections count
-- scheduling_appointmentrejection rows by this therapist, on the date of the appointment they rejected.
-- Read by: GET /api/scheduling/reports/therapist_workload/?period=day, report_therapist_workload_weekly, analysts.
CREATE OR REPLACE VIEW report_therapist_workload_daily AS
SELECT
    u.id AS therapist_id,
    u.username AS therapist_username,
    trim(u.first_name || ' ' || u.last_name) AS therapist_name,
    x.date,
    x.appointments,
    x.completed,
    x.booked_minutes,
    x.revenue_billed,
    x.revenue_paid,
    x.rejections
FROM (
    SELECT
        w.therapist_id,
        w.date,
        count(*) FILTER (WHERE w.is_assignment AND NOT w.is_dropped)::integer AS appointments,
        count(*) FILTER (WHERE w.is_assignment AND w.is_revenue)::integer AS completed,
        coalesce(sum(w.total_duration) FILTER (WHERE w.is_assignment AND NOT w.is_dropped), 0)::integer
            AS booked_minutes,
        coalesce(sum(w.revenue_billed) FILTER (WHERE w.is_assignment), 0)::numeric(12, 2) AS revenue_billed,
        coalesce(sum(w.revenue_paid) FILTER (WHERE w.is_assignment), 0)::numeric(12, 2) AS revenue_paid,
        count(*) FILTER (WHERE NOT w.is_assignment)::integer AS rejections
    FROM (
        SELECT f.therapist_id, f.date, true AS is_assignment, f.is_dropped, f.is_revenue, f.total_duration,
               f.revenue_billed, f.revenue_paid
        FROM report_appointment_facts AS f
        WHERE f.therapist_id IS NOT NULL
        UNION ALL
        SELECT l.therapist_id, f.date, true, f.is_dropped, f.is_revenue, f.total_duration, f.revenue_billed,
               f.revenue_paid
        FROM scheduling_appointmenttherapist AS l
        JOIN report_appointment_facts AS f ON f.appointment_id = l.appointment_id
        WHERE l.therapist_id IS DISTINCT FROM f.therapist_id  -- a main therapist who is also linked counts once
        UNION ALL
        SELECT r.rejected_by_id, a.date, false, false, false, 0, 0, 0
        FROM scheduling_appointmentrejection AS r
        JOIN scheduling_appointment AS a ON a.id = r.appointment_id
        JOIN scheduling_user AS ru ON ru.id = r.rejected_by_id AND ru.role = 'therapist'
    ) AS w
    GROUP BY w.therapist_id, w.date
) AS x
JOIN scheduling_user AS u ON u.id = x.therapist_id;
