package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// acctsPerInsert is how many new accounts one INSERT writes. Through the
// driver each statement and each bound value has a fixed cost (a C call
// under the connection's mutex, a C copy of each text): a statement a row
// cost a 100,000-row import about 0.45 s, 64 rows of 21 values 0.35 s more
// than 256 rows of the 14 values a HubSpot file gives.
const acctsPerInsert = 256

// acctColumns are the columns of a new account, in the order acctArgs
// gives their values, each with the import field that can give it a value:
// "" when every row has its own (name falls back to the domain; fit, tier
// and rank are worked out), "-" when no import gives one.
var acctColumns = []struct{ col, field string }{
	{"crm_id", "crm_id"}, {"name", ""}, {"domain", "domain"}, {"industry", "industry"},
	{"employees", "employees"}, {"annual_revenue", "annual_revenue"}, {"country", "country"},
	{"region", "region"}, {"city", "city"}, {"time_zone", "time_zone"}, {"technologies", "technologies"},
	{"owner", "owner"}, {"status", "status"}, {"crm_tier", "crm_tier"}, {"do_not_contact", "do_not_contact"},
	{"last_touched", "-"}, {"crm_url", "crm_url"}, {"fit", ""}, {"tier", ""}, {"suggest_rank", ""},
	{"updated_at", "-"},
}

// acctArgs appends the values of a new account, scored, in acctColumns'
// order: what Loader.Account writes.
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

// newAcct is a new account of an import waiting for its batch, and the
// line it came from.
type newAcct struct {
	line    int
	account model.Account
}

// acctBatch writes an import's new accounts acctsPerInsert to a statement.
// A column no field of the file can fill holds the same value in every
// row (what acctArgs gives an account without it), so it is written as a
// constant in the statement's text instead of being bound row by row.
type acctBatch struct {
	db    *DB
	tx    *sql.Tx
	bound []int  // indexes into acctColumns bound for each row
	head  string // INSERT INTO accounts(…) VALUES
	row   string // one row's tuple: ? for a bound column, else its constant
	full  *sql.Stmt
	vals  []any // one row's values, all columns
	args  []any
}

// newAcctBatch prepares to write new accounts of a file with fields
// (the import fields its columns map to), all updated at now.
func newAcctBatch(db *DB, tx *sql.Tx, fields map[string]bool, now time.Time) *acctBatch {
	b := &acctBatch{db: db, tx: tx}
	// The constants: the values of an account the file gave nothing.
	zero := db.acctArgs(nil, model.Account{UpdatedAt: now})
	var cols, row []string
	for i, c := range acctColumns {
		cols = append(cols, c.col)
		if c.field == "" || fields[c.field] {
			b.bound = append(b.bound, i)
			row = append(row, "?")
			continue
		}
		row = append(row, sqlConst(zero[i]))
	}
	b.head = "INSERT INTO accounts(" + strings.Join(cols, ", ") + ") VALUES"
	b.row = "(" + strings.Join(row, ",") + ")"
	return b
}

// sqlConst is v as SQL text: only the values acctArgs gives an empty
// account (never text from a file).
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

func (b *acctBatch) text(n int) string {
	return b.head + strings.TrimSuffix(strings.Repeat(b.row+",", n), ",")
}

// write inserts the accounts of its, in one statement: all of them or,
// on an error, none.
func (b *acctBatch) write(ctx context.Context, its []newAcct) error {
	b.args = b.args[:0]
	for _, it := range its {
		b.vals = b.db.acctArgs(b.vals[:0], it.account)
		for _, i := range b.bound {
			b.args = append(b.args, b.vals[i])
		}
	}
	if len(its) != acctsPerInsert {
		_, err := b.tx.ExecContext(ctx, b.text(len(its)), b.args...)
		return err
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.text(acctsPerInsert)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	return err
}

func (b *acctBatch) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// bytesPerRow is about the fewest bytes a row of an import file takes
// (HubSpot's company export: some 130), so a file's size over it bounds
// the rows it adds from above.
const bytesPerRow = 96

// bulk runs write, which adds up to rows rows to table, and returns its
// error. When that is many rows for the table (a quarter of what it holds
// or more: an import into a new book), the table's indexes are dropped
// first and built again once at the end, in the same transaction: a sort
// of every row beats keeping five indexes ordered row by row (0.25 s of
// a 100,000-row import). This is where work a bulk write defers to its end
// belongs, as Load's budgets do.
func (l *Loader) bulk(table string, rows int64, write func() error) error {
	var n int64
	if err := l.tx.QueryRowContext(l.ctx, "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n); err != nil {
		return err
	}
	return withoutIndexes(l.ctx, l.tx, table, rows*4 >= n, nil, write)
}
