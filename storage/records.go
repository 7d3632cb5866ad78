package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// ms stores a time as UTC unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS reads a stored time; 0 is the zero time.
// civilDue holds a date-only due as its civil date (model.CivilDate), the
// form the book stores and compares, whatever zone it was typed in.
func civilDue(k model.Task) model.Task {
	if !k.DueHasTime && !k.Due.IsZero() {
		k.Due = model.CivilDate(k.Due)
	}
	return k
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// queryer is what reads need from *sql.DB, *sql.Tx or *sql.Conn.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(dest ...any) error }

const accountCols = `a.id, coalesce(a.crm_id, ''), a.name, a.domain, a.industry, a.employees, a.annual_revenue,
	a.country, a.region, a.city, a.time_zone, a.technologies, a.owner, a.status, a.crm_tier,
	a.do_not_contact, a.last_touched, a.crm_url, a.fit, a.tier, a.updated_at`

// accountRow holds one account's columns while they are scanned, so a
// query can scan several records from one row.
type accountRow struct {
	a         model.Account
	emp, rev  sql.NullInt64
	tech      string
	last, upd int64
}

func (r *accountRow) dest() []any {
	a := &r.a
	return []any{&a.ID, &a.CRMID, &a.Name, &a.Domain, &a.Industry, &r.emp, &r.rev,
		&a.Country, &a.Region, &a.City, &a.TimeZone, &r.tech, &a.Owner, &a.Status, &a.CRMTier,
		&a.DoNotContact, &r.last, &a.CRMURL, &a.Fit, &a.Tier, &r.upd}
}

func (r *accountRow) finish() (model.Account, error) {
	a := r.a
	if r.emp.Valid {
		v := r.emp.Int64
		a.Employees = &v
	}
	if r.rev.Valid {
		v := r.rev.Int64
		a.AnnualRevenue = &v
	}
	tech, err := parseTech(r.tech)
	if err != nil {
		return a, fmt.Errorf("account %d technologies: %w", a.ID, err)
	}
	a.Technologies = tech
	a.LastTouched, a.UpdatedAt = fromMS(r.last), fromMS(r.upd)
	return a, nil
}

func scanAccount(s scanner, a *model.Account) error {
	var r accountRow
	if err := s.Scan(r.dest()...); err != nil {
		return err
	}
	var err error
	*a, err = r.finish()
	return err
}

const contactCols = `c.id, coalesce(c.crm_id, ''), c.account_id, c.first_name, c.last_name, c.title, c.persona,
	c.seniority, c.email, c.phone, c.phone_bad, c.linkedin_url, c.time_zone,
	c.consent_call, c.consent_call_source, c.consent_call_at,
	c.consent_email, c.consent_email_source, c.consent_email_at,
	c.consent_linkedin, c.consent_linkedin_source, c.consent_linkedin_at,
	c.last_touched, c.updated_at`

// contactRow holds one contact's columns while they are scanned.
type contactRow struct {
	c                                model.Contact
	callAt, emailAt, liAt, last, upd int64
}

func (r *contactRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.CRMID, &c.AccountID, &c.FirstName, &c.LastName, &c.Title, &c.Persona,
		&c.Seniority, &c.Email, &c.Phone, &c.PhoneBad, &c.LinkedInURL, &c.TimeZone,
		&c.Consent.Call.State, &c.Consent.Call.Source, &r.callAt,
		&c.Consent.Email.State, &c.Consent.Email.Source, &r.emailAt,
		&c.Consent.LinkedIn.State, &c.Consent.LinkedIn.Source, &r.liAt,
		&r.last, &r.upd}
}

func (r *contactRow) finish() model.Contact {
	c := r.c
	c.Consent.Call.At, c.Consent.Email.At, c.Consent.LinkedIn.At = fromMS(r.callAt), fromMS(r.emailAt), fromMS(r.liAt)
	c.LastTouched, c.UpdatedAt = fromMS(r.last), fromMS(r.upd)
	return c
}

func scanContact(s scanner, c *model.Contact) error {
	var r contactRow
	if err := s.Scan(r.dest()...); err != nil {
		return err
	}
	*c = r.finish()
	return nil
}

const touchCols = `t.id, t.op_id, coalesce(t.crm_id, ''), t.contact_id, t.account_id, t.channel, t.direction,
	t.outcome, t.note, t.at, t.duration_ns, t.origin, t.synced, t.meeting_at, t.meeting_cancelled`

func scanTouch(s scanner, t *model.Touch) error {
	var at, dur, meet int64
	err := s.Scan(&t.ID, &t.OpID, &t.CRMID, &t.ContactID, &t.AccountID, &t.Channel, &t.Direction,
		&t.Outcome, &t.Note, &at, &dur, &t.Origin, &t.Synced, &meet, &t.MeetingCancelled)
	if err != nil {
		return err
	}
	t.At, t.Duration = fromMS(at), time.Duration(dur)
	if meet != 0 {
		t.MeetingAt = fromMS(meet)
	}
	return nil
}

const taskCols = `k.id, coalesce(k.crm_id, ''), k.account_id, coalesce(k.contact_id, 0), k.kind, k.title, k.due,
	k.due_has_time, k.priority, k.status, k.snoozed_until, k.origin, k.created_at, k.closed_at`

// taskRow holds one task's columns while they are scanned.
type taskRow struct {
	k                         model.Task
	due, snz, created, closed int64
}

func (r *taskRow) dest() []any {
	k := &r.k
	return []any{&k.ID, &k.CRMID, &k.AccountID, &k.ContactID, &k.Kind, &k.Title, &r.due,
		&k.DueHasTime, &k.Priority, &k.Status, &r.snz, &k.Origin, &r.created, &r.closed}
}

func (r *taskRow) finish() model.Task {
	k := r.k
	k.Due, k.SnoozedUntil, k.CreatedAt, k.ClosedAt = fromMS(r.due), fromMS(r.snz), fromMS(r.created), fromMS(r.closed)
	return k
}

func scanTask(s scanner, k *model.Task) error {
	var r taskRow
	if err := s.Scan(r.dest()...); err != nil {
		return err
	}
	*k = r.finish()
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// techJSON is ts as encoding/json writes it. Names of printable ASCII
// that JSON need not escape (the common case, every new account of an
// import) are quoted directly, without the encoder's reflection.
func techJSON(ts []string) string {
	if len(ts) == 0 {
		return "[]"
	}
	n := 1
	for _, t := range ts {
		for i := 0; i < len(t); i++ {
			if c := t[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				b, _ := json.Marshal(ts) // []string always marshals
				return string(b)
			}
		}
		n += len(t) + 3
	}
	b := make([]byte, 0, n)
	for i, t := range ts {
		if i == 0 {
			b = append(b, '[')
		} else {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, t...)
		b = append(b, '"')
	}
	return string(append(b, ']'))
}

func (db *DB) account(ctx context.Context, q queryer, id int64) (model.Account, error) {
	var a model.Account
	err := scanAccount(q.QueryRowContext(ctx, "SELECT "+accountCols+" FROM accounts a WHERE a.id = ?", id), &a)
	if err == sql.ErrNoRows {
		return a, notFound("account", id)
	}
	if err != nil {
		return a, db.mapErr(fmt.Sprintf("read account %d", id), err)
	}
	return a, nil
}

func (db *DB) contact(ctx context.Context, q queryer, id int64) (model.Contact, error) {
	var c model.Contact
	err := scanContact(q.QueryRowContext(ctx, "SELECT "+contactCols+" FROM contacts c WHERE c.id = ?", id), &c)
	if err == sql.ErrNoRows {
		return c, notFound("contact", id)
	}
	if err != nil {
		return c, db.mapErr(fmt.Sprintf("read contact %d", id), err)
	}
	return c, nil
}

func (db *DB) task(ctx context.Context, q queryer, id int64) (model.Task, error) {
	var k model.Task
	err := scanTask(q.QueryRowContext(ctx, "SELECT "+taskCols+" FROM tasks k WHERE k.id = ?", id), &k)
	if err == sql.ErrNoRows {
		return k, notFound("task", id)
	}
	if err != nil {
		return k, db.mapErr(fmt.Sprintf("read task %d", id), err)
	}
	return k, nil
}

func (db *DB) touch(ctx context.Context, q queryer, id int64) (model.Touch, error) {
	var t model.Touch
	err := scanTouch(q.QueryRowContext(ctx, "SELECT "+touchCols+" FROM touches t WHERE t.id = ?", id), &t)
	if err == sql.ErrNoRows {
		return t, notFound("touch", id)
	}
	if err != nil {
		return t, db.mapErr(fmt.Sprintf("read touch %d", id), err)
	}
	return t, nil
}

// Contact returns a contact and its account.
func (db *DB) Contact(ctx context.Context, id int64) (model.Contact, model.Account, error) {
	c, err := db.contact(ctx, db.sql, id)
	if err != nil {
		return c, model.Account{}, err
	}
	a, err := db.account(ctx, db.sql, c.AccountID)
	return c, a, err
}

// Accounts lists accounts by fit, best first.
func (db *DB) Accounts(ctx context.Context, f model.AccountFilter) ([]model.Account, error) {
	var where []string
	var args []any
	if f.Tier != "" {
		where = append(where, "a.tier = ?")
		args = append(args, string(f.Tier))
	}
	if f.Status != "" {
		where = append(where, "a.status = ?")
		args = append(args, string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "(instr(lower(a.name), lower(?)) > 0 OR instr(lower(a.domain), lower(?)) > 0)")
		args = append(args, q, q)
	}
	query := "SELECT " + accountCols + " FROM accounts a"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY a.fit DESC, a.name, a.id"
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	query += " LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Offset, 0))
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.mapErr("list accounts", err)
	}
	defer rows.Close()
	var out []model.Account
	for rows.Next() {
		var a model.Account
		if err := scanAccount(rows, &a); err != nil {
			return nil, db.mapErr("list accounts", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr("list accounts", err)
	}
	return out, nil
}
