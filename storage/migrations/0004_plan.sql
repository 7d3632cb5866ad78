-- meeting_at: for a meeting-booked touch, when the meeting takes place (ms;
-- 0: not known). The rep types it on the log screen or with log --meeting;
-- history shows it and the sync pushes it as the meeting's start.
ALTER TABLE touches ADD COLUMN meeting_at INTEGER NOT NULL DEFAULT 0;
