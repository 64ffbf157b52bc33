-- appointment_item_cache: one row per appointment holding the output of the view appointment_items (the API
-- JSON of the appointment), so list endpoints read finished JSON instead of rebuilding it per request.
-- Written only by the statement-level triggers below (one refresh per statement, however many rows it touches);
-- every table the JSON draws on has one: appointments, their services and group therapists, rejections, and the
-- displayed columns of clients, users and services. A row leaves with its appointment (trigger below).
-- The table itself is the Django model AppointmentItemCache (so test flushes know it); this file adds the rest.
-- Read by: the view appointment_list_rows. Check it with:
--   SELECT count(*) FROM appointment_items i JOIN appointment_item_cache c USING (appointment_id)
--   WHERE i.item::text <> c.item::text;   -- 0 when exact
-- Timestamps in the JSON are always written in UTC, whatever the writing session's TimeZone.
CREATE OR REPLACE FUNCTION refresh_appointment_items(ids bigint[]) RETURNS void
LANGUAGE sql SET "TimeZone" = 'UTC' AS $$
    INSERT INTO appointment_item_cache AS c (appointment_id, item)
    SELECT i.appointment_id, i.item FROM appointment_items AS i WHERE i.appointment_id = ANY (ids)
    ORDER BY i.appointment_id
    ON CONFLICT (appointment_id) DO UPDATE SET item = EXCLUDED.item;
$$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_new_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_appointment_items(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_appointment_items(ARRAY(SELECT DISTINCT appointment_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_appointment_items(ARRAY(SELECT DISTINCT appointment_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_appointment_items(ARRAY(
        SELECT a.id FROM scheduling_appointment AS a
        WHERE a.client_id IN (
            SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
            WHERE (n.first_name, n.last_name, n.phone_number, n.email, n.address)
                IS DISTINCT FROM (o.first_name, o.last_name, o.phone_number, o.email, o.address))));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_user() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    -- Only the displayed columns matter: logins and last_available_at do not rewrite anyone's appointments.
    changed := ARRAY(
        SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
        WHERE (n.username, n.first_name, n.last_name, n.role, n.phone, n.email, n.specialization, n.motorcycle_plate)
            IS DISTINCT FROM
              (o.username, o.first_name, o.last_name, o.role, o.phone, o.email, o.specialization, o.motorcycle_plate));
    IF cardinality(changed) > 0 THEN
        PERFORM refresh_appointment_items(ARRAY(
            SELECT a.id FROM scheduling_appointment AS a
            WHERE a.therapist_id = ANY (changed) OR a.driver_id = ANY (changed) OR a.operator_id = ANY (changed)
            UNION SELECT l.appointment_id FROM scheduling_appointmenttherapist AS l WHERE l.therapist_id = ANY (changed)
            UNION SELECT r.appointment_id FROM scheduling_appointmentrejection AS r WHERE r.rejected_by_id = ANY (changed)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION appointment_items_refresh_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_appointment_items(ARRAY(
        SELECT DISTINCT aps.appointment_id FROM scheduling_appointment_services AS aps
        WHERE aps.service_id IN (
            SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
            WHERE (n.name, n.duration, n.price, n.oil) IS DISTINCT FROM (o.name, o.duration, o.price, o.oil))));
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS appointment_items_ins ON scheduling_appointment;
CREATE TRIGGER appointment_items_ins AFTER INSERT ON scheduling_appointment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new_id();
DROP TRIGGER IF EXISTS appointment_items_upd ON scheduling_appointment;
CREATE TRIGGER appointment_items_upd AFTER UPDATE ON scheduling_appointment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new_id();

CREATE OR REPLACE FUNCTION appointment_items_forget_old_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM appointment_item_cache WHERE appointment_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS appointment_items_del ON scheduling_appointment;
CREATE TRIGGER appointment_items_del AFTER DELETE ON scheduling_appointment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_forget_old_id();

DROP TRIGGER IF EXISTS appointment_items_services_ins ON scheduling_appointment_services;
CREATE TRIGGER appointment_items_services_ins AFTER INSERT ON scheduling_appointment_services
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new();
DROP TRIGGER IF EXISTS appointment_items_services_del ON scheduling_appointment_services;
CREATE TRIGGER appointment_items_services_del AFTER DELETE ON scheduling_appointment_services
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_old();

DROP TRIGGER IF EXISTS appointment_items_links_ins ON scheduling_appointmenttherapist;
CREATE TRIGGER appointment_items_links_ins AFTER INSERT ON scheduling_appointmenttherapist
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new();
DROP TRIGGER IF EXISTS appointment_items_links_upd ON scheduling_appointmenttherapist;
CREATE TRIGGER appointment_items_links_upd AFTER UPDATE ON scheduling_appointmenttherapist
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new();
DROP TRIGGER IF EXISTS appointment_items_links_del ON scheduling_appointmenttherapist;
CREATE TRIGGER appointment_items_links_del AFTER DELETE ON scheduling_appointmenttherapist
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_old();

DROP TRIGGER IF EXISTS appointment_items_rejections_ins ON scheduling_appointmentrejection;
CREATE TRIGGER appointment_items_rejections_ins AFTER INSERT ON scheduling_appointmentrejection
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new();
DROP TRIGGER IF EXISTS appointment_items_rejections_upd ON scheduling_appointmentrejection;
CREATE TRIGGER appointment_items_rejections_upd AFTER UPDATE ON scheduling_appointmentrejection
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_new();
DROP TRIGGER IF EXISTS appointment_items_rejections_del ON scheduling_appointmentrejection;
CREATE TRIGGER appointment_items_rejections_del AFTER DELETE ON scheduling_appointmentrejection
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_old();

DROP TRIGGER IF EXISTS appointment_items_client_upd ON scheduling_client;
CREATE TRIGGER appointment_items_client_upd AFTER UPDATE ON scheduling_client
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_client();
DROP TRIGGER IF EXISTS appointment_items_user_upd ON scheduling_user;
CREATE TRIGGER appointment_items_user_upd AFTER UPDATE ON scheduling_user
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_user();
DROP TRIGGER IF EXISTS appointment_items_service_upd ON scheduling_service;
CREATE TRIGGER appointment_items_service_upd AFTER UPDATE ON scheduling_service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION appointment_items_refresh_service();

-- Fill it for the appointments that exist when this file is applied.
SELECT refresh_appointment_items(ARRAY(SELECT id FROM scheduling_appointment));
