-- report_revenue_daily: one row per appointment date with at least one appointment that earned revenue
-- (status payment_verified or later). revenue_billed is the services' list price (appointment_totals.total_price),
-- revenue_paid the payment_amount the operator verified; paid_* split revenue_paid by payment method
-- (paid_unrecorded: no method recorded); revenue_extension the service extensions verified with the payment
-- (metadata.service_extension.extension_amount, recorded apart from payment_amount as the frontend sends them).
-- Days without revenue have no row.
-- Read by: GET /api/scheduling/reports/revenue/, analysts.
CREATE OR REPLACE VIEW report_revenue_daily AS
SELECT
    f.date,
    count(*)::integer AS appointments,
    sum(f.revenue_billed)::numeric(12, 2) AS revenue_billed,
    sum(f.revenue_paid)::numeric(12, 2) AS revenue_paid,
    coalesce(sum(f.revenue_paid) FILTER (WHERE f.payment_method = 'cash'), 0)::numeric(12, 2) AS paid_cash,
    coalesce(sum(f.revenue_paid) FILTER (WHERE f.payment_method = 'gcash'), 0)::numeric(12, 2) AS paid_gcash,
    coalesce(sum(f.revenue_paid) FILTER (WHERE f.payment_method = 'bank_transfer'), 0)::numeric(12, 2)
        AS paid_bank_transfer,
    coalesce(sum(f.revenue_paid) FILTER (WHERE f.payment_method = 'credit_card'), 0)::numeric(12, 2)
        AS paid_credit_card,
    coalesce(sum(f.revenue_paid) FILTER (WHERE f.payment_method = ''), 0)::numeric(12, 2) AS paid_unrecorded,
    sum(f.revenue_extension)::numeric(12, 2) AS revenue_extension
FROM report_appointment_facts AS f
WHERE f.is_revenue
GROUP BY f.date;
