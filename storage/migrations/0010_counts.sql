-- Touch budgets as "held while": budget_at is the time of the contact's
-- (or account's) Nth most recent touch, N its budget, 0 with fewer touches.
-- It is held back by its budget exactly while budget_at is inside the
-- window (budget_at >= now - window), so the worklist's header counts its
-- budget holds with a comparison per row instead of counting touches.
-- The budgets are settings: meta holds the N each column was computed
-- with, Open recomputes both columns when the settings differ, and the
-- triggers below keep them current on every write of a touch, in the
-- writing transaction. '0' (unknown) makes the first Open compute them.
-- A bulk load (storage.Loader: the demo, an import) marks its transaction
-- with meta budget_deferred and computes the columns of what it touched
-- once at its end, instead of twice per touch.
ALTER TABLE contacts ADD COLUMN budget_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN budget_at INTEGER NOT NULL DEFAULT 0;
INSERT INTO meta(key, value) VALUES ('budget_per_contact', '0'), ('budget_per_account', '0')
	ON CONFLICT(key) DO UPDATE SET value = excluded.value;

CREATE TRIGGER touches_budget_insert AFTER INSERT ON touches
WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'budget_deferred') BEGIN
	UPDATE contacts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.contact_id = new.contact_id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_contact') - 1), 0)
	WHERE id = new.contact_id;
	UPDATE accounts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.account_id = new.account_id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_account') - 1), 0)
	WHERE id = new.account_id;
END;
CREATE TRIGGER touches_budget_delete AFTER DELETE ON touches
WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'budget_deferred') BEGIN
	UPDATE contacts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.contact_id = old.contact_id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_contact') - 1), 0)
	WHERE id = old.contact_id;
	UPDATE accounts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.account_id = old.account_id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_account') - 1), 0)
	WHERE id = old.account_id;
END;
CREATE TRIGGER touches_budget_update AFTER UPDATE OF at, contact_id, account_id ON touches
WHEN (old.at IS NOT new.at OR old.contact_id IS NOT new.contact_id OR old.account_id IS NOT new.account_id)
	AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'budget_deferred') BEGIN
	UPDATE contacts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.contact_id = contacts.id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_contact') - 1), 0)
	WHERE id IN (old.contact_id, new.contact_id);
	UPDATE accounts SET budget_at = coalesce((SELECT t.at FROM touches t WHERE t.account_id = accounts.id
		ORDER BY t.at DESC LIMIT 1 OFFSET (SELECT value FROM meta WHERE key = 'budget_per_account') - 1), 0)
	WHERE id IN (old.account_id, new.account_id);
END;
