-- contact_visits: a contact's last website visit as the CRM held it at the
-- last sync, so a sync can tell a return after a quiet spell (a visited
-- signal) from a contact who visits every day: HubSpot keeps only the
-- latest visit on the contact.
CREATE TABLE contact_visits (
	contact_id    INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
	last_visit_at INTEGER NOT NULL
);
