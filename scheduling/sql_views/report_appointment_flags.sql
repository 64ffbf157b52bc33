-- report_appointment_flags: one row per appointment with the lifecycle flags every report_* view counts by.
-- Which statuses earn revenue, which are dropped, which mean a trip happened is decided here and only here.
-- Read by: report_appointment_facts (which adds the amounts), report_funnel_daily (which needs no amounts), analysts.
CREATE OR REPLACE VIEW report_appointment_flags AS
SELECT
    a.id AS appointment_id,
    a.date,
    a.status,
    a.therapist_id,
    a.driver_id,
    a.payment_method,
    a.payment_amount,
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
    -- The extra time the client paid for, as mark_completed stores it (metadata.service_extension); jsonb, since
    -- operators may edit metadata: report_appointment_facts turns it into an amount only when it is a number.
    a.metadata -> 'service_extension' -> 'extension_amount' AS service_extension_amount
FROM scheduling_appointment AS a;
