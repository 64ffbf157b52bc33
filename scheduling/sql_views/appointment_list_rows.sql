-- appointment_list_rows: one row per appointment, as every appointment endpoint reads it: the columns the filters
-- and orderings use, plus `item`, the finished API object (JSON) from appointment_item_cache (kept equal to the
-- view appointment_items by triggers). A page is an index scan plus one primary-key lookup per returned row;
-- COUNT(*) over this view never touches the cache (LEFT JOIN on a unique key is removed by the planner).
-- Read by: the appointment API (Django model AppointmentListRow).
CREATE OR REPLACE VIEW appointment_list_rows AS
SELECT
    a.id,
    a.client_id,
    a.therapist_id,
    a.driver_id,
    a.operator_id,
    a.date,
    a.start_time,
    a.end_time,
    a.status,
    a.payment_status,
    a.location,
    a.notes,
    a.response_deadline,
    a.created_at,
    c.item
FROM scheduling_appointment AS a
LEFT JOIN appointment_item_cache AS c ON c.appointment_id = a.id;
