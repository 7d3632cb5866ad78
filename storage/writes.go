package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// now is the store's clock (Options.Now), in UTC as it is stored.
func (db *DB) now() time.Time {
	if db.opts.Now != nil {
		return db.opts.Now().UTC()
	}
	return time.Now().UTC()
}

// tierFit reads an account's stored tier and fit.
func tierFit(ctx context.Context, tx *sql.Tx, accountID int64) (model.Tier, int, error) {
	var tier string
	var fit int
	err := tx.QueryRowContext(ctx, "SELECT tier, fit FROM accounts WHERE id = ?", accountID).Scan(&tier, &fit)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, notFound("account", accountID)
	}
	return model.Tier(tier), fit, err
}

func validTask(k model.Task) error {
	if !slices.Contains(model.TaskKinds, k.Kind) {
		return fmt.Errorf("task kind %q is unknown: use one of call, email, linkedin, todo", k.Kind)
	}
	if k.Priority != "" && !slices.Contains([]model.Priority{model.PriorityLow, model.PriorityMedium, model.PriorityHigh}, k.Priority) {
		return fmt.Errorf("task priority %q is unknown: use low, medium or high", k.Priority)
	}
	if k.Due.IsZero() {
		return errors.New("task has no due date: give one")
	}
	if k.AccountID == 0 && k.ContactID == 0 {
		return errors.New("task has neither account nor contact: give one")
	}
	return nil
}

// insertTask writes a new local task and its outbox row in tx.
func (db *DB) insertTask(ctx context.Context, tx *sql.Tx, k model.Task, now time.Time, logTouch int64) (model.Task, error) {
	if err := validTask(k); err != nil {
		return k, err
	}
	k = civilDue(k)
	var c model.Contact
	if k.ContactID != 0 {
		var err error
		if c, err = db.contact(ctx, tx, k.ContactID); err != nil {
			return k, err
		}
		if k.AccountID == 0 {
			k.AccountID = c.AccountID
		} else if k.AccountID != c.AccountID {
			return k, fmt.Errorf("task: contact %d is not at account %d: %w", k.ContactID, k.AccountID, model.ErrConflict)
		}
	}
	a, err := db.account(ctx, tx, k.AccountID)
	if err != nil {
		return k, err
	}
	// The same guard the log plan passes: no path opens outreach the
	// buyer refused, whoever asks for it.
	// A missing address is not a refusal: the rep may have the number.
	if r := model.Guard(k.Kind, c, a); r != nil && r.Reason != model.RefuseNoAddress {
		return k, &model.RefusedError{Refusal: *r, Allowed: model.Allowed(c, a)}
	}
	tier, fit := a.Tier, a.Fit
	if k.Priority == "" {
		k.Priority = model.PriorityMedium
	}
	// Text is sanitised on the way in, whoever typed it (the TUI, a CLI
	// flag, a config rule's next_title), as import and sync already do.
	k.Title = strings.TrimSpace(model.Sanitize(k.Title))
	if k.Title == "" {
		k.Title = strings.ToUpper(string(k.Kind[:1])) + string(k.Kind[1:])
	}
	k.ID, k.CRMID, k.Status, k.Origin = 0, "", model.TaskOpen, model.OriginLocal
	k.SnoozedUntil, k.ClosedAt, k.CreatedAt = time.Time{}, time.Time{}, now
	res, err := tx.ExecContext(ctx, `INSERT INTO tasks(account_id, contact_id, kind, title, due, due_has_time, priority,
		status, origin, created_at, base_rank) VALUES(?,?,?,?,?,?,?,?,?,?,?)`,
		k.AccountID, nullID(k.ContactID), string(k.Kind), k.Title, ms(k.Due), b2i(k.DueHasTime), string(k.Priority),
		string(k.Status), string(k.Origin), ms(now), db.ranker.BaseRank(tier, fit, k.Priority))
	if err != nil {
		return k, err
	}
	if k.ID, err = res.LastInsertId(); err != nil {
		return k, err
	}
	k.CreatedAt = fromMS(ms(now))
	return k, enqueue(ctx, tx, "", opTaskCreate, k.ID, k, now, logTouch)
}

// AddTask adds a local task (one transaction with its outbox row) and returns
// it with its id. AccountID may be left 0 when ContactID is set.
func (db *DB) AddTask(ctx context.Context, t model.Task) (model.Task, error) {
	var out model.Task
	err := db.withTx(ctx, "add task", func(tx *sql.Tx) error {
		var err error
		out, err = db.insertTask(ctx, tx, t, db.now(), 0)
		return err
	})
	return out, err
}

// SetTaskStatus marks a task done or skipped, snoozes it until a time, or
// opens it again; one transaction with its outbox row.
func (db *DB) SetTaskStatus(ctx context.Context, taskID int64, status model.TaskStatus, snoozeUntil time.Time) error {
	switch status {
	case model.TaskDone, model.TaskSkipped, model.TaskOpen:
		snoozeUntil = time.Time{}
	case model.TaskSnoozed:
		if snoozeUntil.IsZero() {
			return fmt.Errorf("snooze task %d: give a time to snooze until", taskID)
		}
	default:
		return fmt.Errorf("set task %d: status %q is unknown: use open, done, skipped or snoozed", taskID, status)
	}
	return db.withTx(ctx, fmt.Sprintf("set task %d %s", taskID, status), func(tx *sql.Tx) error {
		k, err := db.task(ctx, tx, taskID)
		if err != nil {
			return err
		}
		now := db.now()
		k.Status, k.SnoozedUntil, k.ClosedAt = status, fromMS(ms(snoozeUntil)), time.Time{}
		if status == model.TaskDone || status == model.TaskSkipped {
			k.ClosedAt = fromMS(ms(now))
		}
		tier, fit, err := tierFit(ctx, tx, k.AccountID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE tasks SET status = ?, snoozed_until = ?, closed_at = ?, base_rank = ? WHERE id = ?",
			string(k.Status), ms(k.SnoozedUntil), ms(k.ClosedAt), db.ranker.BaseRank(tier, fit, k.Priority), k.ID)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, "", opTaskUpdate, k.ID, k, now, 0)
	})
}

// EditTouchNote replaces a touch's note; one transaction with its outbox row.
func (db *DB) EditTouchNote(ctx context.Context, touchID int64, note string) error {
	note = strings.TrimSpace(model.Sanitize(note)) // the one rule for text coming in (see insertTask)
	return db.withTx(ctx, fmt.Sprintf("edit note of touch %d", touchID), func(tx *sql.Tx) error {
		t, err := db.touch(ctx, tx, touchID)
		if err != nil {
			return err
		}
		t.Note = note
		if _, err := tx.ExecContext(ctx, "UPDATE touches SET note = ? WHERE id = ?", note, touchID); err != nil {
			return err
		}
		// A note edited before the touch was pushed rides along with the
		// pending create; otherwise it is an update of its own.
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = json_set(payload, '$.note', ?)
			WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL`, note, opTouchCreate, touchID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		return enqueue(ctx, tx, "", opTouchUpdate, touchID, t, db.now(), 0)
	})
}

// undoRecord is what a LogTouch changed, with prior values, so UndoLog can
// put each back (only where nothing else changed it since).
type undoRecord struct {
	Task *taskPrior `json:"task,omitempty"` // the worked task, closed as done
	// Skipped are open tasks on the opted-out channel, closed as skipped.
	Skipped []taskPrior `json:"skipped,omitempty"`
	// Superseded are open follow-ups the new one replaced.
	Superseded []taskPrior `json:"superseded,omitempty"`
	Account    struct {
		Status      model.AccountStatus `json:"status"`
		NewStatus   model.AccountStatus `json:"new_status"`
		LastTouched int64               `json:"last_touched"`
		NewTouched  int64               `json:"new_touched"`
		Updated     int64               `json:"updated_at"`
		NewUpdated  int64               `json:"new_updated_at"`
	} `json:"account"`
	Contact struct {
		PhoneBad      bool          `json:"phone_bad"`
		NewPhoneBad   bool          `json:"new_phone_bad"`
		Channel       model.Channel `json:"channel,omitempty"` // the consent channel changed
		Consent       model.Consent `json:"consent"`
		LastTouched   int64         `json:"last_touched"`
		NewTouched    int64         `json:"new_touched"`
		Updated       int64         `json:"updated_at"`
		NewUpdated    int64         `json:"new_updated_at"`
		ConsentChange bool          `json:"consent_change"`
	} `json:"contact"`
	Next int64 `json:"next,omitempty"` // the task created
	// Answered are the signals the touch answered, unanswered again on undo.
	Answered []int64 `json:"answered,omitempty"`
}

type taskPrior struct {
	ID           int64            `json:"id"`
	Status       model.TaskStatus `json:"status"`
	SnoozedUntil int64            `json:"snoozed_until"`
	ClosedAt     int64            `json:"closed_at"`
}

func validLog(req model.LogRequest) error {
	if req.ContactID == 0 {
		return errors.New("no contact given")
	}
	if !slices.Contains(model.Channels, req.Channel) {
		return fmt.Errorf("channel %q is unknown: use one of call, email, linkedin, meeting, visit, note", req.Channel)
	}
	if !slices.Contains(model.Outcomes, req.Outcome) {
		return fmt.Errorf("outcome %q is unknown: use one of no-answer, busy, left-voicemail, connected, meeting-booked, not-interested, bad-timing, wrong-person, wrong-number, opted-out, sent", req.Outcome)
	}
	if req.Direction != "" && req.Direction != model.Outbound && req.Direction != model.Inbound {
		return fmt.Errorf("direction %q is unknown: use outbound or inbound", req.Direction)
	}
	if req.Duration < 0 {
		return errors.New("duration is negative")
	}
	if req.Next.Mode == model.NextAt && req.Next.Due.IsZero() {
		return errors.New("next action has no due date: give one")
	}
	return nil
}

// LogState reads what model.PlanLog needs to decide a log on a contact:
// the contact, its account, the worked task (taskID, 0: none), the open
// tasks a plan may close or replace, and the touches in the budget window.
func (db *DB) LogState(ctx context.Context, contactID, taskID int64, now time.Time) (model.LogState, error) {
	st, err := db.logState(ctx, db.sql, contactID, taskID, now)
	if err != nil {
		return st, db.mapErr("read contact", err)
	}
	return st, nil
}

func (db *DB) logState(ctx context.Context, q queryer, contactID, taskID int64, now time.Time) (model.LogState, error) {
	var st model.LogState
	var err error
	if st.Contact, err = db.contact(ctx, q, contactID); err != nil {
		return st, err
	}
	if st.Account, err = db.account(ctx, q, st.Contact.AccountID); err != nil {
		return st, err
	}
	if taskID != 0 {
		k, err := db.task(ctx, q, taskID)
		if err != nil {
			return st, err
		}
		if k.AccountID != st.Account.ID {
			return st, fmt.Errorf("task %d is for another account: %w", k.ID, model.ErrConflict)
		}
		if k.Status.Closed() {
			return st, fmt.Errorf("task %d is already %s: %w", k.ID, k.Status, model.ErrConflict)
		}
		st.Worked = &k
	}
	rows, err := q.QueryContext(ctx, "SELECT "+taskCols+` FROM tasks k WHERE k.status IN ('open', 'snoozed')
		AND (k.contact_id = ?1 OR (k.contact_id IS NULL AND k.account_id = ?2)) ORDER BY k.due, k.id`, st.Contact.ID, st.Account.ID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var k model.Task
		if err := scanTask(rows, &k); err != nil {
			rows.Close()
			return st, err
		}
		st.Open = append(st.Open, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if st.Signals, err = openSignals(ctx, q, st.Contact.ID, st.Account.ID, now.Add(-model.SignalWindow)); err != nil {
		return st, err
	}
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tasks WHERE account_id = ? AND status IN ('open', 'snoozed'))`,
		st.Account.ID).Scan(&st.AccountHasTask); err != nil {
		return st, err
	}
	since := ms(now.Add(-db.opts.Settings.Budget.Window))
	for _, w := range []struct {
		col  string
		id   int64
		into *[]time.Time
	}{{"contact_id", st.Contact.ID, &st.ContactTouches}, {"account_id", st.Account.ID, &st.AccountTouches}} {
		rows, err := q.QueryContext(ctx, "SELECT at FROM touches WHERE "+w.col+" = ? AND at >= ?", w.id, since)
		if err != nil {
			return st, err
		}
		for rows.Next() {
			var at int64
			if err := rows.Scan(&at); err != nil {
				rows.Close()
				return st, err
			}
			*w.into = append(*w.into, fromMS(at))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// LogTouch records a touch and everything its outcome leads to in one
// transaction: it reads the book's state, lets model.PlanLog decide (the
// worked task closed, the outcome rule's effects, the guarded next action
// and the follow-ups it replaces), and persists that plan with one outbox
// row per change.
func (db *DB) LogTouch(ctx context.Context, req model.LogRequest) (model.LogResult, error) {
	if err := validLog(req); err != nil {
		return model.LogResult{}, fmt.Errorf("log touch: %w", err)
	}
	var res model.LogResult
	err := db.withTx(ctx, "log touch", func(tx *sql.Tx) error {
		var err error
		res, err = db.logTouch(ctx, tx, req)
		return err
	})
	if err != nil {
		return model.LogResult{}, err
	}
	return res, nil
}

func (db *DB) logTouch(ctx context.Context, tx *sql.Tx, req model.LogRequest) (model.LogResult, error) {
	now := db.now()
	// The rule's waits run from the touch ("call again in 2 business days"
	// after it), in the rep's zone: "tomorrow" is tomorrow where the rep is.
	at := now
	if !req.At.IsZero() {
		at = req.At
	}
	req.Note = strings.TrimSpace(model.Sanitize(req.Note)) // the one rule for text coming in (see insertTask)
	st, err := db.logState(ctx, tx, req.ContactID, req.TaskID, at)
	if err != nil {
		return model.LogResult{}, err
	}
	p := db.opts.Settings.PlanLog(st, req, at.In(db.zone))
	c, a := st.Contact, st.Account
	t := p.Touch
	t.OpID, t.At = newOpID(), fromMS(ms(t.At))
	if !t.MeetingAt.IsZero() {
		t.MeetingAt = fromMS(ms(t.MeetingAt))
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO touches(op_id, contact_id, account_id, channel, direction, outcome, note,
		at, duration_ns, origin, meeting_at, cold) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`, t.OpID, t.ContactID, t.AccountID, string(t.Channel),
		string(t.Direction), string(t.Outcome), t.Note, ms(t.At), int64(t.Duration), string(t.Origin), ms(t.MeetingAt), b2i(p.Cold))
	if err != nil {
		return model.LogResult{}, err
	}
	if t.ID, err = r.LastInsertId(); err != nil {
		return model.LogResult{}, err
	}
	if err := enqueue(ctx, tx, t.OpID, opTouchCreate, t.ID, t, now, t.ID); err != nil {
		return model.LogResult{}, err
	}
	p.Touch = t
	var u undoRecord
	// The buyers this touch answers leave the list with it.
	if u.Answered, err = answerSignals(ctx, tx, p.Answers, t.ID, t.At); err != nil {
		return model.LogResult{}, err
	}

	for i := range p.Close {
		cl := &p.Close[i]
		k := cl.Task
		prior := taskPrior{k.ID, k.Status, ms(k.SnoozedUntil), ms(k.ClosedAt)}
		switch cl.Status {
		case model.TaskDone:
			u.Task = &prior
		case model.TaskSkipped:
			u.Skipped = append(u.Skipped, prior)
		case model.TaskSuperseded:
			u.Superseded = append(u.Superseded, prior)
		}
		if err := db.closeTask(ctx, tx, &k, cl.Status, now, t.ID); err != nil {
			return model.LogResult{}, err
		}
		cl.Task = k
	}

	u.Account.Status, u.Account.NewStatus = a.Status, a.Status
	if p.Status != "" {
		u.Account.NewStatus = p.Status
	}
	u.Account.LastTouched = ms(a.LastTouched)
	u.Account.NewTouched = max(u.Account.LastTouched, ms(t.At))
	u.Account.Updated, u.Account.NewUpdated = ms(a.UpdatedAt), ms(a.UpdatedAt)
	if u.Account.NewStatus != a.Status || u.Account.NewTouched != u.Account.LastTouched {
		a.Status, a.LastTouched, a.UpdatedAt = u.Account.NewStatus, fromMS(u.Account.NewTouched), fromMS(ms(now))
		u.Account.NewUpdated = ms(now)
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET status = ?, last_touched = ?, updated_at = ? WHERE id = ?",
			string(a.Status), ms(a.LastTouched), ms(now), a.ID); err != nil {
			return model.LogResult{}, err
		}
		if u.Account.NewStatus != u.Account.Status {
			if err := enqueue(ctx, tx, "", opAccountUpdate, a.ID, map[string]any{"id": a.ID, "crm_id": a.CRMID, "status": a.Status}, now, t.ID); err != nil {
				return model.LogResult{}, err
			}
		}
	}

	u.Contact.PhoneBad, u.Contact.NewPhoneBad = c.PhoneBad, c.PhoneBad || p.FlagPhone
	if p.Consent != nil {
		u.Contact.Channel, u.Contact.Consent, u.Contact.ConsentChange = p.Consent.Channel, c.Consent.For(p.Consent.Channel), true
		c.Consent.Set(p.Consent.Channel, p.Consent.Consent)
	}
	u.Contact.LastTouched = ms(c.LastTouched)
	u.Contact.NewTouched = max(u.Contact.LastTouched, ms(t.At))
	u.Contact.Updated, u.Contact.NewUpdated = ms(c.UpdatedAt), ms(now)
	c.PhoneBad, c.LastTouched, c.UpdatedAt = u.Contact.NewPhoneBad, fromMS(u.Contact.NewTouched), fromMS(ms(now))
	if err := updateContact(ctx, tx, c); err != nil {
		return model.LogResult{}, err
	}
	if u.Contact.NewPhoneBad != u.Contact.PhoneBad || u.Contact.ConsentChange {
		if err := enqueue(ctx, tx, "", opContactUpdate, c.ID, map[string]any{"id": c.ID, "crm_id": c.CRMID,
			"phone_bad": c.PhoneBad, "consent": c.Consent}, now, t.ID); err != nil {
			return model.LogResult{}, err
		}
	}

	if p.Next != nil {
		k, err := db.insertTask(ctx, tx, *p.Next, now, t.ID)
		if err != nil {
			return model.LogResult{}, fmt.Errorf("next action: %w", err)
		}
		p.Next, u.Next = &k, k.ID
	}

	b, err := json.Marshal(u)
	if err != nil {
		return model.LogResult{}, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE touches SET undo = ? WHERE id = ?", string(b), t.ID); err != nil {
		return model.LogResult{}, err
	}
	return model.LogResult{Touch: t, Next: p.Next, Plan: p}, nil
}

func updateContact(ctx context.Context, tx *sql.Tx, c model.Contact) error {
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET phone_bad = ?, last_touched = ?, updated_at = ?,
		consent_call = ?, consent_call_source = ?, consent_call_at = ?,
		consent_email = ?, consent_email_source = ?, consent_email_at = ?,
		consent_linkedin = ?, consent_linkedin_source = ?, consent_linkedin_at = ? WHERE id = ?`,
		b2i(c.PhoneBad), ms(c.LastTouched), ms(c.UpdatedAt),
		consentState(c.Consent.Call), c.Consent.Call.Source, ms(c.Consent.Call.At),
		consentState(c.Consent.Email), c.Consent.Email.Source, ms(c.Consent.Email.At),
		consentState(c.Consent.LinkedIn), c.Consent.LinkedIn.Source, ms(c.Consent.LinkedIn.At), c.ID)
	return err
}

func (db *DB) closeTask(ctx context.Context, tx *sql.Tx, k *model.Task, status model.TaskStatus, now time.Time, logTouch int64) error {
	k.Status, k.ClosedAt, k.SnoozedUntil = status, fromMS(ms(now)), time.Time{}
	if _, err := tx.ExecContext(ctx, "UPDATE tasks SET status = ?, closed_at = ?, snoozed_until = 0 WHERE id = ?",
		string(status), ms(now), k.ID); err != nil {
		return err
	}
	return enqueue(ctx, tx, "", opTaskUpdate, k.ID, k, now, logTouch)
}

// UndoLog reverses a LogTouch in one transaction: the touch, its next action
// and its outbox rows are deleted and every changed value is put back where
// nothing else changed it since. Once any of its outbox rows was pushed it
// returns model.ErrSynced.
func (db *DB) UndoLog(ctx context.Context, touchID int64) error {
	return db.withTx(ctx, fmt.Sprintf("undo touch %d", touchID), func(tx *sql.Tx) error {
		var undo string
		var synced bool
		var contactID, accountID int64
		err := tx.QueryRowContext(ctx, "SELECT undo, synced, contact_id, account_id FROM touches WHERE id = ?", touchID).
			Scan(&undo, &synced, &contactID, &accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("touch", touchID)
		}
		if err != nil {
			return err
		}
		if undo == "" {
			return fmt.Errorf("touch %d was not logged here, so there is nothing to undo: %w", touchID, model.ErrConflict)
		}
		var u undoRecord
		if err := json.Unmarshal([]byte(undo), &u); err != nil {
			return fmt.Errorf("touch %d: undo record: %w", touchID, err)
		}
		var pushed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE pushed_at IS NOT NULL
			AND (log_touch = ? OR (kind LIKE 'task.%' AND entity_id = ? AND ? <> 0))`, touchID, u.Next, u.Next).Scan(&pushed); err != nil {
			return err
		}
		if synced || pushed > 0 {
			return fmt.Errorf("touch %d has reached the CRM; change it there: %w", touchID, model.ErrSynced)
		}
		if u.Next != 0 {
			if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE kind LIKE 'task.%' AND entity_id = ?", u.Next); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM tasks WHERE id = ?", u.Next); err != nil {
				return err
			}
		}
		restore := func(p taskPrior, closedAs model.TaskStatus) error {
			_, err := tx.ExecContext(ctx, "UPDATE tasks SET status = ?, snoozed_until = ?, closed_at = ? WHERE id = ? AND status = ?",
				string(p.Status), p.SnoozedUntil, p.ClosedAt, p.ID, string(closedAs))
			return err
		}
		if u.Task != nil {
			if err := restore(*u.Task, model.TaskDone); err != nil {
				return err
			}
		}
		for _, p := range u.Skipped {
			if err := restore(p, model.TaskSkipped); err != nil {
				return err
			}
		}
		for _, p := range u.Superseded {
			if err := restore(p, model.TaskSuperseded); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET
			status = CASE WHEN status = ? THEN ? ELSE status END,
			last_touched = CASE WHEN last_touched = ? THEN ? ELSE last_touched END,
			updated_at = CASE WHEN updated_at = ? THEN ? ELSE updated_at END WHERE id = ?`,
			string(u.Account.NewStatus), string(u.Account.Status), u.Account.NewTouched, u.Account.LastTouched,
			u.Account.NewUpdated, u.Account.Updated, accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET
			phone_bad = CASE WHEN phone_bad = ? THEN ? ELSE phone_bad END,
			last_touched = CASE WHEN last_touched = ? THEN ? ELSE last_touched END,
			updated_at = CASE WHEN updated_at = ? THEN ? ELSE updated_at END WHERE id = ?`,
			b2i(u.Contact.NewPhoneBad), b2i(u.Contact.PhoneBad), u.Contact.NewTouched, u.Contact.LastTouched,
			u.Contact.NewUpdated, u.Contact.Updated, contactID); err != nil {
			return err
		}
		if u.Contact.ConsentChange {
			col := "consent_" + string(u.Contact.Channel)
			if _, err := tx.ExecContext(ctx, "UPDATE contacts SET "+col+" = ?, "+col+"_source = ?, "+col+"_at = ? WHERE id = ?",
				consentState(u.Contact.Consent), u.Contact.Consent.Source, ms(u.Contact.Consent.At), contactID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE log_touch = ?", touchID); err != nil {
			return err
		}
		if err := unanswerSignals(ctx, tx, u.Answered, touchID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM touches WHERE id = ?", touchID)
		return err
	})
}

// NewestLoggedTouch is the newest touch LogTouch wrote (one UndoLog can
// take back), for shortlist undo without an id; model.ErrNotFound when
// there is none.
func (db *DB) NewestLoggedTouch(ctx context.Context) (model.Touch, error) {
	var id int64
	err := db.sql.QueryRowContext(ctx, "SELECT id FROM touches WHERE undo <> '' ORDER BY id DESC LIMIT 1").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Touch{}, fmt.Errorf("no touch logged here: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.Touch{}, db.mapErr("find the newest logged touch", err)
	}
	return db.touch(ctx, db.sql, id)
}

// Touch reads one touch by id.
func (db *DB) Touch(ctx context.Context, id int64) (model.Touch, error) {
	return db.touch(ctx, db.sql, id)
}

// newestOutbox is the newest outbox row for an entity of the given kinds:
// its id, kind and whether it was pushed; id 0 when there is none.
func newestOutbox(ctx context.Context, tx *sql.Tx, entityID int64, kinds ...string) (id int64, kind string, pushed bool, err error) {
	q := "SELECT id, kind, pushed_at IS NOT NULL FROM outbox WHERE entity_id = ? AND kind IN (?" +
		strings.Repeat(",?", len(kinds)-1) + ") ORDER BY id DESC LIMIT 1"
	args := []any{entityID}
	for _, k := range kinds {
		args = append(args, k)
	}
	err = tx.QueryRowContext(ctx, q, args...).Scan(&id, &kind, &pushed)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, nil
	}
	return id, kind, pushed, err
}

// UndoTaskStatus takes back the newest status change of a task (a done,
// skip or snooze) in one transaction: the task gets prior's status, snooze
// and close time again and the change's outbox row goes, so the CRM never
// hears of it. Once that row was pushed it returns model.ErrSynced.
func (db *DB) UndoTaskStatus(ctx context.Context, taskID int64, prior model.TaskState) error {
	return db.withTx(ctx, fmt.Sprintf("undo status of task %d", taskID), func(tx *sql.Tx) error {
		if _, err := db.task(ctx, tx, taskID); err != nil {
			return err
		}
		id, _, pushed, err := newestOutbox(ctx, tx, taskID, opTaskUpdate)
		switch {
		case err != nil:
			return err
		case id == 0:
			return fmt.Errorf("task %d has no status change to undo: %w", taskID, model.ErrConflict)
		case pushed:
			return fmt.Errorf("task %d: the change has reached the CRM; change it there: %w", taskID, model.ErrSynced)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tasks SET status = ?, snoozed_until = ?, closed_at = ? WHERE id = ?",
			string(prior.Status), ms(prior.SnoozedUntil), ms(prior.ClosedAt), taskID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
		return err
	})
}

// UndoAddTask deletes a task the rep added, with its outbox rows, in one
// transaction, while none of them was pushed (else model.ErrSynced). A task
// a logged touch worked or replaced is refused: undo the log first.
func (db *DB) UndoAddTask(ctx context.Context, taskID int64) error {
	return db.withTx(ctx, fmt.Sprintf("undo new task %d", taskID), func(tx *sql.Tx) error {
		k, err := db.task(ctx, tx, taskID)
		if err != nil {
			return err
		}
		if k.Origin != model.OriginLocal || k.CRMID != "" {
			return fmt.Errorf("task %d came from the CRM; change it there: %w", taskID, model.ErrSynced)
		}
		var pushed, touched int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE kind LIKE 'task.%' AND entity_id = ?
			AND pushed_at IS NOT NULL`, taskID).Scan(&pushed); err != nil {
			return err
		}
		if pushed > 0 {
			return fmt.Errorf("task %d has reached the CRM; change it there: %w", taskID, model.ErrSynced)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE kind LIKE 'task.%' AND entity_id = ?
			AND log_touch IS NOT NULL`, taskID).Scan(&touched); err != nil {
			return err
		}
		if touched > 0 {
			return fmt.Errorf("task %d has a touch logged on it: undo that first: %w", taskID, model.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE kind LIKE 'task.%' AND entity_id = ?", taskID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM tasks WHERE id = ?", taskID)
		return err
	})
}

// UndoNoteEdit puts a touch's note back to prior in one transaction: a
// pending note update is dropped, or a pending create carries prior again.
// Once the edit was pushed it returns model.ErrSynced.
func (db *DB) UndoNoteEdit(ctx context.Context, touchID int64, prior string) error {
	prior = strings.TrimSpace(model.Sanitize(prior))
	return db.withTx(ctx, fmt.Sprintf("undo note edit of touch %d", touchID), func(tx *sql.Tx) error {
		if _, err := db.touch(ctx, tx, touchID); err != nil {
			return err
		}
		id, kind, pushed, err := newestOutbox(ctx, tx, touchID, opTouchCreate, opTouchUpdate)
		switch {
		case err != nil:
			return err
		case id == 0 || pushed:
			return fmt.Errorf("the note of touch %d has reached the CRM; change it there: %w", touchID, model.ErrSynced)
		case kind == opTouchUpdate:
			_, err = tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
		default:
			_, err = tx.ExecContext(ctx, "UPDATE outbox SET payload = json_set(payload, '$.note', ?) WHERE id = ?", prior, id)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE touches SET note = ? WHERE id = ?", prior, touchID)
		return err
	})
}
