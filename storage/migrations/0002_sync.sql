-- What the CRM sync keeps beside the book.

-- departed: 0 in the rep's book; 1 reassigned to another owner in the CRM;
-- 2 deleted in the CRM. A departed account is out of the worklist; it stays
-- only while unsynced local work refers to it.
ALTER TABLE accounts ADD COLUMN departed INTEGER NOT NULL DEFAULT 0;
-- crm_status is Shortlist's account status as the CRM held it at the last
-- pull or push: a pulled value that differs from it changed in the CRM.
ALTER TABLE accounts ADD COLUMN crm_status TEXT NOT NULL DEFAULT '';
-- crm_modified is the company's last-modified time in the CRM (ms), so a
-- page pulled again changes nothing.
ALTER TABLE accounts ADD COLUMN crm_modified INTEGER NOT NULL DEFAULT 0;
-- pull_pending: the company changed in the CRM and its contacts and tasks
-- are still to be pulled (kept across a killed sync).
ALTER TABLE accounts ADD COLUMN pull_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_pull_pending ON accounts(id) WHERE pull_pending = 1;

-- crm_status is the task's state in the CRM ('open' or 'closed') at the
-- last pull or push, for the same conflict rule.
ALTER TABLE tasks ADD COLUMN crm_status TEXT NOT NULL DEFAULT '';

-- held: 0 queued; 1 refused by the CRM (held back until the rep changes
-- it); 2 a record it refers to was deleted in the CRM.
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_pending_kind ON outbox(kind, id) WHERE pushed_at IS NULL AND held = 0;

-- A held entry goes back in the queue when the rep changes what it
-- carries: its payload (a note edited) or a newer change of its record.
CREATE TRIGGER outbox_unhold_payload AFTER UPDATE OF payload ON outbox
WHEN old.held = 1 AND old.payload IS NOT new.payload BEGIN
	UPDATE outbox SET held = 0 WHERE id = new.id;
END;
CREATE TRIGGER outbox_unhold_newer AFTER INSERT ON outbox BEGIN
	UPDATE outbox SET held = 0
	WHERE held = 1 AND pushed_at IS NULL AND entity_id = new.entity_id
	  AND substr(kind, 1, instr(kind, '.')) = substr(new.kind, 1, instr(new.kind, '.'));
END;
