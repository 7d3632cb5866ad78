-- meeting_at: for a meeting-booked touch, when the meeting takes place (ms;
-- 0: not known). The rep types it on the log screen or with log --meeting;
-- history shows it and the sync pushes it as the meeting's start.
ALTER TABLE touches ADD COLUMN meeting_at INTEGER NOT NULL DEFAULT 0;

-- "done today" is an indexed count: today's touches by touches_at, and the
-- tasks marked done by hand today from this partial index, each checked
-- for the outbox row a log would have written through outbox_entity.
CREATE INDEX tasks_closed ON tasks(closed_at) WHERE status = 'done';
CREATE INDEX outbox_entity ON outbox(kind, entity_id);
