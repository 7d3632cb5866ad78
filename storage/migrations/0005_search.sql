-- Search indexes: FTS5 with the trigram tokenizer, so any run of three or
-- more characters of a field is found from the index (substrings, any word
-- order, case folded) instead of a scan of every row. The tables keep their
-- own copy of the text, so the triggers below replace a row by its id alone
-- and any sqlite3 from 3.34 on reads them (a contentless table needs 3.43
-- for that).

CREATE VIRTUAL TABLE accounts_fts USING fts5(name, domain, tokenize='trigram');

-- company is the contact's account name: "anna acme" finds Anna at Acme
-- from the index alone. account_id is not searched: with it a search ranks
-- and shows its hits from this table and accounts, never reading the wide
-- contacts rows (a third of the time of a common name at 100k accounts).
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, title, company, account_id UNINDEXED, tokenize='trigram');

-- The rows already in the book are indexed after this file, in the same
-- transaction, a batch of ids at a time so a big book's migration says how
-- far it got (fillSearchIndex in storage/migrate_fill.go).

-- search_pending lists the accounts (kind 0) and contacts (kind 1) whose
-- entries are to be written again. The triggers below fill it whatever
-- changes or deletes the rows (import, sync pulls, edits, another program);
-- storage rewrites those entries and empties it at the end of the same
-- transaction, in a few statements: FTS5 writes its pending terms to disk
-- at every statement savepoint, so an entry written by a trigger per row
-- made a 100,000-row import three times slower. New rows need no trigger
-- (one on INSERT gives every insert a statement journal, which cost the
-- import a second more): their ids are above the index's highest, and the
-- same step indexes them.
CREATE TABLE search_pending (
	kind INTEGER NOT NULL,
	id   INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

CREATE TRIGGER accounts_search_update AFTER UPDATE OF name, domain ON accounts
WHEN old.name IS NOT new.name OR old.domain IS NOT new.domain BEGIN
	INSERT INTO search_pending(kind, id) VALUES (0, new.id) ON CONFLICT DO NOTHING;
	-- a contact's entry holds its company's name
	INSERT INTO search_pending(kind, id) SELECT 1, id FROM contacts WHERE account_id = new.id AND old.name IS NOT new.name
		ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
	INSERT INTO search_pending(kind, id) VALUES (0, old.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF first_name, last_name, email, title, account_id ON contacts
WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name OR old.email IS NOT new.email
	OR old.title IS NOT new.title OR old.account_id IS NOT new.account_id BEGIN
	INSERT INTO search_pending(kind, id) VALUES (1, new.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
	INSERT INTO search_pending(kind, id) VALUES (1, old.id) ON CONFLICT DO NOTHING;
END;
