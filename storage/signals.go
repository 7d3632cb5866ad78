package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// signalCols are a signal's columns, for scanSignal.
const signalCols = `s.id, s.key, s.account_id, coalesce(s.contact_id, 0), s.kind, s.at, s.detail, s.source, s.channel,
	s.answered_at, coalesce(s.answered_by, 0)`

func scanSignal(sc scanner, s *model.Signal) error {
	var at, answered int64
	if err := sc.Scan(&s.ID, &s.Key, &s.AccountID, &s.ContactID, &s.Kind, &at, &s.Detail, &s.Source, &s.Channel,
		&answered, &s.AnsweredBy); err != nil {
		return err
	}
	s.At = fromMS(at)
	if answered != 0 {
		s.AnsweredAt = fromMS(answered)
	}
	return nil
}

func querySignals(ctx context.Context, q queryer, query string, args ...any) ([]model.Signal, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Signal
	for rows.Next() {
		var s model.Signal
		if err := scanSignal(rows, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// openSignals are the unanswered signals since since that a touch on the
// contact answers: the contact's own and its account's account-only ones.
func openSignals(ctx context.Context, q queryer, contactID, accountID int64, since time.Time) ([]model.Signal, error) {
	return querySignals(ctx, q, `SELECT `+signalCols+` FROM signals s INDEXED BY signals_contact
		WHERE s.contact_id = ?1 AND s.at >= ?3 AND s.answered_at = 0
		UNION ALL SELECT `+signalCols+` FROM signals s INDEXED BY signals_account
		WHERE s.account_id = ?2 AND s.contact_id IS NULL AND s.at >= ?3 AND s.answered_at = 0
		ORDER BY 6, 1`, contactID, accountID, ms(since))
}

// answerSignals marks signals answered by touch touchID at at, in tx. Only
// those still unanswered change; it returns their ids, for undo.
func answerSignals(ctx context.Context, tx *sql.Tx, sigs []model.Signal, touchID int64, at time.Time) ([]int64, error) {
	var ids []int64
	for _, s := range sigs {
		res, err := tx.ExecContext(ctx, "UPDATE signals SET answered_at = ?, answered_by = ? WHERE id = ? AND answered_at = 0",
			ms(at), touchID, s.ID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// unanswerSignals puts back signals a touch answered (undo of that touch).
func unanswerSignals(ctx context.Context, tx *sql.Tx, ids []int64, touchID int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "UPDATE signals SET answered_at = 0, answered_by = NULL WHERE id = ? AND answered_by = ?",
			id, touchID); err != nil {
			return err
		}
	}
	return nil
}

// RecordSignal stores a signal the rep records by hand (l i on the log
// screen, shortlist signal): one transaction. The contact (or, without one,
// the account) must exist; the kind must be known; a time in the future
// is refused. Detail is sanitised and kept to one line. A signal older than
// a touch already logged on the contact is stored answered by it.
func (db *DB) RecordSignal(ctx context.Context, s model.Signal) (model.Signal, error) {
	if _, ok := model.ParseSignalKind(string(s.Kind)); !ok {
		return s, fmt.Errorf("record signal: kind %q is unknown: use one of %s", s.Kind, signalKindNames())
	}
	if s.ContactID == 0 && s.AccountID == 0 {
		return s, errors.New("record signal: give a contact or an account")
	}
	now := db.now()
	if s.At.IsZero() {
		s.At = now
	}
	if s.At.After(now.Add(time.Minute)) {
		return s, fmt.Errorf("record signal: %s is in the future: a signal is something the buyer already did", s.At.Format(time.RFC3339))
	}
	s.At = fromMS(ms(s.At))
	s.Detail = model.SignalDetail(s.Detail) // one line, capped, as pulled ones are
	if s.Source == "" {
		s.Source = model.SignalSourceManual
	}
	if s.Channel == "" {
		s.Channel = s.Kind.AnswerKind()
	}
	s.Key = s.Source + ":" + newOpID()
	err := db.withTx(ctx, "record signal", func(tx *sql.Tx) error {
		if s.ContactID != 0 {
			c, err := db.contact(ctx, tx, s.ContactID)
			if err != nil {
				return err
			}
			if s.AccountID != 0 && s.AccountID != c.AccountID {
				return fmt.Errorf("contact %d is not at account %d: %w", s.ContactID, s.AccountID, model.ErrConflict)
			}
			s.AccountID = c.AccountID
		}
		if _, err := db.account(ctx, tx, s.AccountID); err != nil {
			return err
		}
		byID, byAt, err := answeredBefore(ctx, tx, s) // the rule pulled signals meet (signals_sync.go)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO signals(key, account_id, contact_id, kind, at, detail, source, channel,
			answered_at, answered_by) VALUES(?,?,?,?,?,?,?,?,?,?)`, s.Key, s.AccountID, nullID(s.ContactID), string(s.Kind),
			ms(s.At), s.Detail, s.Source, string(s.Channel), ms(byAt), nullID(byID))
		if err != nil {
			return err
		}
		s.AnsweredBy, s.AnsweredAt = byID, byAt
		s.ID, err = res.LastInsertId()
		return err
	})
	return s, err
}

// UndoSignal deletes a signal the rep recorded by hand while nothing has
// answered it yet: the undo of RecordSignal.
func (db *DB) UndoSignal(ctx context.Context, id int64) error {
	return db.withTx(ctx, fmt.Sprintf("undo signal %d", id), func(tx *sql.Tx) error {
		var source string
		var answered int64
		err := tx.QueryRowContext(ctx, "SELECT source, answered_at FROM signals WHERE id = ?", id).Scan(&source, &answered)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("signal", id)
		}
		if err != nil {
			return err
		}
		if source != model.SignalSourceManual {
			return fmt.Errorf("signal %d came from %s, not from here: %w", id, source, model.ErrConflict)
		}
		if answered != 0 {
			return fmt.Errorf("signal %d is already answered: undo that touch first: %w", id, model.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM signals WHERE id = ?", id)
		return err
	})
}

func signalKindNames() string {
	var out []string
	for _, k := range model.SignalKinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// accountSignals are an account's signals of the last 90 days, newest
// first, for its timeline.
func (db *DB) accountSignals(ctx context.Context, accountID int64, now time.Time) ([]model.Signal, error) {
	return querySignals(ctx, db.sql, `SELECT `+signalCols+` FROM signals s INDEXED BY signals_account
		WHERE s.account_id = ? AND s.at >= ? ORDER BY s.at DESC, s.id DESC LIMIT 200`, accountID, ms(now.AddDate(0, 0, -90)))
}

// scanSignals ranks the unanswered signals of the last week into respond
// rows, best first. They are few (a week of buyers reaching out), read from
// the signals_open partial index; each gets its touch budget counted
// without the buyer's own inbound touches, so a reply does not use up the
// budget for the answer to it.
func (s *wlScan) scanSignals(ctx context.Context) ([]model.Row, error) {
	if s.q.Overdue {
		return nil, nil // only overdue task rows
	}
	db := s.db
	rows, err := s.conn.QueryContext(ctx, `SELECT `+signalCols+`, `+accountCols+`, `+contactColsLeft+`,
		(SELECT count(*) FROM touches t WHERE t.contact_id = s.contact_id AND t.at >= ?2 AND t.direction = 'outbound'),
		(SELECT count(*) FROM touches t WHERE t.account_id = s.account_id AND t.at >= ?2 AND t.direction = 'outbound')
		FROM signals s INDEXED BY signals_open JOIN accounts a ON a.id = s.account_id LEFT JOIN contacts c ON c.id = s.contact_id
		WHERE s.answered_at = 0 AND s.at >= ?1 AND s.at <= ?3 AND a.departed = 0`,
		ms(s.now.Add(-model.SignalWindow)), s.window(), ms(s.now.Add(time.Minute)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ranked []model.Row
	for rows.Next() {
		s.visited++
		var ar accountRow
		var cr contactRow
		c := model.Candidate{Kind: model.RowSignal}
		err := scanSignal(scanFunc(func(d ...any) error {
			return rows.Scan(append(append(append(d, ar.dest()...), cr.dest()...), &c.ContactTouches, &c.AccountTouches)...)
		}), &c.Signal)
		if err != nil {
			return nil, err
		}
		if c.Account, err = ar.finish(); err != nil {
			return nil, err
		}
		c.Contact = cr.finish()
		if s.q.Tier != "" && c.Account.Tier != s.q.Tier {
			continue
		}
		ranked = append(ranked, db.ranker.Rank(c, s.now))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []model.Row
	for _, r := range model.OneRowPerBuyer(ranked) {
		if s.q.Counts {
			// Respond rows are a week's buyers at most: counted as ranked.
			var held model.HoldReason
			if r.Held {
				held = r.HeldReason
			}
			s.tally(model.RowSignal, r.Task.Kind, r.CallableNow, false, held, 1)
		}
		if s.keep(r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, cmpRows)
	return out, nil
}

// noOpenSignal is the suggested rows' condition that the account has no
// signal on the list (unanswered, of the last week): the buyer who reached
// out is answered, not also suggested as cold. next numbers its parameters.
func (s *wlScan) noOpenSignal(next func(any) string) string {
	return "NOT EXISTS (SELECT 1 FROM signals g INDEXED BY signals_account WHERE g.account_id = a.id AND g.at >= " +
		next(ms(s.now.Add(-model.SignalWindow))) + " AND g.at <= " + next(ms(s.now.Add(time.Minute))) + " AND g.answered_at = 0)"
}

// coldToday fills the day's cold figures: the cold touches logged since
// the rep's midnight (an indexed count) and the quota.
func (s *wlScan) coldToday(ctx context.Context) error {
	today := startOfDay(s.now, s.db.zone)
	s.counts.ColdQuota = s.db.opts.Settings.ColdPerDay
	return s.conn.QueryRowContext(ctx, `SELECT count(*) FROM touches INDEXED BY touches_cold WHERE cold = 1 AND at >= ? AND at < ?`,
		ms(today), ms(today.AddDate(0, 0, 1))).Scan(&s.counts.ColdToday)
}

// coldQuota holds the suggested rows of the page past the quota
// (model.Settings.ColdQuota). With counts, the suggested rows counted
// beyond what the quota leaves move to held.
func (s *wlScan) coldQuota(sug *page) {
	set := s.db.opts.Settings
	if set.ColdQuota(sug.rows, s.counts.ColdToday) > 0 && !s.q.IncludeHeld {
		sug.rows = slices.DeleteFunc(sug.rows, func(r model.Row) bool { return r.Held })
	}
}

// coldCounts holds, in the header counts, the suggestions beyond what is
// left of the day's cold quota: countAll has counted every suggestion
// nothing else holds in Suggested.
func (s *wlScan) coldCounts() {
	if over := s.counts.Suggested - max(s.db.opts.Settings.ColdPerDay-s.counts.ColdToday, 0); over > 0 {
		s.counts.Suggested -= over
		s.counts.HeldBack += over
		s.counts.Held[model.HoldColdQuota] += over
	}
}

// signalStats are the stats screen's listening figures, the week from
// Monday (week) to now.
func (db *DB) signalStats(ctx context.Context, now, week time.Time) (model.SignalStats, error) {
	st := model.SignalStats{MedianMins: -1}
	w := ms(week)
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE answered_at > 0)
		FROM signals INDEXED BY signals_at WHERE at >= ?`, w).Scan(&st.Week, &st.Answered); err != nil {
		return st, err
	}
	st.Unanswered = st.Week - st.Answered
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM signals INDEXED BY signals_open WHERE answered_at = 0 AND at >= ?`,
		ms(now.Add(-model.SignalWindow))).Scan(&st.Open); err != nil {
		return st, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT answered_at - at FROM signals INDEXED BY signals_answered
		WHERE answered_at > 0 AND answered_at >= ? ORDER BY 1`, w)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	var waits []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return st, err
		}
		waits = append(waits, max(d, 0))
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	if k := len(waits); k > 0 {
		st.MedianMins = int((waits[(k-1)/2] + waits[k/2]) / 2 / 60000)
	}
	err = db.sql.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE cold = 1),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM signals s WHERE s.answered_by = t.id))
		FROM touches t INDEXED BY touches_at WHERE t.at >= ?`, w).Scan(&st.Touches, &st.Cold, &st.Answers)
	return st, err
}

// Signal inserts a signal as the loader's history (the demo book's week of
// buyers reaching out); a signal with an empty key gets one from its source.
func (l *Loader) Signal(s model.Signal) (int64, error) {
	if s.Key == "" {
		s.Key = s.Source + ":" + newOpID()
	}
	res, err := l.tx.ExecContext(l.ctx, `INSERT INTO signals(key, account_id, contact_id, kind, at, detail, source, channel,
		answered_at, answered_by) VALUES(?,?,?,?,?,?,?,?,?,?)`, s.Key, s.AccountID, nullID(s.ContactID), string(s.Kind),
		ms(s.At), model.SignalDetail(s.Detail), s.Source, string(s.Channel), ms(s.AnsweredAt), nullID(s.AnsweredBy))
	if err != nil {
		return 0, fmt.Errorf("insert signal: %w", err)
	}
	return res.LastInsertId()
}
