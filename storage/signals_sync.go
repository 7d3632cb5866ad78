package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// The store side of pulled signals: what a CRM says a buyer did, written in
// the transaction of the pull it came with (a contact's page, or a page of
// engagements with its cursor), so a sync killed at any instant records each
// signal once or not at all, and a re-pull records nothing twice.

// replyCover is how close in time a reply seen only on the contact
// (hs_sales_email_last_replied) must be to a reply email the CRM logged for
// the two to be the same reply.
const replyCover = time.Hour

// ApplySignals writes a page of pulled signals and sets the cursor key to
// cursor, in one transaction (see UpsertSignals). It returns what it named.
func (db *DB) ApplySignals(ctx context.Context, signals []model.PulledSignal, cursorKey string, cursor time.Time) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply pulled signals", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		if _, err := UpsertSignals(ctx, tx, signals, db.now(), &out); err != nil {
			return err
		}
		return setMeta(ctx, tx, "sync."+cursorKey, strconv.FormatInt(ms(cursor), 10))
	})
	return out, err
}

// UpsertSignals records pulled signals in tx and returns how many are new:
//   - by Key: one already recorded is left as it is (answered or not);
//   - the CRM's contact and company ids become the book's; a signal for a
//     contact the book does not hold is left out, as is one naming only a
//     company the book does not hold;
//   - one older than model.SignalPullWindow at now, or later than now (a clock
//     that is off), is left out;
//   - a visit is kept only when the visit before it, as the book last saw
//     it, is model.SignalQuietSpell or more earlier; the first visit the
//     book sees is only remembered;
//   - a reply seen only on the contact is left out when a reply email
//     within replyCover of it is recorded; a reply email takes over such a
//     reply recorded first (its key, detail and time), so one reply is one
//     signal;
//   - the detail is made one line and capped (model.SignalDetail).
//
// Each new one is named in out.Changes.
func UpsertSignals(ctx context.Context, tx *sql.Tx, signals []model.PulledSignal, now time.Time, out *model.SyncApplied) (int, error) {
	added := 0
	targets := map[string]target{} // a contact's signals come together: looked up once
	for _, ps := range signals {
		ok, err := upsertSignal(ctx, tx, ps, now, targets, out)
		if err != nil {
			return added, err
		}
		if ok {
			added++
		}
	}
	return added, nil
}

// target is the book's contact and account a pulled signal is for (ok
// false: not in the book).
type target struct {
	contact, account int64
	who, accountName string // as a sync's summary names them
	ok               bool
}

// lookUp finds a signal's target in the book by the CRM's ids.
func lookUp(ctx context.Context, tx *sql.Tx, ps model.PulledSignal, memo map[string]target) (target, error) {
	key := "contact:" + ps.ContactID
	if ps.ContactID == "" {
		key = "company:" + ps.CompanyID
	}
	if t, ok := memo[key]; ok {
		return t, nil
	}
	var t target
	var err error
	switch {
	case ps.ContactID != "":
		err = tx.QueryRowContext(ctx, `SELECT c.id, c.account_id, trim(c.first_name || ' ' || c.last_name), a.name
			FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.crm_id = ? AND a.departed = 0`,
			model.Sanitize(ps.ContactID)).Scan(&t.contact, &t.account, &t.who, &t.accountName)
	case ps.CompanyID != "":
		err = tx.QueryRowContext(ctx, "SELECT id, name FROM accounts WHERE crm_id = ? AND departed = 0",
			model.Sanitize(ps.CompanyID)).Scan(&t.account, &t.accountName)
	default:
		err = sql.ErrNoRows
	}
	switch {
	case err == nil:
		t.ok = true
	case !errors.Is(err, sql.ErrNoRows):
		return t, err
	}
	memo[key] = t
	return t, nil
}

func upsertSignal(ctx context.Context, tx *sql.Tx, ps model.PulledSignal, now time.Time, memo map[string]target, out *model.SyncApplied) (bool, error) {
	s := ps.Signal
	s.Key = model.Sanitize(s.Key)
	if s.Key == "" || s.At.IsZero() {
		return false, errors.New("a pulled signal has no key or no time")
	}
	if _, ok := model.ParseSignalKind(string(s.Kind)); !ok {
		return false, fmt.Errorf("a pulled signal has the unknown kind %q", s.Kind)
	}
	old, ahead := s.At.Before(now.Add(-model.SignalPullWindow)), s.At.After(now.Add(time.Minute))
	if ahead || (old && s.Kind != model.SignalVisited) {
		return false, nil // an old visit is still remembered, below
	}
	t, err := lookUp(ctx, tx, ps, memo)
	if err != nil || !t.ok {
		return false, err // not a contact (or, with none, a company) of the book
	}
	s.ContactID, s.AccountID = t.contact, t.account
	if s.Kind == model.SignalVisited {
		if s.ContactID == 0 {
			return false, nil // a visit is a person's
		}
		back, err := cameBack(ctx, tx, s.ContactID, s.At)
		if err != nil || !back || old {
			return false, err
		}
	}
	var exists int
	err = tx.QueryRowContext(ctx, "SELECT count(*) FROM signals WHERE key = ?", s.Key).Scan(&exists)
	if err != nil || exists > 0 {
		return false, err
	}
	s.Detail = model.SignalDetail(s.Detail)
	if s.Kind == model.SignalReplied && s.ContactID != 0 {
		done, err := coverReply(ctx, tx, s)
		if err != nil || done {
			return false, err
		}
	}
	var contact any
	if s.ContactID != 0 {
		contact = s.ContactID
	}
	// A buyer the rep already answered (they replied in their mail client
	// and logged the touch before this sync) is stored answered.
	by, byAt, err := answeredBefore(ctx, tx, s)
	if err != nil {
		return false, err
	}
	var answeredBy any
	if by != 0 {
		answeredBy = by
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signals(key, account_id, contact_id, kind, at, detail, source, channel, answered_at, answered_by)
		VALUES(?,?,?,?,?,?,?,?,?,?)`, s.Key, s.AccountID, contact, string(s.Kind), ms(s.At), s.Detail, s.Source, string(s.Channel),
		ms(byAt), answeredBy); err != nil {
		return false, fmt.Errorf("insert signal %s: %w", s.Key, err)
	}
	who := t.who
	if who == "" {
		who = "someone"
	}
	out.Changed++
	out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeSignal, Account: t.accountName,
		AccountID: s.AccountID, Detail: who + " " + s.Detail})
	return true, nil
}

// cameBack remembers a contact's last visit and reports whether at is a
// return after a quiet spell: later than the visit the book last saw by at
// least model.SignalQuietSpell. The first visit seen is only remembered.
func cameBack(ctx context.Context, tx *sql.Tx, contactID int64, at time.Time) (bool, error) {
	var prev int64
	err := tx.QueryRowContext(ctx, "SELECT last_visit_at FROM contact_visits WHERE contact_id = ?", contactID).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, "INSERT INTO contact_visits(contact_id, last_visit_at) VALUES(?, ?)", contactID, ms(at))
		return false, err
	case err != nil:
		return false, err
	case ms(at) <= prev:
		return false, nil // the same visit, or an older value
	}
	if _, err := tx.ExecContext(ctx, "UPDATE contact_visits SET last_visit_at = ? WHERE contact_id = ?", ms(at), contactID); err != nil {
		return false, err
	}
	return at.Sub(fromMS(prev)) >= model.SignalQuietSpell, nil
}

// coverReply makes one reply one signal when the CRM tells it twice: as a
// reply email it logged (an engagement, the better record: it says what was
// written) and as the time on the contact of the last reply to a sales
// email. It reports whether s is already covered, or took over the other's
// row.
func coverReply(ctx context.Context, tx *sql.Tx, s model.Signal) (bool, error) {
	fromRecord := !model.SignalFromProperty(s.Key)
	var id int64
	var key string
	err := tx.QueryRowContext(ctx, `SELECT id, key FROM signals WHERE contact_id = ? AND kind = 'replied' AND source = ?
		AND at BETWEEN ? AND ? ORDER BY abs(at - ?) LIMIT 1`, s.ContactID, s.Source,
		ms(s.At.Add(-replyCover)), ms(s.At.Add(replyCover)), ms(s.At)).Scan(&id, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch {
	case !fromRecord:
		return true, nil // the reply email (or the same time read before) says it already
	case !model.SignalFromProperty(key):
		return false, nil // two reply emails: two replies
	}
	_, err = tx.ExecContext(ctx, "UPDATE signals SET key = ?, at = ?, detail = ?, channel = ? WHERE id = ?",
		s.Key, ms(s.At), s.Detail, string(s.Channel), id)
	return true, err
}

// answeredBefore finds the touch that already answers a signal arriving
// now: the first outbound touch on its contact (its account, for one on
// the account alone) at or after it; 0 when none. It is the rule a logged
// touch answers signals by going forward, so a signal that arrives late
// (pulled, or recorded by hand after the fact) meets the same one.
func answeredBefore(ctx context.Context, tx *sql.Tx, s model.Signal) (int64, time.Time, error) {
	query := `SELECT id, at FROM touches WHERE contact_id = ? AND at >= ? AND direction = 'outbound' ORDER BY at, id LIMIT 1`
	ref := s.ContactID
	if s.ContactID == 0 {
		query = `SELECT id, at FROM touches WHERE account_id = ? AND at >= ? AND direction = 'outbound' ORDER BY at, id LIMIT 1`
		ref = s.AccountID
	}
	var id, at int64
	err := tx.QueryRowContext(ctx, query, ref, ms(s.At)).Scan(&id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	return id, fromMS(at), err
}

// OpenSignalContacts lists the CRM ids of the contacts with a signal of
// the last model.SignalPullWindow before now still waiting for an answer:
// the demo sandbox makes someone else reach out.
func (db *DB) OpenSignalContacts(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT c.crm_id FROM signals s JOIN contacts c ON c.id = s.contact_id
		WHERE s.answered_at = 0 AND s.at >= ? AND c.crm_id IS NOT NULL ORDER BY c.crm_id`, ms(now.Add(-model.SignalPullWindow)))
	if err != nil {
		return nil, fmt.Errorf("read open signals: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
