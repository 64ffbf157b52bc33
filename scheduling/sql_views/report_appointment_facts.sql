-- report_appointment_facts: one row per appointment, with the lifecycle flags and the amounts that every
-- report_* view counts by. Which statuses earn revenue, which are dropped, which mean a trip happened is
-- decided here and only here; amounts come from appointment_totals.
-- Read by: the other report_* views; analysts who want to drill down from a report figure to appointments.
CREATE OR REPLACE VIEW report_appointment_facts AS
SELECT
    a.id AS appointment_id,
    a.date,
    a.status,
    a.therapist_id,
    a.driver_id,
    a.payment_method,
    a.payment_amount,
    t.service_count,
    t.total_duration,
    t.total_price,
    -- From payment_verified onwards: the operator has verified the payment.
    a.status IN (
        'payment_verified', 'completed', 'pickup_requested', 'driver_assigned_pickup', 'return_journey',
        'transport_completed'
    ) AS is_revenue,
    -- Not (or no longer) going to happen: rejected and awaiting review, cancelled, auto-cancelled.
    a.status IN ('rejected', 'cancelled', 'auto_cancelled') AS is_dropped,
    -- Confirmed by the therapist at some point (a later cancellation keeps therapist_confirmed_at).
    (
        a.therapist_confirmed_at IS NOT NULL
        OR a.status NOT IN ('pending', 'rejected', 'cancelled', 'auto_cancelled')
    ) AS is_confirmed,
    -- Rejected at least once by a therapist or driver, whatever the operator decided afterwards.
    (
        a.status = 'rejected'
        OR EXISTS (SELECT 1 FROM scheduling_appointmentrejection AS r WHERE r.appointment_id = a.id)
    ) AS was_rejected,
    -- The driver has carried the therapist out (the journey started).
    a.status IN (
        'journey', 'arrived', 'dropped_off', 'session_in_progress', 'awaiting_payment', 'payment_verified',
        'completed', 'pickup_requested', 'driver_assigned_pickup', 'return_journey', 'transport_completed'
    ) AS is_trip_out,
    -- The driver has picked the therapist up for the way back.
    a.status IN ('return_journey', 'transport_completed') AS is_trip_back,
    CASE
        WHEN a.status IN (
            'payment_verified', 'completed', 'pickup_requested', 'driver_assigned_pickup', 'return_journey',
            'transport_completed'
        ) THEN t.total_price
        ELSE 0
    END::numeric(12, 2) AS revenue_billed,
    CASE
        WHEN a.status IN (
            'payment_verified', 'completed', 'pickup_requested', 'driver_assigned_pickup', 'return_journey',
            'transport_completed'
        ) THEN coalesce(a.payment_amount, 0)
        ELSE 0
    END::numeric(12, 2) AS revenue_paid
FROM scheduling_appointment AS a
-- LATERAL + OFFSET 0: totals are computed only for the appointments a report's date filter keeps (an index
-- lookup each), so a 30-day report costs the same with one year of history or ten; a plain join would
-- aggregate appointment_totals over the whole table on every request.
CROSS JOIN LATERAL (
    SELECT at.service_count, at.total_duration, at.total_price
    FROM appointment_totals AS at
    WHERE at.appointment_id = a.id
    OFFSET 0
) AS t;
