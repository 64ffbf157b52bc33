-- report_appointment_facts: one row per appointment: its lifecycle flags (report_appointment_flags) and its
-- amounts (appointment_totals), plus revenue_billed, revenue_paid and revenue_extension (a service extension's
-- amount, metadata.service_extension.extension_amount), which are 0 unless the appointment earned revenue. Every
-- amount in the report_* views comes from here.
-- Read by: the report_* views built on amounts; analysts drilling down from a report figure to appointments.
CREATE OR REPLACE VIEW report_appointment_facts AS
SELECT
    f.*,
    t.service_count,
    t.total_duration,
    t.total_price,
    (CASE WHEN f.is_revenue THEN t.total_price ELSE 0 END)::numeric(12, 2) AS revenue_billed,
    (CASE WHEN f.is_revenue THEN coalesce(f.payment_amount, 0) ELSE 0 END)::numeric(12, 2) AS revenue_paid,
    (
        CASE WHEN f.is_revenue AND jsonb_typeof(f.service_extension_amount) = 'number'
        THEN (f.service_extension_amount #>> '{}')::numeric ELSE 0 END
    )::numeric(12, 2) AS revenue_extension
FROM report_appointment_flags AS f
-- LATERAL + OFFSET 0: totals are computed only for the appointments a report's date filter keeps (an index
-- lookup each), so a 30-day report costs the same with one year of history or ten; a plain join would
-- aggregate appointment_totals over the whole table on every request.
CROSS JOIN LATERAL (
    SELECT at.service_count, at.total_duration, at.total_price
    FROM appointment_totals AS at
    WHERE at.appointment_id = f.appointment_id
    OFFSET 0
) AS t;
