-- The floor of `shortlist today --limit 50`: the same question asked of the
-- sqlite3 CLI in plain SQL, as someone would write it without Shortlist's
-- indexes of the rank: every candidate (open tasks due by today, stale
-- in-focus accounts with their best contact) with its score and the reason
-- a guardrail holds it (do not contact, opted out, no address, touch
-- budgets counted from the touches), into a temporary table, then the top
-- 50 and the header counts from it. Calling hours are left out (SQL has no
-- time zones), so the floor does a little less than Shortlist.
-- Parameters (sqlite3 .parameter): @now, @win (now - budget window),
-- @today and @tomorrow (the rep's day bounds, unix ms), @stale (now - 30 days).
CREATE TEMP TABLE cand AS
SELECT 'task' AS row_kind, k.id AS task_id, a.id AS account_id, a.name AS account, k.kind AS action,
	CASE a.tier WHEN 'A' THEN 6 WHEN 'B' THEN 4 WHEN 'C' THEN 2 ELSE 0 END + 4.0 * a.fit / 100
		+ CASE k.priority WHEN 'high' THEN 6 WHEN 'medium' THEN 3 ELSE 0 END
		+ CASE WHEN k.due < @today THEN min(0.5 * (@today - k.due) / 86400000, 6) ELSE 4 END
		+ CASE WHEN a.last_touched = 0 THEN 3 ELSE min(0.1 * (@now - a.last_touched) / 86400000, 3) END AS score,
	k.due < @today AS overdue,
	CASE WHEN a.do_not_contact THEN 'do-not-contact'
		WHEN k.kind = 'todo' OR c.id IS NULL THEN ''
		WHEN (k.kind = 'call' AND c.consent_call = 'opted-out') OR (k.kind = 'email' AND c.consent_email = 'opted-out')
			OR (k.kind = 'linkedin' AND c.consent_linkedin = 'opted-out') THEN 'opted-out'
		WHEN k.kind = 'call' AND c.phone_bad THEN 'bad-number'
		WHEN (k.kind = 'call' AND c.phone = '') OR (k.kind = 'email' AND c.email = '') OR (k.kind = 'linkedin' AND c.linkedin_url = '') THEN 'no-channel'
		WHEN (SELECT count(*) FROM touches t WHERE t.contact_id = c.id AND t.at >= @win) >= 3 THEN 'contact-budget'
		WHEN (SELECT count(*) FROM touches t WHERE t.account_id = a.id AND t.at >= @win) >= 6 THEN 'account-budget'
		ELSE '' END AS held
FROM tasks k JOIN accounts a ON a.id = k.account_id LEFT JOIN contacts c ON c.id = k.contact_id
WHERE k.status IN ('open', 'snoozed') AND (k.status = 'open' OR k.snoozed_until <= @now) AND k.due < @tomorrow AND a.departed = 0
UNION ALL
SELECT 'suggested', NULL, a.id, a.name, CASE WHEN c.phone <> '' THEN 'call' WHEN c.email <> '' THEN 'email' ELSE 'linkedin' END,
	CASE a.tier WHEN 'A' THEN 6 WHEN 'B' THEN 4 WHEN 'C' THEN 2 ELSE 0 END + 4.0 * a.fit / 100 - 2
		+ CASE WHEN a.last_touched = 0 THEN 3 ELSE min(0.1 * (@now - a.last_touched) / 86400000, 3) END,
	0,
	CASE WHEN c.id IS NULL THEN 'no-channel'
		WHEN a.do_not_contact THEN 'do-not-contact'
		WHEN (SELECT count(*) FROM touches t WHERE t.contact_id = c.id AND t.at >= @win) >= 3 THEN 'contact-budget'
		WHEN (SELECT count(*) FROM touches t WHERE t.account_id = a.id AND t.at >= @win) >= 6 THEN 'account-budget'
		ELSE '' END
FROM accounts a LEFT JOIN contacts c ON c.id = (SELECT b.id FROM contacts b WHERE b.account_id = a.id ORDER BY b.level DESC, b.last_touched, b.id LIMIT 1)
WHERE a.status <> 'disqualified' AND a.departed = 0 AND a.tier IN ('A', 'B', 'C') AND a.last_touched < @stale
	AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.account_id = a.id AND k.status IN ('open', 'snoozed'));

SELECT row_kind, task_id, account, action, round(score, 2) FROM cand WHERE held = '' ORDER BY score DESC, account LIMIT 50;
SELECT row_kind, overdue, held, count(*) FROM cand GROUP BY 1, 2, 3;
SELECT count(*) FROM accounts a WHERE a.status <> 'disqualified' AND a.departed = 0 AND a.tier = 'D' AND a.last_touched < @stale
	AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.account_id = a.id AND k.status IN ('open', 'snoozed'));
