-- A booked meeting the CRM cancelled (its Event deleted) after the push:
-- the touch is kept, its meeting_at says when it was to be.
ALTER TABLE touches ADD COLUMN meeting_cancelled INTEGER NOT NULL DEFAULT 0;
