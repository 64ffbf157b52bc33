-- appointment_changes: one row per recorded change of an appointment, its services or its therapists
-- (the history tables of scheduling/models/history.py, filled by triggers whoever writes: API, admin, SQL).
-- event is created | updated | deleted | service_added | service_removed | therapist_added | therapist_removed;
-- changes is {field: {"old": ..., "new": ...}} (ids for people, clients and services); actor_id/actor_name the
-- staff user whose request made the change (API token or admin session), null for raw SQL, psql and commands;
-- context_id groups the changes of one request. Newest first is ORDER BY changed_at DESC, seq DESC.
-- Read by: GET /api/scheduling/appointments/{id}/history/ and the admin's appointment page (operators); analysts
-- read report_appointment_changes, the same rows with addresses and free text masked.
CREATE OR REPLACE VIEW appointment_changes AS
SELECT
    c.event_id,
    c.appointment_id,
    c.changed_at,
    c.event,
    u.id AS actor_id,
    coalesce(nullif(concat_ws(' ', nullif(u.first_name, ''), nullif(u.last_name, '')), ''), u.username) AS actor_name,
    c.context_id,
    c.pgh_context ->> 'url' AS url,
    c.changes,
    c.seq
FROM (
    SELECT
        'appointment:' || s.pgh_id AS event_id,
        s.pgh_obj_id AS appointment_id,
        s.pgh_created_at AS changed_at,
        CASE s.pgh_label WHEN 'insert' THEN 'created' WHEN 'update' THEN 'updated' ELSE 'deleted' END AS event,
        s.pgh_context,
        s.pgh_context_id AS context_id,
        history_changes(s.data, s.previous, s.pgh_label) AS changes,
        s.pgh_id AS seq
    FROM (
        -- the window runs per appointment, so a filter on appointment_id reaches the index below it
        SELECT e.pgh_id, e.pgh_obj_id, e.pgh_created_at, e.pgh_label, e.pgh_context, e.pgh_context_id,
            to_jsonb(e) AS data, lag(to_jsonb(e)) OVER (PARTITION BY e.pgh_obj_id ORDER BY e.pgh_id) AS previous
        FROM scheduling_appointmentevent AS e
    ) AS s
    WHERE s.pgh_label <> 'baseline'
    UNION ALL
    SELECT
        'service:' || e.pgh_id,
        e.appointment_id,
        e.pgh_created_at,
        CASE e.pgh_label WHEN 'add' THEN 'service_added' ELSE 'service_removed' END,
        e.pgh_context,
        e.pgh_context_id,
        jsonb_build_object('service', jsonb_build_object(
            'old', CASE WHEN e.pgh_label = 'remove' THEN e.service_id END,
            'new', CASE WHEN e.pgh_label = 'add' THEN e.service_id END
        )),
        e.pgh_id
    FROM scheduling_appointmentserviceevent AS e
    UNION ALL
    SELECT
        'therapist:' || e.pgh_id,
        e.appointment_id,
        e.pgh_created_at,
        CASE e.pgh_label WHEN 'add' THEN 'therapist_added' ELSE 'therapist_removed' END,
        e.pgh_context,
        e.pgh_context_id,
        jsonb_build_object('therapists', jsonb_build_object(
            'old', CASE WHEN e.pgh_label = 'remove' THEN e.therapist_id END,
            'new', CASE WHEN e.pgh_label = 'add' THEN e.therapist_id END
        )),
        e.pgh_id
    FROM scheduling_appointmenttherapistevent AS e
) AS c
LEFT JOIN scheduling_user AS u
    ON jsonb_typeof(c.pgh_context -> 'user') = 'number' AND u.id = (c.pgh_context ->> 'user')::bigint;
