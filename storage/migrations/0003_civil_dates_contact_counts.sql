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

-- n_contacts is how many contacts the account has, kept by the triggers
-- below. An account without one is always held from the worklist (nobody to
-- reach), so its suggested row is read from its own index, only when held
-- rows are shown, and counted in SQL: a book of 200,000 such accounts no
-- longer makes the first page rank each of them.
ALTER TABLE accounts ADD COLUMN n_contacts INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET n_contacts = (SELECT count(*) FROM contacts c WHERE c.account_id = accounts.id);
CREATE TRIGGER accounts_contacts_insert AFTER INSERT ON contacts BEGIN
	UPDATE accounts SET n_contacts = n_contacts + 1 WHERE id = new.account_id;
END;
CREATE TRIGGER accounts_contacts_delete AFTER DELETE ON contacts BEGIN
	UPDATE accounts SET n_contacts = n_contacts - 1 WHERE id = old.account_id;
END;
CREATE TRIGGER accounts_contacts_move AFTER UPDATE OF account_id ON contacts
WHEN old.account_id IS NOT new.account_id BEGIN
	UPDATE accounts SET n_contacts = n_contacts - 1 WHERE id = old.account_id;
	UPDATE accounts SET n_contacts = n_contacts + 1 WHERE id = new.account_id;
END;

-- Stale accounts best first, those with a contact apart from those without.
-- Those without one tie often (a list imported with one tier and fit for
-- thousands), so their index orders ties by name, as the worklist does, and
-- a page of them stops within a tie.
DROP INDEX accounts_suggest;
CREATE INDEX accounts_suggest ON accounts(suggest_rank DESC, last_touched, tier, departed)
	WHERE status <> 'disqualified' AND n_contacts > 0;
CREATE INDEX accounts_suggest_bare ON accounts(suggest_rank DESC, name, last_touched, tier, departed)
	WHERE status <> 'disqualified' AND n_contacts = 0;
