package storage

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/csvio"
)

// Export headers. Accounts and contacts use the field names the importer
// reads (plus Shortlist's own ids, scores and clocks, which it skips), so
// an export imports into another book as the same records.
var (
	accountExportCols = append(append([]string{"id"}, model.ImportFields(model.KindAccounts)...),
		"fit", "tier", "last_touched", "updated_at")
	contactExportCols = []string{"id", "crm_id", "first_name", "last_name", "title", "persona", "seniority",
		"email", "phone", "phone_bad", "linkedin_url", "time_zone", "account_id", "account", "account_crm_id",
		"account_domain", "email_opt_out", "do_not_call", "linkedin_opt_out", "last_touched", "updated_at"}
	touchExportCols = []string{"id", "at", "account_id", "account", "contact_id", "contact", "channel", "direction",
		"outcome", "note", "duration_s", "origin", "synced", "crm_id"}
	taskExportCols = []string{"id", "account_id", "account", "contact_id", "contact", "kind", "title", "due",
		"priority", "status", "snoozed_until", "origin", "created_at", "closed_at", "crm_id"}
)

// Export writes one kind of record as CSV or JSON, oldest id first, and
// returns how many rows it wrote. Since keeps records updated (touches:
// logged; tasks: created) at or after it. Times are RFC 3339 in the rep's
// zone; a task due on a date (no time) is written as the date.
func (db *DB) Export(ctx context.Context, req model.ExportRequest, w io.Writer) (int, error) {
	op := "export " + string(req.Kind)
	var cols []string
	var query string
	switch req.Kind {
	case model.KindAccounts:
		cols = accountExportCols
		query = "SELECT " + accountCols + " FROM accounts a WHERE a.updated_at >= ? ORDER BY a.id"
	case model.KindContacts:
		cols = contactExportCols
		query = "SELECT " + contactCols + `, a.name, coalesce(a.crm_id, ''), a.domain
			FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.updated_at >= ? ORDER BY c.id`
	case model.KindTouches:
		cols = touchExportCols
		query = "SELECT " + touchCols + `, a.name, c.first_name, c.last_name
			FROM touches t JOIN accounts a ON a.id = t.account_id JOIN contacts c ON c.id = t.contact_id
			WHERE t.at >= ? ORDER BY t.at, t.id`
	case model.KindTasks:
		cols = taskExportCols
		query = "SELECT " + taskCols + `, a.name, coalesce(c.first_name, ''), coalesce(c.last_name, '')
			FROM tasks k JOIN accounts a ON a.id = k.account_id LEFT JOIN contacts c ON c.id = k.contact_id
			WHERE k.created_at >= ? ORDER BY k.id`
	default:
		return 0, fmt.Errorf("%s: unknown kind: export accounts, contacts, touches or tasks", op)
	}
	out, err := csvio.NewWriter(w, req.Format, cols)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	var since int64
	if !req.Since.IsZero() {
		since = req.Since.UnixMilli()
	}
	rows, err := db.sql.QueryContext(ctx, query, since)
	if err != nil {
		return 0, db.mapErr(op, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		vals, err := db.exportRow(req.Kind, rows)
		if err != nil {
			return n, db.mapErr(op, err)
		}
		if err := out.Row(vals...); err != nil {
			return n, fmt.Errorf("%s: %w", op, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, db.mapErr(op, err)
	}
	if err := out.Close(); err != nil {
		return n, fmt.Errorf("%s: %w", op, err)
	}
	return n, nil
}

// exportRow scans one row of the kind's query into its export values.
func (db *DB) exportRow(k model.RecordKind, s scanner) ([]any, error) {
	switch k {
	case model.KindAccounts:
		var a model.Account
		if err := scanAccount(s, &a); err != nil {
			return nil, err
		}
		return []any{a.ID, a.CRMID, a.Name, a.Domain, a.Industry, a.Employees, a.AnnualRevenue, a.Country,
			a.Region, a.City, a.TimeZone, a.Technologies, a.Owner, string(a.Status), a.CRMTier, a.DoNotContact,
			a.CRMURL, a.Fit, string(a.Tier), db.stamp(a.LastTouched), db.stamp(a.UpdatedAt)}, nil
	case model.KindContacts:
		var r contactRow
		var acct, acctCRM, acctDomain string
		if err := s.Scan(append(r.dest(), &acct, &acctCRM, &acctDomain)...); err != nil {
			return nil, err
		}
		c := r.finish()
		return []any{c.ID, c.CRMID, c.FirstName, c.LastName, c.Title, string(c.Persona), string(c.Seniority),
			c.Email, c.Phone, c.PhoneBad, c.LinkedInURL, c.TimeZone, c.AccountID, acct, acctCRM, acctDomain,
			c.Consent.Email.OptedOut(), c.Consent.Call.OptedOut(), c.Consent.LinkedIn.OptedOut(),
			db.stamp(c.LastTouched), db.stamp(c.UpdatedAt)}, nil
	case model.KindTouches:
		var t model.Touch
		var acct, first, last string
		err := scanTouch(scanFunc(func(dest ...any) error { return s.Scan(append(dest, &acct, &first, &last)...) }), &t)
		if err != nil {
			return nil, err
		}
		return []any{t.ID, db.stamp(t.At), t.AccountID, acct, t.ContactID, fullName(first, last), string(t.Channel),
			string(t.Direction), string(t.Outcome), t.Note, int64(t.Duration / time.Second), string(t.Origin),
			t.Synced, t.CRMID}, nil
	case model.KindTasks:
		var r taskRow
		var acct, first, last string
		if err := s.Scan(append(r.dest(), &acct, &first, &last)...); err != nil {
			return nil, err
		}
		k := r.finish()
		due := db.stamp(k.Due)
		if !k.DueHasTime && !k.Due.IsZero() {
			due = k.DueDay(db.zone).Format(time.DateOnly)
		}
		contact := any("")
		if k.ContactID != 0 {
			contact = k.ContactID
		}
		return []any{k.ID, k.AccountID, acct, contact, fullName(first, last), string(k.Kind), k.Title, due,
			string(k.Priority), string(k.Status), db.stamp(k.SnoozedUntil), string(k.Origin), db.stamp(k.CreatedAt),
			db.stamp(k.ClosedAt), k.CRMID}, nil
	}
	return nil, fmt.Errorf("unknown kind %q", k)
}

// stamp writes a time in the rep's zone; the zero time is empty.
func (db *DB) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(db.zone).Format(time.RFC3339)
}

func fullName(first, last string) string {
	return strings.TrimSpace(first + " " + last)
}
