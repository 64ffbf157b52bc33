-- history_changes(data, previous, label): what one history event changed, as {field: {"old": ..., "new": ...}}.
-- data is the event's snapshot (to_jsonb of an event row), previous the snapshot before it of the same object (or
-- null). An update lists the fields whose value differs from the previous snapshot; an insert the fields it set
-- (empty values left out); a delete the values the row had. Field names drop their `_id` suffix (therapist_id ->
-- therapist). Read by: the report_*_changes views.
CREATE OR REPLACE FUNCTION history_changes(data jsonb, previous jsonb, label text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        jsonb_object_agg(
            regexp_replace(d.key, '_id$', ''),
            CASE
                WHEN label = 'delete' THEN jsonb_build_object('old', d.value, 'new', NULL)
                ELSE jsonb_build_object('old', previous -> d.key, 'new', d.value)
            END
            ORDER BY d.key
        ),
        '{}'::jsonb
    )
    FROM jsonb_each(data - ARRAY['pgh_id', 'pgh_obj_id', 'pgh_created_at', 'pgh_label', 'pgh_context', 'pgh_context_id']) AS d
    WHERE CASE
        WHEN label = 'update' THEN (previous -> d.key) IS DISTINCT FROM d.value
        ELSE d.value NOT IN ('null'::jsonb, '""'::jsonb)
    END
$$;
