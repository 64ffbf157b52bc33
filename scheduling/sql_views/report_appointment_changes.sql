-- report_appointment_changes: the rows of appointment_changes (one per recorded change of an appointment, its
-- services or therapists: who, when, which fields from what to what) for analysts and the reporting role, with
-- the values of the fields that may hold a client's address or other free text (location, notes, payment,
-- pickup, rejection and cancellation notes, receipt) replaced by {"old": null, "new": null, "masked": true}: the
-- change is listed, its content is not. Read by: analysts (docs/reports.md).
CREATE OR REPLACE VIEW report_appointment_changes AS
SELECT
    c.event_id,
    c.appointment_id,
    c.changed_at,
    c.event,
    c.actor_id,
    c.actor_name,
    c.context_id,
    c.url,
    (
        SELECT coalesce(jsonb_object_agg(
            d.key,
            CASE
                WHEN d.key IN (
                    'location', 'notes', 'payment_notes', 'pickup_notes', 'rejection_reason', 'cancellation_reason',
                    'receipt_url', 'receipt_hash'
                ) THEN '{"old": null, "new": null, "masked": true}'::jsonb
                ELSE d.value
            END
        ), '{}'::jsonb)
        FROM jsonb_each(c.changes) AS d
    ) AS changes,
    c.seq
FROM appointment_changes AS c;
