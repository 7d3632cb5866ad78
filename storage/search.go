package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
)

// maxSearchWords bounds the words a search looks for: a pasted paragraph
// would otherwise build a statement of hundreds of conditions.
const maxSearchWords = 8

// minIndexedWord is the shortest word the trigram index can look up.
const minIndexedWord = 3

// shortScanAccounts bounds a search with no word the index can look up (one
// or two characters each): it reads the best-fitting accounts this many,
// with their contacts, instead of the whole book.
const shortScanAccounts = 2_000

// Search finds accounts and contacts for what a rep types: every word of
// query must appear (case-insensitively, anywhere in a word), so "acme"
// finds Acme GmbH and "anna acme" finds Anna at Acme. An account matches on
// its name or domain; a contact on its name, email or title, where a word
// may also match its account's name as long as one word matches the
// contact itself.
//
// Hits come best first: a field (or a word of a name) equal to every word
// typed, then ones that start with them, then the rest; within that tier A
// before D, accounts before their contacts, best fit first. At most limit
// hits (0: 50); Total says how many match in all.
//
// Words of three or more characters are looked up in the FTS5 trigram
// indexes (migration 0004); a query of only shorter words reads the
// shortScanAccounts best-fitting accounts and says the result is Partial.
func (db *DB) Search(ctx context.Context, query string, limit int) (model.SearchResult, error) {
	var res model.SearchResult
	words := strings.Fields(query)
	if len(words) == 0 {
		return res, nil
	}
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	if limit <= 0 {
		limit = 50
	}
	db.catchUpSearch(ctx)
	q := newSearchQuery(words)
	accExpr, conExpr := q.match()
	accs, accTotal, err := db.searchRows(ctx, q.accounts(), q.args(limit, accExpr))
	if err != nil {
		return res, db.mapErr("search", err)
	}
	cons, conTotal, err := db.searchRows(ctx, q.contacts(), q.args(limit, conExpr))
	if err != nil {
		return res, db.mapErr("search", err)
	}
	if q.indexOnly() {
		// The index alone answers how many: a count over it reads no
		// row, where counting the ranked rows cost a third of the search.
		for _, c := range []struct {
			table, expr string
			n           *int
		}{{"accounts_fts", accExpr, &accTotal}, {"contacts_fts", conExpr, &conTotal}} {
			err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM "+c.table+" WHERE "+c.table+" MATCH ?", c.expr).Scan(c.n)
			if err != nil {
				return res, db.mapErr("search", err)
			}
		}
	}
	all := append(accs, cons...)
	slices.SortStableFunc(all, func(x, y searchRow) int {
		return cmp.Or(cmp.Compare(x.class, y.class), cmp.Compare(x.hit.Tier, y.hit.Tier),
			cmp.Compare(min(x.hit.ContactID, 1), min(y.hit.ContactID, 1)) /* accounts first */, cmp.Compare(y.fit, x.fit),
			strings.Compare(x.hit.AccountName, y.hit.AccountName), cmp.Compare(x.hit.AccountID, y.hit.AccountID),
			cmp.Compare(x.order, y.order))
	})
	for i := 0; i < len(all) && i < limit; i++ {
		res.Hits = append(res.Hits, all[i].hit)
	}
	res.Total = accTotal + conTotal
	if len(q.long) == 0 {
		// Partial when the scan stopped short of the book.
		var more bool
		err := db.sql.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM accounts ORDER BY fit DESC LIMIT 1 OFFSET ?)", shortScanAccounts).Scan(&more)
		if err != nil {
			return res, db.mapErr("search", err)
		}
		res.Partial = more
	}
	return res, nil
}

// searchBehind is true when the index misses a change: rows listed in
// search_pending, or an account or contact newer than its highest entry.
// Each probe is one index or b-tree edge.
const searchBehind = `SELECT EXISTS (SELECT 1 FROM search_pending)
	OR coalesce((SELECT max(id) FROM accounts), 0) > coalesce((SELECT max(rowid) FROM accounts_fts), 0)
	OR coalesce((SELECT max(id) FROM contacts), 0) > coalesce((SELECT max(rowid) FROM contacts_fts), 0)`

// applySearchPending brings the index up to date inside the writing
// transaction tx: it rewrites the entries of the rows the triggers listed
// in search_pending, empties it and indexes the rows added since (ids
// above the index's highest: SQLite gives a new row the highest id plus
// one). A bulk write reaches the FTS5 tables once, in a few statements.
func applySearchPending(ctx context.Context, tx *sql.Tx) error {
	var behind bool
	if err := tx.QueryRowContext(ctx, searchBehind).Scan(&behind); err != nil || !behind {
		return err
	}
	// New rows first: the listed rows' entries, written next, may be above
	// the index's highest and would hide the new rows below them.
	for _, q := range []string{
		`INSERT INTO accounts_fts(rowid, name, domain)
			SELECT id, name, domain FROM accounts WHERE id > (SELECT coalesce(max(rowid), 0) FROM accounts_fts)`,
		`INSERT INTO contacts_fts(rowid, name, email, title, company, account_id)
			SELECT c.id, c.first_name || ' ' || c.last_name, c.email, c.title, a.name, a.id
			FROM contacts c JOIN accounts a ON a.id = c.account_id
			WHERE c.id > (SELECT coalesce(max(rowid), 0) FROM contacts_fts)`,
		"DELETE FROM accounts_fts WHERE rowid IN (SELECT id FROM search_pending WHERE kind = 0)",
		`INSERT INTO accounts_fts(rowid, name, domain)
			SELECT a.id, a.name, a.domain FROM search_pending p JOIN accounts a ON a.id = p.id WHERE p.kind = 0`,
		"DELETE FROM contacts_fts WHERE rowid IN (SELECT id FROM search_pending WHERE kind = 1)",
		`INSERT INTO contacts_fts(rowid, name, email, title, company, account_id)
			SELECT c.id, c.first_name || ' ' || c.last_name, c.email, c.title, a.name, a.id
			FROM search_pending p JOIN contacts c ON c.id = p.id JOIN accounts a ON a.id = c.account_id WHERE p.kind = 1`,
		"DELETE FROM search_pending",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("update the search index: %w", err)
		}
	}
	return nil
}

// catchUpSearch brings the index up to date when another program wrote
// the book (its rows wait in search_pending; every write of this one
// empties it before it commits). A book that cannot be written is searched
// as its index stands.
func (db *DB) catchUpSearch(ctx context.Context) {
	var behind bool
	if err := db.sql.QueryRowContext(ctx, searchBehind).Scan(&behind); err != nil || !behind {
		return
	}
	_ = db.withTx(ctx, "update the search index", func(*sql.Tx) error { return nil })
}

// searchRow is a hit with what it is ranked by.
type searchRow struct {
	hit   model.SearchHit
	class int // 0 exact, 1 prefix, 2 substring
	fit   int
	order int // the query's own order (contacts by name within an account)
}

func (db *DB) searchRows(ctx context.Context, stmt string, args []any) ([]searchRow, int, error) {
	rows, err := db.sql.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []searchRow
	total := 0
	for rows.Next() {
		r := searchRow{order: len(out)}
		h := &r.hit
		if err := rows.Scan(&h.ContactID, &h.AccountID, &h.AccountName, &h.ContactName, &h.Title, &h.Tier, &r.fit, &r.class, &total); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// searchQuery builds the two statements of one search. Parameters: ?1..?n
// the words, ?n+1..?2n the same lower-cased, then the limit, then (when a
// word is long enough) the index expression.
type searchQuery struct {
	words []string
	lower []string // the words as lower() makes them (?n+1..?2n)
	long  []string // the words the index can look up
	short []int    // positions of the words it cannot
}

func newSearchQuery(words []string) searchQuery {
	q := searchQuery{words: words}
	for _, w := range words {
		q.lower = append(q.lower, sqlLower(w))
	}
	for i, w := range words {
		if utf8.RuneCountInString(w) >= minIndexedWord {
			q.long = append(q.long, w)
		} else {
			q.short = append(q.short, i)
		}
	}
	return q
}

func (q searchQuery) n() int { return len(q.words) }

// indexOnly: every word is in the index expression, so it matches exactly
// the rows the search does.
func (q searchQuery) indexOnly() bool { return len(q.short) == 0 }

// total is the select column that counts every matching row: the window
// when only the statement can tell, else 0 (counted from the index).
func (q searchQuery) total() string {
	if q.indexOnly() {
		return "0"
	}
	return "count(*) OVER ()"
}

func (q searchQuery) limitArg() int { return 2*q.n() + 1 }

// args are a statement's parameters for a page of limit rows.
func (q searchQuery) args(limit int, expr string) []any {
	args := make([]any, 0, 2*q.n()+2)
	for _, w := range q.words {
		args = append(args, w)
	}
	for _, w := range q.lower {
		args = append(args, w)
	}
	args = append(args, limit)
	if len(q.long) > 0 {
		args = append(args, expr)
	}
	return args
}

// match is the FTS5 expressions for accounts and for contacts: each long
// word as a phrase (a trigram phrase matches a substring), all of them.
func (q searchQuery) match() (accounts, contacts string) {
	phrases := make([]string, len(q.long))
	for i, w := range q.long {
		phrases[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	accounts = strings.Join(phrases, " AND ")
	contacts = accounts
	if len(q.short) == 0 && len(phrases) > 0 {
		// One word at least must match the contact itself.
		contacts += " AND {name email title} : (" + strings.Join(phrases, " OR ") + ")"
	}
	return accounts, contacts
}

// per is one SQL condition per word (given the parameter of the word
// lower-cased), joined by sep, over the positions given (nil: every word).
func (q searchQuery) per(pos []int, sep string, cond func(w string) string) string {
	if pos == nil {
		for i := range q.words {
			pos = append(pos, i)
		}
	}
	conds := make([]string, len(pos))
	for i, p := range pos {
		conds[i] = "(" + cond(fmt.Sprintf("?%d", p+1+q.n())) + ")"
	}
	return strings.Join(conds, sep)
}

// class is the worst over the words of how well each matched: 0 a field
// (exact) or a word of one (wordExact: a name) equals it, 1 a word of a
// field (words) starts with it, 2 the field only contains it; email starts
// only at its beginning.
func (q searchQuery) class(exact, wordExact, words []string, email string) string {
	var parts []string
	text := "' ' || lower(" + strings.Join(words, " || ' ' || ") + ")"
	for i, w := range q.lower {
		p := fmt.Sprintf("?%d", i+1+q.n())
		var eq []string
		for _, f := range exact {
			eq = append(eq, fmt.Sprintf("lower(%s) = %s", f, p))
		}
		for _, f := range wordExact {
			eq = append(eq, fmt.Sprintf("instr(' ' || lower(%s) || ' ', ' ' || %s || ' ') > 0", f, p))
		}
		pre := fmt.Sprintf("instr(%s, ' ' || %s) > 0", text, p)
		if email != "" {
			pre += fmt.Sprintf(" OR substr(lower(%s), 1, %d) = %s", email, utf8.RuneCountInString(w), p)
		}
		parts = append(parts, fmt.Sprintf("CASE WHEN %s THEN 0 WHEN %s THEN 1 ELSE 2 END", strings.Join(eq, " OR "), pre))
	}
	// max of one argument is the aggregate: give it a second.
	return "max(" + strings.Join(parts, ", ") + ", 0)"
}

// sqlLower lower-cases s the way SQLite's lower() does without ICU: ASCII
// letters only, so a word compares with lower(field) exactly.
func sqlLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func contains(field string) func(w string) string {
	return func(w string) string { return fmt.Sprintf("instr(lower(%s), %s) > 0", field, w) }
}

// from is the rows a statement reads: those the index finds for every long
// word, or without one the best-fitting shortScanAccounts accounts.
func (q searchQuery) from(kind string) string {
	if len(q.long) == 0 {
		scan := fmt.Sprintf("(SELECT id, name, domain, tier, fit FROM accounts ORDER BY fit DESC LIMIT %d) a", shortScanAccounts)
		if kind == "accounts" {
			return "FROM " + scan + " WHERE 1"
		}
		return "FROM " + scan + " JOIN contacts c ON c.account_id = a.id WHERE 1"
	}
	if kind == "accounts" {
		return fmt.Sprintf("FROM accounts_fts f JOIN accounts a ON a.id = f.rowid WHERE accounts_fts MATCH ?%d", q.limitArg()+1)
	}
	// The index's own copy of the contact's fields: no contacts row read.
	return fmt.Sprintf(`FROM contacts_fts f JOIN accounts a ON a.id = f.account_id
		WHERE contacts_fts MATCH ?%d`, q.limitArg()+1)
}

func (q searchQuery) accounts() string {
	// The index answers for the long words; short ones are checked here.
	where := q.per(q.short, " AND ", func(w string) string {
		return contains("a.name")(w) + " OR " + contains("a.domain")(w)
	})
	if where != "" {
		where = " AND " + where
	}
	return fmt.Sprintf(`SELECT 0, a.id, a.name, '', '', a.tier, a.fit, %s AS class, %s
		%s%s
		ORDER BY class, a.tier, a.fit DESC, a.name, a.id LIMIT ?%d`,
		q.class([]string{"a.name", "a.domain"}, nil, []string{"a.name", "a.domain"}, ""), q.total(), q.from("accounts"), where, q.limitArg())
}

func (q searchQuery) contacts() string {
	// A contact's fields: the index's copy, or the row itself in a scan.
	id, name, email, title, company := "f.rowid", "f.name", "f.email", "f.title", "f.company"
	if len(q.long) == 0 {
		id, name, email, title, company = "c.id", "(c.first_name || ' ' || c.last_name)", "c.email", "c.title", "a.name"
	}
	// One lower-cased text per field group, each word looked up once in
	// it. The unit separator keeps a word from matching across two fields.
	person := name + " || char(31) || " + email + " || char(31) || " + title
	var where string
	if len(q.short) > 0 {
		// Every short word anywhere, and one word at least in the contact
		// itself (the index expression holds only the first rule then).
		where = " AND " + q.per(q.short, " AND ", contains(person+" || char(31) || "+company)) +
			" AND (" + q.per(nil, " OR ", contains(person)) + ")"
	}
	return fmt.Sprintf(`SELECT %s, a.id, %s, trim(%s), %s, a.tier, a.fit, %s AS class, %s
		%s%s
		ORDER BY class, a.tier, a.fit DESC, %s, a.id, %s, %s LIMIT ?%d`,
		id, company, name, title,
		q.class([]string{email, title, company}, []string{name}, []string{name, title, company}, email), q.total(),
		q.from("contacts"), where, company, name, id, q.limitArg())
}
