package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// AccountDetail returns an account with its fit explained (scored afresh
// with the profile), its contacts (by persona, then seniority), its latest
// 200 touches (newest first), its open tasks and its committee gaps.
func (db *DB) AccountDetail(ctx context.Context, id int64) (model.AccountDetail, error) {
	var d model.AccountDetail
	op := fmt.Sprintf("read account %d", id)
	a, err := db.account(ctx, db.sql, id)
	if err != nil {
		return d, err
	}
	d.Account, d.Fit = a, db.opts.Profile.Score(a)

	rows, err := db.sql.QueryContext(ctx, "SELECT "+contactCols+" FROM contacts c WHERE c.account_id = ? ORDER BY c.id", id)
	if err != nil {
		return d, db.mapErr(op, err)
	}
	for rows.Next() {
		var c model.Contact
		if err := scanContact(rows, &c); err != nil {
			rows.Close()
			return d, db.mapErr(op, err)
		}
		d.Contacts = append(d.Contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, db.mapErr(op, err)
	}
	slices.SortStableFunc(d.Contacts, func(x, y model.Contact) int {
		if c := slices.Index(model.Personas, x.Persona) - slices.Index(model.Personas, y.Persona); c != 0 {
			return c
		}
		if c := slices.Index(model.Seniorities, x.Seniority) - slices.Index(model.Seniorities, y.Seniority); c != 0 {
			return c
		}
		return strings.Compare(x.Name(), y.Name())
	})

	rows, err = db.sql.QueryContext(ctx, "SELECT "+touchCols+" FROM touches t WHERE t.account_id = ? ORDER BY t.at DESC, t.id DESC LIMIT 200", id)
	if err != nil {
		return d, db.mapErr(op, err)
	}
	for rows.Next() {
		var t model.Touch
		if err := scanTouch(rows, &t); err != nil {
			rows.Close()
			return d, db.mapErr(op, err)
		}
		d.Touches = append(d.Touches, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, db.mapErr(op, err)
	}

	rows, err = db.sql.QueryContext(ctx, "SELECT "+taskCols+" FROM tasks k WHERE k.account_id = ? AND k.status IN ('open', 'snoozed') ORDER BY k.due, k.id", id)
	if err != nil {
		return d, db.mapErr(op, err)
	}
	for rows.Next() {
		var k model.Task
		if err := scanTask(rows, &k); err != nil {
			rows.Close()
			return d, db.mapErr(op, err)
		}
		d.Tasks = append(d.Tasks, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, db.mapErr(op, err)
	}
	d.Gaps = db.opts.Profile.CommitteeGaps(d.Contacts, d.Touches)
	if d.Signals, err = db.accountSignals(ctx, id, db.now()); err != nil {
		return d, db.mapErr(op, err)
	}
	return d, nil
}

// startOfDay is local midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Stats summarises the rep's activity at now, in the rep's zone: today and
// this week (from Monday) by outcome, the last 14 days, calls and connects
// this week, meetings booked this week and tier-A coverage over 14 days.
func (db *DB) Stats(ctx context.Context, now time.Time) (model.Stats, error) {
	s := model.Stats{Today: map[model.Outcome]int{}, Week: map[model.Outcome]int{}}
	today := startOfDay(now, db.zone)
	week := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := today.AddDate(0, 0, -13)
	from := first
	if week.Before(first) {
		from = week
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT at, channel, outcome FROM touches WHERE at >= ? AND at < ?",
		ms(from), ms(today.AddDate(0, 0, 1)))
	if err != nil {
		return s, db.mapErr("stats", err)
	}
	defer rows.Close()
	days := make([]model.DayCount, 14)
	for i := range days {
		days[i].Day = first.AddDate(0, 0, i)
	}
	for rows.Next() {
		var at int64
		var ch model.Channel
		var o model.Outcome
		if err := rows.Scan(&at, &ch, &o); err != nil {
			return s, db.mapErr("stats", err)
		}
		t := fromMS(at)
		if !t.Before(today) {
			s.Today[o]++
		}
		if !t.Before(week) {
			s.Week[o]++
			if ch == model.ChannelCall {
				s.Calls++
				if o == model.OutcomeConnected || o == model.OutcomeMeetingBooked {
					s.Connects++
				}
			}
			if o == model.OutcomeMeetingBooked {
				s.MeetingsBooked++
			}
		}
		if !t.Before(first) {
			// Days differ in length across DST changes: find the day by date.
			for i := len(days) - 1; i >= 0; i-- {
				if !t.Before(days[i].Day) {
					days[i].Touches++
					break
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return s, db.mapErr("stats", err)
	}
	s.Days = days
	if s.TasksDoneToday, err = db.tasksDoneToday(ctx, today); err != nil {
		return s, db.mapErr("stats", err)
	}
	err = db.sql.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE last_touched >= ?)
		FROM accounts WHERE tier = 'A'`, ms(first)).Scan(&s.TierA, &s.TierATouched)
	if err != nil {
		return s, db.mapErr("stats", err)
	}
	if s.Restraint, err = db.restraint(ctx, now, week); err != nil {
		return s, db.mapErr("stats", err)
	}
	if s.Listening, err = db.signalStats(ctx, now, week); err != nil {
		return s, db.mapErr("stats", err)
	}
	return s, nil
}

// SyncState reports how many outbox rows wait to be pushed and the last sync.
func (db *DB) SyncState(ctx context.Context) (model.SyncState, error) {
	var s model.SyncState
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL").Scan(&s.Pending); err != nil {
		return s, db.mapErr("read sync state", err)
	}
	last, err := db.meta(ctx, metaLastSync)
	if err != nil {
		return s, err
	}
	if last != "" {
		t, err := time.Parse(time.RFC3339Nano, last)
		if err != nil {
			return s, fmt.Errorf("read sync state: last sync %q: %w", last, err)
		}
		s.LastSync = t
	}
	s.LastErr, err = db.meta(ctx, metaLastSyncErr)
	return s, err
}

// SetSyncState records how a sync ended: its error ("" for none) and, when it
// succeeded, its time. A failed sync leaves the last successful one's time,
// so the header's "synced 2h ago" stays true while offline. The sync
// package calls it.
func (db *DB) SetSyncState(ctx context.Context, at time.Time, lastErr string) error {
	lastErr = model.Sanitize(lastErr) // a CRM's words: sanitised on the way in
	return db.withTx(ctx, "record sync", func(tx *sql.Tx) error {
		if lastErr == "" {
			if err := setMeta(ctx, tx, metaLastSync, at.UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
		}
		return setMeta(ctx, tx, metaLastSyncErr, lastErr)
	})
}

// restraint gathers the stats screen's figures on holding back.
func (db *DB) restraint(ctx context.Context, now, week time.Time) (model.Restraint, error) {
	b := db.opts.Settings.Budget
	r := model.Restraint{Budget: b.PerContact, WindowDays: int(b.Window / (24 * time.Hour))}
	wl, err := db.Worklist(ctx, model.WorklistQuery{Now: now, Limit: 1, Counts: true})
	if err != nil {
		return r, err
	}
	r.HeldToday, r.HeldBack, r.LeftOut = wl.Held, wl.HeldBack, wl.LeftOut
	w := ms(week)
	if err := db.sql.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE consent_call = 'opted-out' AND consent_call_at >= ?1) +
		count(*) FILTER (WHERE consent_email = 'opted-out' AND consent_email_at >= ?1) +
		count(*) FILTER (WHERE consent_linkedin = 'opted-out' AND consent_linkedin_at >= ?1)
		FROM contacts`, w).Scan(&r.OptOutsWeek); err != nil {
		return r, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT count(*) FROM touches WHERE at >= ? AND contact_id IS NOT NULL
		GROUP BY contact_id ORDER BY 1`, ms(now.Add(-b.Window)))
	if err != nil {
		return r, err
	}
	defer rows.Close()
	var counts []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return r, err
		}
		counts = append(counts, n)
		if n >= b.PerContact {
			r.AtBudget++
		}
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	if k := len(counts); k > 0 {
		r.ContactsTouched, r.MaxTouches = k, counts[k-1]
		r.MedianTouches = float64(counts[(k-1)/2]+counts[k/2]) / 2
	}
	return r, nil
}

// tasksDoneToday counts the tasks marked done by hand since today (a
// midnight): still done, closed since then, with a status change no log
// wrote. It reads only the tasks closed since then (tasks_closed) and their
// outbox rows (outbox_entity).
func (db *DB) tasksDoneToday(ctx context.Context, today time.Time) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM tasks k INDEXED BY tasks_closed
		WHERE k.status = 'done' AND k.closed_at >= ?1 AND EXISTS (SELECT 1 FROM outbox o INDEXED BY outbox_entity
		WHERE o.kind = 'task.update' AND o.entity_id = k.id AND o.log_touch IS NULL AND o.created_at >= ?1)`, ms(today)).Scan(&n)
	return n, err
}

// DoneToday is the header's "done today": touches logged since the rep's
// midnight and tasks marked done by hand since then, each an indexed count,
// so the header never waits on the stats.
func (db *DB) DoneToday(ctx context.Context, now time.Time) (int, error) {
	today := startOfDay(now, db.zone)
	var touches int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM touches INDEXED BY touches_at WHERE at >= ? AND at < ?",
		ms(today), ms(today.AddDate(0, 0, 1))).Scan(&touches); err != nil {
		return 0, db.mapErr("count done today", err)
	}
	tasks, err := db.tasksDoneToday(ctx, today)
	if err != nil {
		return 0, db.mapErr("count done today", err)
	}
	return touches + tasks, nil
}
