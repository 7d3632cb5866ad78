-- cold: the touch counted against the day's cold quota ([restraint]
-- cold_per_day) when it was logged: outreach the rep started that worked no
-- task, answered no signal, at an account with no open task (model.IsCold).
-- Decided once at log time, so "cold touches today" is an indexed count and
-- does not change when tasks come and go later.
ALTER TABLE touches ADD COLUMN cold INTEGER NOT NULL DEFAULT 0;
CREATE INDEX touches_cold ON touches(at) WHERE cold = 1;
-- The account screen and the answer to a touch read signals by account and
-- contact (signals_account, signals_contact); the stats read this week's
-- answered ones by when they were answered.
CREATE INDEX signals_answered ON signals(answered_at) WHERE answered_at > 0;
-- This week's signals, by when they arrived; and the touch that answered
-- each, which a touch's delete (undo) must find without a scan.
CREATE INDEX signals_at ON signals(at);
CREATE INDEX signals_answered_by ON signals(answered_by) WHERE answered_by IS NOT NULL;
