-- notification_counter_drift: one row per user whose trigger-kept notification counter differs from a recount of
-- scheduling_notification (a user with notifications but no counter row, or a counter row left without
-- notifications, shows too). Empty when the counters are exact, which the triggers guarantee.
-- Read by: `manage.py verify_notification_counters [--fix]`, operators and analysts checking the counters (psql).
CREATE OR REPLACE VIEW notification_counter_drift AS
SELECT coalesce(actual.user_id, c.user_id) AS user_id,
       coalesce(c.total, 0) AS counter_total,
       coalesce(c.unread, 0) AS counter_unread,
       coalesce(actual.total, 0) AS actual_total,
       coalesce(actual.unread, 0) AS actual_unread
  FROM (SELECT user_id, count(*)::integer AS total, (count(*) FILTER (WHERE NOT is_read))::integer AS unread
          FROM scheduling_notification
         GROUP BY user_id) AS actual
  FULL JOIN scheduling_notificationcounter AS c ON c.user_id = actual.user_id
 WHERE (c.total, c.unread) IS DISTINCT FROM (actual.total, actual.unread);
