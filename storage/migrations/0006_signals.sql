-- signals: what a buyer did that asks for an answer (a reply, a form, a
-- booked meeting, a call in, a click, a return visit). key dedupes what a
-- sync pulls again: the source and the CRM's record id, or the property
-- and its time. A signal is answered by the next touch on its contact (on
-- its account when contact_id is NULL) at or after it; answered_at and
-- answered_by record which, in the same transaction as that touch.
CREATE TABLE signals (
	id          INTEGER PRIMARY KEY,
	key         TEXT NOT NULL UNIQUE,
	account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	contact_id  INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	channel     TEXT NOT NULL DEFAULT '',
	answered_at INTEGER NOT NULL DEFAULT 0,
	answered_by INTEGER REFERENCES touches(id) ON DELETE SET NULL
);
-- The morning reads the unanswered ones of the last 7 days.
CREATE INDEX signals_open ON signals(at) WHERE answered_at = 0;
CREATE INDEX signals_contact ON signals(contact_id, at);
CREATE INDEX signals_account ON signals(account_id, at);
