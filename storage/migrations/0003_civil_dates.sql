-- A date-only due (due_has_time = 0) is a civil date, stored as midnight UTC
-- of that date, so it is the same day wherever the rep reads the book. Books
-- before held midnight in the zone the writer had (unknown now); the nearest
-- UTC midnight (ties upward) recovers the date for every writer's zone from
-- UTC−11:59 to UTC+12. A date written at UTC+12:45 or further east (Chatham,
-- New Zealand summer, Tonga, Samoa, Kiribati) lands a day early.
UPDATE tasks SET due = (due + 43200000) / 86400000 * 86400000 WHERE due_has_time = 0 AND due > 0;

-- The worklist compares a date-only due with today's date and a due with a
-- time with the end of today, so the index carries which one a due is.
DROP INDEX tasks_work;
CREATE INDEX tasks_work ON tasks(base_rank DESC, id, due, due_has_time, status, snoozed_until, kind, c_level, a_touched, zone)
	WHERE status IN ('open', 'snoozed');
