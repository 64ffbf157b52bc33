-- appointment_totals: one row per appointment with the number of its services, their total duration in
-- minutes and their total price. Every amount the API, the list rows and the reports show comes from here.
-- Read by: the appointment list rows, the reporting views, analysts (psql / BI tools).
CREATE OR REPLACE VIEW appointment_totals AS
SELECT
    a.id AS appointment_id,
    count(s.id)::integer AS service_count,
    coalesce(sum(s.duration), 0)::integer AS total_duration,
    coalesce(sum(s.price), 0)::numeric(12, 2) AS total_price
FROM scheduling_appointment AS a
LEFT JOIN scheduling_appointment_services AS aps ON aps.appointment_id = a.id
LEFT JOIN scheduling_service AS s ON s.id = aps.service_id
GROUP BY a.id;
