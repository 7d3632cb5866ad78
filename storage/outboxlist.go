package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// heldWaiting is the held state of an entry whose record is not in the CRM
// (an account that was never there): it waits until the record is (a pull
// links the account by its domain) or the rep drops it. Unlike a refusal,
// a newer change of the record does not release it.
const heldWaiting = 3

// OutboxItems lists unpushed outbox entries, oldest first, each with what
// it is, where it stands, why and the way out: all of them, or (heldOnly)
// those that will not go on their own (held back, gone, waiting). limit ≤ 0
// lists every one.
func (db *DB) OutboxItems(ctx context.Context, heldOnly bool, limit int) ([]model.OutboxItem, error) {
	const op = "list queued changes"
	q := `SELECT id, kind, entity_id, held, last_error, created_at, attempts FROM outbox WHERE pushed_at IS NULL`
	if heldOnly {
		q += " AND held <> 0"
	}
	q += " ORDER BY id"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return nil, db.mapErr(op, err)
	}
	type row struct {
		item   model.OutboxItem
		entity int64
		held   int
		err    string
	}
	var rs []row
	for rows.Next() {
		var r row
		var created int64
		if err := rows.Scan(&r.item.ID, &r.item.Kind, &r.entity, &r.held, &r.err, &created, &r.item.Attempts); err != nil {
			rows.Close()
			return nil, db.mapErr(op, err)
		}
		r.item.Created = fromMS(created)
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(op, err)
	}
	out := make([]model.OutboxItem, 0, len(rs))
	for _, r := range rs {
		it, err := db.describeEntry(ctx, db.sql, r.item, r.entity, r.held, r.err)
		if err != nil {
			return nil, db.mapErr(op, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// DropOutbox removes one unpushed outbox entry, in one transaction, and
// returns it as it was listed: the change will not go to the CRM; the local
// record it concerns stays as it is. An id that is not an unpushed entry is
// model.ErrNotFound.
func (db *DB) DropOutbox(ctx context.Context, id int64) (model.OutboxItem, error) {
	var it model.OutboxItem
	err := db.withTx(ctx, "drop a queued change", func(tx *sql.Tx) error {
		var entity int64
		var held int
		var lastErr string
		var created int64
		it = model.OutboxItem{ID: id}
		err := tx.QueryRowContext(ctx, `SELECT kind, entity_id, held, last_error, created_at, attempts FROM outbox
			WHERE id = ? AND pushed_at IS NULL`, id).Scan(&it.Kind, &entity, &held, &lastErr, &created, &it.Attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no queued change %d (shortlist outbox lists them): %w", id, model.ErrNotFound)
		}
		if err != nil {
			return err
		}
		it.Created = fromMS(created)
		if it, err = db.describeEntry(ctx, tx, it, entity, held, lastErr); err != nil {
			return err
		}
		if err := clearInFlight(ctx, tx, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
		return err
	})
	return it, err
}

// describeEntry fills an entry's What, Account, State, Reason and Fix.
func (db *DB) describeEntry(ctx context.Context, q queryer, it model.OutboxItem, entity int64, held int, lastErr string) (model.OutboxItem, error) {
	var what, account, domain string
	var accountCRM sql.NullString
	var err error
	switch it.Kind {
	case model.OutboxTouchCreate, model.OutboxTouchUpdate:
		var channel, outcome, first, last string
		err = q.QueryRowContext(ctx, `SELECT t.channel, t.outcome, coalesce(c.first_name, ''), coalesce(c.last_name, ''), a.name, a.crm_id, a.domain
			FROM touches t JOIN accounts a ON a.id = t.account_id LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.id = ?`, entity).
			Scan(&channel, &outcome, &first, &last, &account, &accountCRM, &domain)
		who := model.Contact{FirstName: first, LastName: last}.Name()
		what = fmt.Sprintf("%s (%s) with %s", channel, model.Outcome(outcome).Label(), who)
		if it.Kind == model.OutboxTouchUpdate {
			what = "note edit of the " + what
		}
	case model.OutboxTaskCreate, model.OutboxTaskUpdate:
		var title, status string
		err = q.QueryRowContext(ctx, `SELECT k.title, k.status, a.name, a.crm_id, a.domain FROM tasks k JOIN accounts a ON a.id = k.account_id
			WHERE k.id = ?`, entity).Scan(&title, &status, &account, &accountCRM, &domain)
		what = fmt.Sprintf("new task %q", title)
		if it.Kind == model.OutboxTaskUpdate {
			what = fmt.Sprintf("task %q %s", title, status)
		}
	case model.OutboxAccountUpdate:
		var status string
		err = q.QueryRowContext(ctx, "SELECT name, status, crm_id, domain FROM accounts WHERE id = ?", entity).Scan(&account, &status, &accountCRM, &domain)
		what = "status " + status
	case model.OutboxContactUpdate:
		var first, last string
		err = q.QueryRowContext(ctx, `SELECT c.first_name, c.last_name, a.name, a.crm_id, a.domain FROM contacts c
			JOIN accounts a ON a.id = c.account_id WHERE c.id = ?`, entity).Scan(&first, &last, &account, &accountCRM, &domain)
		what = "opt-outs and phone flag of " + model.Contact{FirstName: first, LastName: last}.Name()
	default:
		what = string(it.Kind)
	}
	if errors.Is(err, sql.ErrNoRows) {
		what, account, err = fmt.Sprintf("%s of a record since deleted here", it.Kind), "", nil
	}
	if err != nil {
		return it, err
	}
	it.What, it.Account = model.Sanitize(what), model.Sanitize(account)
	it.Reason = model.Sanitize(lastErr)
	drop := fmt.Sprintf("shortlist outbox drop %d", it.ID)
	switch held {
	case 0:
		it.State = model.OutboxQueued
		if it.Reason != "" {
			it.Reason = fmt.Sprintf("tried %d time(s): %s", it.Attempts, it.Reason)
		}
	case heldRefused:
		it.State = model.OutboxHeld
		it.Fix = "change it and it goes with the next sync, or drop it: " + drop
	case heldGone:
		it.State = model.OutboxGone
		it.Fix = "drop it (" + drop + "); what you did stays in the book"
	default:
		it.State = model.OutboxWaiting
		// An update of a task or touch that was never pushed (no create
		// left to go) has nothing to update even once the company is there.
		neverPushed := false
		if it.Kind == model.OutboxTaskUpdate || it.Kind == model.OutboxTouchUpdate {
			create := opTaskCreate
			if it.Kind == model.OutboxTouchUpdate {
				create = opTouchCreate
			}
			var pending bool
			if err := q.QueryRowContext(ctx, "SELECT NOT EXISTS(SELECT 1 FROM outbox WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL)",
				create, entity).Scan(&pending); err != nil {
				return it, err
			}
			neverPushed = pending
		}
		switch {
		case neverPushed:
			it.Fix = "drop it (" + drop + "); what you did stays in the book"
		case !accountCRM.Valid && strings.TrimSpace(domain) != "":
			it.Fix = fmt.Sprintf("create the company in the CRM with the domain %s and sync (it is linked by its domain), or drop it: %s", model.Sanitize(domain), drop)
		case !accountCRM.Valid:
			it.Fix = "create the company in the CRM with a domain, give the account the same domain here, and sync; or drop it: " + drop
		default:
			it.Fix = "drop it (" + drop + "); what you did stays in the book"
		}
	}
	return it, nil
}

// releaseWaiting puts back in the queue, in tx, the entries that waited for
// an account (or its contacts, touches, tasks) to be in the CRM: a pull just
// found it there.
func releaseWaiting(ctx context.Context, tx *sql.Tx, accountID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET held = 0 WHERE held = ?2 AND pushed_at IS NULL AND (
		(kind IN ('touch.create', 'touch.update') AND entity_id IN (SELECT id FROM touches WHERE account_id = ?1)) OR
		(kind IN ('task.create', 'task.update') AND entity_id IN (SELECT id FROM tasks WHERE account_id = ?1)) OR
		(kind = 'account.update' AND entity_id = ?1) OR
		(kind = 'contact.update' AND entity_id IN (SELECT id FROM contacts WHERE account_id = ?1)))`, accountID, heldWaiting)
	return err
}
