package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// rowsPerInsert is how many new accounts (or contacts) one INSERT writes.
// Through the
// driver each statement and each bound value has a fixed cost (a C call
// under the connection's mutex, a C copy of each text): a statement a row
// cost a 100,000-row import about 0.45 s, 64 rows of 21 values 0.35 s more
// than 256 rows of the 14 values a HubSpot file gives.
const rowsPerInsert = 256

// batchCol is a column a batch of new rows writes, with the import
// fields that can give it a value ("a|b"): "" when every row has its own
// (a name falls back to the domain; a fit is worked out), "-" when no
// import gives one.
type batchCol struct{ col, fill string }

// acctColumns are the columns of a new account, in acctArgs' order.
var acctColumns = []batchCol{
	{"crm_id", "crm_id"}, {"name", ""}, {"domain", "domain"}, {"industry", "industry"},
	{"employees", "employees"}, {"annual_revenue", "annual_revenue"}, {"country", "country"},
	{"region", "region"}, {"city", "city"}, {"time_zone", "time_zone"}, {"technologies", "technologies"},
	{"owner", "owner"}, {"status", "status"}, {"crm_tier", "crm_tier"}, {"do_not_contact", "do_not_contact"},
	{"last_touched", "-"}, {"crm_url", "crm_url"}, {"fit", ""}, {"tier", ""}, {"suggest_rank", ""},
	{"updated_at", "-"},
}

// acctArgs appends the values of a new account, scored, in acctColumns'
// order: what Loader.Account and an import's batches write.
func (db *DB) acctArgs(args []any, a model.Account) []any {
	fit, tier := db.opts.Profile.Rate(a)
	if a.Status == "" {
		a.Status = model.StatusTarget
	}
	return append(args, nullStr(a.CRMID), a.Name, a.Domain, a.Industry, nullInt(a.Employees),
		nullInt(a.AnnualRevenue), a.Country, a.Region, a.City, a.TimeZone, techJSON(a.Technologies), a.Owner,
		string(a.Status), a.CRMTier, b2i(a.DoNotContact), ms(a.LastTouched), a.CRMURL, fit, string(tier),
		db.suggestRank(tier, fit), ms(a.UpdatedAt))
}

// contactColumns are the columns of a new contact, in contactArgs' order.
// Names, the persona and level (from the title) and the company are
// bound for every row.
var contactColumns = []batchCol{
	{"crm_id", "crm_id"}, {"account_id", ""}, {"first_name", ""}, {"last_name", ""}, {"title", "title"},
	{"persona", ""}, {"seniority", ""}, {"level", ""}, {"email", "email"}, {"phone", "phone|mobile"},
	{"phone_bad", "phone_bad"}, {"linkedin_url", "linkedin_url"}, {"time_zone", "time_zone"},
	{"consent_call", "do_not_call"}, {"consent_call_source", "do_not_call"}, {"consent_call_at", "do_not_call"},
	{"consent_email", "email_opt_out"}, {"consent_email_source", "email_opt_out"}, {"consent_email_at", "email_opt_out"},
	{"consent_linkedin", "linkedin_opt_out"}, {"consent_linkedin_source", "linkedin_opt_out"},
	{"consent_linkedin_at", "linkedin_opt_out"}, {"last_touched", "-"}, {"updated_at", "-"},
}

// contactArgs appends the values of a new contact, its persona and
// seniority derived from the title when unknown, in contactColumns'
// order: what Loader.Contact and an import's batches write.
func (db *DB) contactArgs(args []any, c model.Contact) []any {
	classify(db.opts.Profile, &c)
	return append(args, nullStr(c.CRMID), c.AccountID, c.FirstName, c.LastName, c.Title,
		string(c.Persona), string(c.Seniority), db.opts.Profile.ContactLevel(c), c.Email, c.Phone,
		b2i(c.PhoneBad), c.LinkedInURL, c.TimeZone,
		consentState(c.Consent.Call), c.Consent.Call.Source, ms(c.Consent.Call.At),
		consentState(c.Consent.Email), c.Consent.Email.Source, ms(c.Consent.Email.At),
		consentState(c.Consent.LinkedIn), c.Consent.LinkedIn.Source, ms(c.Consent.LinkedIn.At),
		ms(c.LastTouched), ms(c.UpdatedAt))
}

// insertOne is the INSERT of one row of cols, as Loader writes them.
func insertOne(table string, cols []batchCol) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.col
	}
	return "INSERT INTO " + table + "(" + strings.Join(names, ", ") + ") VALUES(" +
		strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
}

// newRow is a new record of an import waiting for its batch, and the line
// it came from.
type newRow struct {
	line    int
	account model.Account
	contact model.Contact
}

// rowBatch writes an import's new rows of one table rowsPerInsert to a
// statement. A column no field of the file can fill holds the same value
// in every row (what the args function gives a record without it), so it
// is written as a constant in the statement's text instead of being bound
// row by row.
type rowBatch struct {
	tx    *sql.Tx
	bound []int  // indexes into the columns bound for each row
	head  string // INSERT INTO table(…) VALUES
	row   string // one row's tuple: ? for a bound column, else its constant
	full  *sql.Stmt
	n     int   // rows added since the last write
	vals  []any // one row's values, all columns
	args  []any
}

// newRowBatch prepares to write new rows of table with cols, from a file
// with fields (the import fields its columns map to); zero is what the
// args function gives a record the file gave nothing.
func newRowBatch(tx *sql.Tx, table string, cols []batchCol, zero []any, fields map[string]bool) *rowBatch {
	b := &rowBatch{tx: tx}
	var names, row []string
	for i, c := range cols {
		names = append(names, c.col)
		filled := c.fill == ""
		for _, f := range strings.Split(c.fill, "|") {
			filled = filled || fields[f]
		}
		if filled {
			b.bound = append(b.bound, i)
			row = append(row, "?")
			continue
		}
		row = append(row, sqlConst(zero[i]))
	}
	b.head = "INSERT INTO " + table + "(" + strings.Join(names, ", ") + ") VALUES"
	b.row = "(" + strings.Join(row, ",") + ")"
	return b
}

// sqlConst is v as SQL text: only the values an args function gives an
// empty record (never text from a file).
func sqlConst(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	panic(fmt.Sprintf("sqlConst: unexpected %T", v))
}

// add takes one row's values, all columns in order.
func (b *rowBatch) add(vals []any) {
	for _, i := range b.bound {
		b.args = append(b.args, vals[i])
	}
	b.n++
}

func (b *rowBatch) text(n int) string {
	return b.head + strings.TrimSuffix(strings.Repeat(b.row+",", n), ",")
}

// write inserts the rows added, in one statement: all of them or, on an
// error, none.
func (b *rowBatch) write(ctx context.Context) error {
	n, args := b.n, b.args
	b.n, b.args = 0, b.args[:0]
	if n == 0 {
		return nil
	}
	if n != rowsPerInsert {
		_, err := b.tx.ExecContext(ctx, b.text(n), args...)
		return err
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.text(rowsPerInsert)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, args...)
	return err
}

func (b *rowBatch) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// bytesPerRow is about the fewest bytes a row of an import file takes
// (HubSpot's company export: some 130), so a file's size over it bounds
// the rows it adds from above.
const bytesPerRow = 96

// bulkDeferred are the triggers a bulk load of a table drops (they do a
// row's share of some work as each row is inserted), each with the
// statement that does that work once at the end for every row the load
// inserted (ids above ?). A counter kept by triggers belongs here.
var bulkDeferred = map[string][]struct{ trigger, redo string }{
	"contacts": {{"accounts_contacts_insert", `UPDATE accounts SET n_contacts = n_contacts + g.n
		FROM (SELECT account_id, count(*) AS n FROM contacts WHERE id > ? GROUP BY account_id) AS g
		WHERE accounts.id = g.account_id`}},
}

// bulk runs write, which adds up to rows rows to table, and returns its
// error. When that is many rows for the table (a quarter of what it holds
// or more: an import into a new book), the table's indexes are dropped
// first and built again once at the end, in the same transaction: a sort
// of every row beats keeping five indexes ordered row by row (0.25 s of
// a 100,000-row import); and the triggers in bulkDeferred are dropped, and
// their work done once, after the indexes are back. This is where work a
// bulk write defers to its end belongs, as Load's budgets do.
func (l *Loader) bulk(table string, rows int64, write func() error) error {
	ctx, tx := l.ctx, l.tx
	var n, top int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*), coalesce(max(rowid), 0) FROM "+quoteIdent(table)).Scan(&n, &top); err != nil {
		return err
	}
	many := rows*4 >= n
	type dropped struct{ def, redo string }
	var triggers []dropped
	for _, d := range bulkDeferred[table] {
		if !many {
			break
		}
		var def string
		err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?", d.trigger).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+quoteIdent(d.trigger)); err != nil {
			return fmt.Errorf("drop trigger %s: %w", d.trigger, err)
		}
		triggers = append(triggers, dropped{def, d.redo})
	}
	if err := withoutIndexes(ctx, tx, table, many, nil, write); err != nil {
		return err
	}
	for _, d := range triggers {
		if _, err := tx.ExecContext(ctx, d.def); err != nil {
			return fmt.Errorf("restore trigger: %w", err)
		}
		if _, err := tx.ExecContext(ctx, d.redo, top); err != nil {
			return fmt.Errorf("do a trigger's work for the rows loaded: %w", err)
		}
	}
	return nil
}
