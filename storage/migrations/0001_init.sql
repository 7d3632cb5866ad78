-- Shortlist's local book. Times are UTC unix milliseconds (0: never/unset).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
	id             INTEGER PRIMARY KEY,
	crm_id         TEXT UNIQUE,
	name           TEXT NOT NULL,
	domain         TEXT NOT NULL DEFAULT '',
	industry       TEXT NOT NULL DEFAULT '',
	employees      INTEGER,
	annual_revenue INTEGER,
	country        TEXT NOT NULL DEFAULT '',
	region         TEXT NOT NULL DEFAULT '',
	city           TEXT NOT NULL DEFAULT '',
	time_zone      TEXT NOT NULL DEFAULT '',
	technologies   TEXT NOT NULL DEFAULT '[]', -- JSON array
	owner          TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL DEFAULT 'target',
	crm_tier       TEXT NOT NULL DEFAULT '',
	do_not_contact INTEGER NOT NULL DEFAULT 0,
	last_touched   INTEGER NOT NULL DEFAULT 0,
	crm_url        TEXT NOT NULL DEFAULT '',
	fit            INTEGER NOT NULL DEFAULT 0,
	tier           TEXT NOT NULL DEFAULT 'D',
	-- suggest_rank bounds the clock-free part of a suggested row's rank
	-- (the best BaseRank over priorities), so the worklist can scan stale
	-- accounts best first.
	suggest_rank   REAL NOT NULL DEFAULT 0,
	updated_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX accounts_fit ON accounts(fit DESC, name);
CREATE INDEX accounts_name ON accounts(name COLLATE NOCASE);
CREATE INDEX accounts_suggest ON accounts(suggest_rank DESC, last_touched, tier) WHERE status <> 'disqualified';

CREATE TABLE contacts (
	id                    INTEGER PRIMARY KEY,
	crm_id                TEXT UNIQUE,
	account_id            INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	first_name            TEXT NOT NULL DEFAULT '',
	last_name             TEXT NOT NULL DEFAULT '',
	title                 TEXT NOT NULL DEFAULT '',
	persona               TEXT NOT NULL DEFAULT 'unknown',
	seniority             TEXT NOT NULL DEFAULT 'unknown',
	level                 INTEGER NOT NULL DEFAULT 0,
	email                 TEXT NOT NULL DEFAULT '',
	phone                 TEXT NOT NULL DEFAULT '',
	phone_bad             INTEGER NOT NULL DEFAULT 0,
	linkedin_url          TEXT NOT NULL DEFAULT '',
	time_zone             TEXT NOT NULL DEFAULT '',
	consent_call          TEXT NOT NULL DEFAULT 'allowed',
	consent_call_source   TEXT NOT NULL DEFAULT '',
	consent_call_at       INTEGER NOT NULL DEFAULT 0,
	consent_email         TEXT NOT NULL DEFAULT 'allowed',
	consent_email_source  TEXT NOT NULL DEFAULT '',
	consent_email_at      INTEGER NOT NULL DEFAULT 0,
	consent_linkedin      TEXT NOT NULL DEFAULT 'allowed',
	consent_linkedin_source TEXT NOT NULL DEFAULT '',
	consent_linkedin_at   INTEGER NOT NULL DEFAULT 0,
	last_touched          INTEGER NOT NULL DEFAULT 0,
	updated_at            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_account ON contacts(account_id, level DESC, last_touched);
CREATE INDEX contacts_email ON contacts(email);

CREATE TABLE touches (
	id          INTEGER PRIMARY KEY,
	op_id       TEXT NOT NULL UNIQUE,
	crm_id      TEXT UNIQUE,
	contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	channel     TEXT NOT NULL,
	direction   TEXT NOT NULL DEFAULT 'outbound',
	outcome     TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL,
	duration_ns INTEGER NOT NULL DEFAULT 0,
	origin      TEXT NOT NULL DEFAULT 'local',
	synced      INTEGER NOT NULL DEFAULT 0,
	-- undo holds what the log changed (prior values), JSON; '' for touches
	-- that did not come from LogTouch.
	undo        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX touches_contact_at ON touches(contact_id, at);
CREATE INDEX touches_account_at ON touches(account_id, at);
CREATE INDEX touches_at ON touches(at);

CREATE TABLE tasks (
	id            INTEGER PRIMARY KEY,
	crm_id        TEXT UNIQUE,
	account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	contact_id    INTEGER REFERENCES contacts(id) ON DELETE CASCADE, -- NULL: account-level
	kind          TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	due           INTEGER NOT NULL,
	due_has_time  INTEGER NOT NULL DEFAULT 0,
	priority      TEXT NOT NULL DEFAULT 'medium',
	status        TEXT NOT NULL DEFAULT 'open',
	snoozed_until INTEGER NOT NULL DEFAULT 0,
	origin        TEXT NOT NULL DEFAULT 'local',
	created_at    INTEGER NOT NULL DEFAULT 0,
	closed_at     INTEGER NOT NULL DEFAULT 0,
	-- base_rank = Ranker.BaseRank(account tier, fit, priority), kept current.
	base_rank     REAL NOT NULL DEFAULT 0,
	-- Copies of what the rest of a row's rank depends on, kept current by
	-- the triggers below, so the worklist bounds a row's rank from the
	-- index alone: c_level is the contact's level (0: account-level task;
	-- 100 when persona or seniority is unknown, since the ranker then reads
	-- the title: an upper bound), a_touched the account's last_touched,
	-- zone the contact's time zone or else the account's.
	c_level       INTEGER NOT NULL DEFAULT 0,
	a_touched     INTEGER NOT NULL DEFAULT 0,
	zone          TEXT NOT NULL DEFAULT ''
);
-- The worklist scans open tasks best first; everything its bound on a row's
-- rank needs is in the index, so only rows that can reach the page are read
-- from the table.
CREATE INDEX tasks_work ON tasks(base_rank DESC, id, due, status, snoozed_until, kind, c_level, a_touched, zone)
	WHERE status IN ('open', 'snoozed');
CREATE INDEX tasks_account ON tasks(account_id, status);
CREATE INDEX tasks_contact ON tasks(contact_id, status);

-- The triggers keep tasks.c_level, a_touched and zone current whatever
-- writes the rows (LogTouch, UndoLog, Rescore, the loader, sync, edits).
CREATE TRIGGER tasks_copy_insert AFTER INSERT ON tasks BEGIN
	UPDATE tasks SET
		c_level = coalesce((SELECT CASE WHEN c.persona IN ('', 'unknown') OR c.seniority IN ('', 'unknown') THEN 100 ELSE c.level END
			FROM contacts c WHERE c.id = new.contact_id), 0),
		a_touched = (SELECT a.last_touched FROM accounts a WHERE a.id = new.account_id),
		zone = coalesce((SELECT c.time_zone FROM contacts c WHERE c.id = new.contact_id AND c.time_zone <> ''),
			(SELECT a.time_zone FROM accounts a WHERE a.id = new.account_id), '')
	WHERE id = new.id;
END;
CREATE TRIGGER tasks_copy_update AFTER UPDATE OF account_id, contact_id ON tasks BEGIN
	UPDATE tasks SET
		c_level = coalesce((SELECT CASE WHEN c.persona IN ('', 'unknown') OR c.seniority IN ('', 'unknown') THEN 100 ELSE c.level END
			FROM contacts c WHERE c.id = new.contact_id), 0),
		a_touched = (SELECT a.last_touched FROM accounts a WHERE a.id = new.account_id),
		zone = coalesce((SELECT c.time_zone FROM contacts c WHERE c.id = new.contact_id AND c.time_zone <> ''),
			(SELECT a.time_zone FROM accounts a WHERE a.id = new.account_id), '')
	WHERE id = new.id;
END;
CREATE TRIGGER tasks_copy_contact AFTER UPDATE OF level, persona, seniority, time_zone ON contacts
WHEN old.level IS NOT new.level OR old.persona IS NOT new.persona OR old.seniority IS NOT new.seniority
	OR old.time_zone IS NOT new.time_zone BEGIN
	UPDATE tasks SET
		c_level = CASE WHEN new.persona IN ('', 'unknown') OR new.seniority IN ('', 'unknown') THEN 100 ELSE new.level END,
		zone = coalesce(nullif(new.time_zone, ''), (SELECT a.time_zone FROM accounts a WHERE a.id = tasks.account_id), '')
	WHERE contact_id = new.id;
END;
CREATE TRIGGER tasks_copy_account AFTER UPDATE OF last_touched, time_zone ON accounts
WHEN old.last_touched IS NOT new.last_touched OR old.time_zone IS NOT new.time_zone BEGIN
	UPDATE tasks SET
		a_touched = new.last_touched,
		zone = coalesce((SELECT c.time_zone FROM contacts c WHERE c.id = tasks.contact_id AND c.time_zone <> ''), new.time_zone)
	WHERE account_id = new.id;
END;

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY,
	op_id      TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	entity_id  INTEGER NOT NULL,
	payload    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	pushed_at  INTEGER,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	-- log_touch ties the rows a LogTouch wrote to its touch, for UndoLog.
	log_touch  INTEGER
);
CREATE INDEX outbox_pending ON outbox(id) WHERE pushed_at IS NULL;
CREATE INDEX outbox_log ON outbox(log_touch) WHERE log_touch IS NOT NULL;
