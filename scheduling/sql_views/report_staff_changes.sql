-- report_staff_changes: one row per recorded change of a staff account (username, names, role, active flag;
-- never a password) or of a staff member's availability slot. subject is account | availability, object_id the
-- user's or the slot's id, staff_id whose account or slot it is; event is created | updated | deleted; changes
-- {field: {"old": ..., "new": ...}}; actor_id/actor_name the staff user whose request made it (null outside a
-- request: raw SQL, psql, commands). Read by: analysts and auditors (docs/reports.md).
CREATE OR REPLACE VIEW report_staff_changes AS
SELECT
    c.subject || ':' || c.pgh_id AS event_id,
    c.subject,
    c.pgh_obj_id AS object_id,
    c.staff_id,
    c.pgh_created_at AS changed_at,
    CASE c.pgh_label WHEN 'insert' THEN 'created' WHEN 'update' THEN 'updated' ELSE 'deleted' END AS event,
    u.id AS actor_id,
    coalesce(nullif(concat_ws(' ', nullif(u.first_name, ''), nullif(u.last_name, '')), ''), u.username) AS actor_name,
    c.pgh_context_id AS context_id,
    c.pgh_context ->> 'url' AS url,
    history_changes(c.data, c.previous, c.pgh_label) AS changes,
    c.pgh_id AS seq
FROM (
    SELECT 'account' AS subject, e.pgh_id, e.pgh_obj_id, e.pgh_obj_id AS staff_id, e.pgh_created_at, e.pgh_label,
        e.pgh_context, e.pgh_context_id,
        to_jsonb(e) AS data, lag(to_jsonb(e)) OVER (PARTITION BY e.pgh_obj_id ORDER BY e.pgh_id) AS previous
    FROM scheduling_userevent AS e
    UNION ALL
    SELECT 'availability', e.pgh_id, e.pgh_obj_id, e.user_id, e.pgh_created_at, e.pgh_label,
        e.pgh_context, e.pgh_context_id,
        to_jsonb(e), lag(to_jsonb(e)) OVER (PARTITION BY e.pgh_obj_id ORDER BY e.pgh_id)
    FROM scheduling_availabilityevent AS e
) AS c
LEFT JOIN scheduling_user AS u
    ON jsonb_typeof(c.pgh_context -> 'user') = 'number' AND u.id = (c.pgh_context ->> 'user')::bigint
WHERE c.pgh_label <> 'baseline';
