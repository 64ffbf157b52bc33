-- appointment_item_cache: one row per appointment holding the output of the view appointment_items (the API
-- JSON of the appointment), so list endpoints read finished JSON instead of rebuilding it per request.
-- Written only by statement-level triggers declared on the models (scheduling/models/item_cache_triggers.py: one
-- refresh per statement, however many rows it touches), all calling the function below; every table the JSON
-- draws on has one: appointments, their services and group therapists, rejections, and the displayed columns of
-- clients, users and services. A row leaves with its appointment.
-- The table itself is the Django model AppointmentItemCache (so test flushes know it); this file adds the rest.
-- Read by: the view appointment_list_rows. Check it with:
--   SELECT count(*) FROM appointment_items i JOIN appointment_item_cache c USING (appointment_id)
--   WHERE i.item::text <> c.item::text;   -- 0 when exact
-- Timestamps in the JSON are always written in UTC, whatever the writing session's TimeZone.
--
-- Concurrency: a refresh reads rows other transactions may be changing (a client renamed while an appointment
-- is moved onto it). So it first locks what it reads: the clients and services the appointments show FOR SHARE,
-- the people with shared advisory locks (an edit of one waits until we commit and its own refresh then sees our
-- rows; an edit in flight makes us wait and we then read its committed result), and the appointments' cache rows
-- FOR UPDATE (two refreshes of one appointment run one after the other). Each statement of this VOLATILE function
-- takes a new snapshot, so the INSERT sees everything committed while we waited. Lock order everywhere: clients,
-- people, services, then cache rows, each in id order.
-- Generic plans (plan_cache_mode): PostgreSQL otherwise planned the function's statements anew on every call (a custom
-- plan for each `= ANY (ids)`), about 0.9 ms a refresh, more than the refresh itself; a one-row appointment UPDATE
-- went from 1.5 to 0.65 ms with them, a 1,000-row and a 20,000-row UPDATE took the same time (README, "Polling, history and the fixed cost of a request").
-- lock_shown = false: the caller is the trigger of an edit of a client, person or service, which already holds
-- that row (or that person's lock) exclusively; it needs only the cache rows, and taking the other kinds' locks
-- after its own would deadlock with an edit of another kind.
DROP FUNCTION IF EXISTS refresh_appointment_items(bigint[]);
CREATE OR REPLACE FUNCTION refresh_appointment_items(ids bigint[], lock_shown boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql VOLATILE SET "TimeZone" = 'UTC' SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF lock_shown THEN
        PERFORM 1 FROM scheduling_client AS c
        WHERE c.id IN (SELECT a.client_id FROM scheduling_appointment AS a WHERE a.id = ANY (ids))
        ORDER BY c.id FOR SHARE;
        -- People: shared advisory locks (the user trigger takes them exclusively for the people whose shown columns
        -- changed), not row locks: user rows are written often (logins, a driver's last_available_at) and the free
        -- driver is picked with SKIP LOCKED, which a share lock held here would make skip a free driver.
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('appointment_item_user:' || p.id, 0))
        FROM (
            SELECT unnest(ARRAY[a.therapist_id, a.driver_id, a.operator_id])
            FROM scheduling_appointment AS a WHERE a.id = ANY (ids)
            UNION SELECT l.therapist_id FROM scheduling_appointmenttherapist AS l WHERE l.appointment_id = ANY (ids)
            UNION SELECT r.rejected_by_id FROM scheduling_appointmentrejection AS r WHERE r.appointment_id = ANY (ids)
        ) AS p (id)
        WHERE p.id IS NOT NULL
        ORDER BY p.id;
        PERFORM 1 FROM scheduling_service AS s
        WHERE s.id IN (SELECT aps.service_id FROM scheduling_appointment_services AS aps
                       WHERE aps.appointment_id = ANY (ids))
        ORDER BY s.id FOR SHARE;
    END IF;
    PERFORM 1 FROM appointment_item_cache AS c WHERE c.appointment_id = ANY (ids)
    ORDER BY c.appointment_id FOR UPDATE;
    INSERT INTO appointment_item_cache AS c (appointment_id, item)
    SELECT i.appointment_id, i.item FROM appointment_items AS i WHERE i.appointment_id = ANY (ids)
    ORDER BY i.appointment_id
    ON CONFLICT (appointment_id) DO UPDATE SET item = EXCLUDED.item;
END $$;

-- Fill it for the appointments that exist when this file is applied.
SELECT refresh_appointment_items(ARRAY(SELECT id FROM scheduling_appointment));
