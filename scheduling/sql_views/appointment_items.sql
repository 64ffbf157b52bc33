-- appointment_items: one row per appointment with `item`, the appointment exactly as the API returns it (JSON):
-- ids, client/therapist/therapists/driver/operator/services/rejection details (each person with email, phone,
-- specialization and motorcycle_plate, as the frontend's cards show them), totals from appointment_totals,
-- formatted date and times. This is the one definition of the API shape; the trigger-maintained table
-- appointment_item_cache stores its output so a page is read, not rebuilt, on every request.
-- Read by: refresh_appointment_items() (appointment_item_cache.sql), analysts who want the API view of a booking.
CREATE OR REPLACE VIEW appointment_items AS
SELECT
    a.id AS appointment_id,
    (
        SELECT row_to_json(x)
        FROM (
            SELECT
                a.id,
                a.client_id AS client,
                a.therapist_id AS therapist,
                th.ids AS therapists,
                a.driver_id AS driver,
                a.operator_id AS operator,
                sv.ids AS services,
                a.group_size,
                a.date,
                a.start_time,
                a.end_time,
                a.location,
                a.notes,
                a.status,
                a.payment_status,
                a.payment_method,
                a.payment_amount::text AS payment_amount,
                a.payment_verified_at,
                a.payment_verified_by_id AS payment_verified_by,
                a.payment_notes,
                a.receipt_hash,
                a.receipt_url,
                a.pickup_urgency,
                a.pickup_notes,
                a.pickup_request_time,
                a.estimated_pickup_time,
                a.pickup_confirmed_at,
                a.rejection_reason,
                a.rejected_by_id AS rejected_by,
                a.rejected_at,
                a.response_deadline,
                a.therapist_confirmed_at,
                a.driver_confirmed_at,
                a.started_at,
                a.journey_started_at,
                a.arrived_at,
                a.dropped_off_at,
                a.session_started_at,
                a.awaiting_payment_at,
                a.completed_at,
                a.return_journey_completed_at,
                a.cancelled_at,
                a.cancellation_reason,
                a.metadata,
                a.created_at,
                a.updated_at,
                (
                    SELECT json_build_object(
                        'id', c.id, 'first_name', c.first_name, 'last_name', c.last_name,
                        'full_name', trim(c.first_name || ' ' || c.last_name),
                        'phone_number', c.phone_number, 'email', c.email, 'address', c.address)
                    FROM scheduling_client AS c WHERE c.id = a.client_id
                ) AS client_details,
                (
                    SELECT json_build_object(
                        'id', u.id, 'username', u.username, 'first_name', u.first_name, 'last_name', u.last_name,
                        'full_name', coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username),
                        'role', u.role, 'phone', u.phone,
                        'email', u.email, 'phone_number', u.phone, 'specialization', u.specialization,
                        'motorcycle_plate', u.motorcycle_plate)
                    FROM scheduling_user AS u WHERE u.id = a.therapist_id
                ) AS therapist_details,
                th.details AS therapists_details,
                (
                    SELECT json_build_object(
                        'id', u.id, 'username', u.username, 'first_name', u.first_name, 'last_name', u.last_name,
                        'full_name', coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username),
                        'role', u.role, 'phone', u.phone,
                        'email', u.email, 'phone_number', u.phone, 'specialization', u.specialization,
                        'motorcycle_plate', u.motorcycle_plate)
                    FROM scheduling_user AS u WHERE u.id = a.driver_id
                ) AS driver_details,
                (
                    SELECT json_build_object(
                        'id', u.id, 'username', u.username, 'first_name', u.first_name, 'last_name', u.last_name,
                        'full_name', coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username),
                        'role', u.role, 'phone', u.phone,
                        'email', u.email, 'phone_number', u.phone, 'specialization', u.specialization,
                        'motorcycle_plate', u.motorcycle_plate)
                    FROM scheduling_user AS u WHERE u.id = a.operator_id
                ) AS operator_details,
                sv.details AS services_details,
                (
                    SELECT json_build_object(
                        'id', r.id, 'reason', r.reason, 'rejected_by', r.rejected_by_id,
                        'rejected_by_name',
                        (SELECT coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username)
                         FROM scheduling_user AS u WHERE u.id = r.rejected_by_id),
                        'rejected_at', r.rejected_at, 'operator_response', r.operator_response,
                        'operator_response_reason', r.operator_response_reason,
                        'reviewed_by', r.reviewed_by_id, 'reviewed_at', r.reviewed_at)
                    FROM scheduling_appointmentrejection AS r WHERE r.appointment_id = a.id
                    ORDER BY r.rejected_at DESC, r.id DESC LIMIT 1
                ) AS rejection_details,
                t.service_count,
                t.total_duration,
                t.total_price::text AS total_price,
                to_char(a.date, 'FMMonth FMDD, YYYY') AS formatted_date,
                to_char(a.start_time, 'FMHH12:MI AM') AS formatted_start_time,
                to_char(a.end_time, 'FMHH12:MI AM') AS formatted_end_time
            FROM
                (
                    SELECT
                        coalesce(array_agg(l.therapist_id ORDER BY l.id), '{}') AS ids,
                        coalesce(json_agg(json_build_object(
                            'id', u.id, 'username', u.username, 'first_name', u.first_name,
                            'last_name', u.last_name,
                            'full_name', coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username),
                            'role', u.role, 'phone', u.phone,
                            'email', u.email, 'phone_number', u.phone, 'specialization', u.specialization,
                            'motorcycle_plate', u.motorcycle_plate, 'confirmed_at', l.confirmed_at)
                            ORDER BY l.id), '[]')
                            AS details
                    FROM scheduling_appointmenttherapist AS l
                    JOIN scheduling_user AS u ON u.id = l.therapist_id
                    WHERE l.appointment_id = a.id
                ) AS th,
                (
                    SELECT
                        coalesce(array_agg(s.id ORDER BY s.id), '{}') AS ids,
                        coalesce(json_agg(json_build_object(
                            'id', s.id, 'name', s.name, 'duration', s.duration, 'price', s.price::text,
                            'oil', s.oil) ORDER BY s.id), '[]') AS details
                    FROM scheduling_appointment_services AS aps
                    JOIN scheduling_service AS s ON s.id = aps.service_id
                    WHERE aps.appointment_id = a.id
                ) AS sv,
                appointment_totals AS t
            WHERE t.appointment_id = a.id
        ) AS x
    ) AS item
FROM scheduling_appointment AS a;
