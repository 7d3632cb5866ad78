package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/csvio"
	sqlite "modernc.org/sqlite"
)

var (
	_ model.Importer = (*DB)(nil)
	_ model.Exporter = (*DB)(nil)
)

// Import brings a CSV file of accounts or contacts into the book: rows
// match existing records by CRM id, then domain (accounts) or email
// (contacts), then exact name, and a match changes only the fields the row
// gives a value for. Accounts are scored against the profile as they are
// written and contacts classified by title. It is one transaction: when a
// row fails and SkipInvalid is off, nothing is written and the error wraps
// model.ErrRowsInvalid, with the rows in the report.
//
// The file is streamed, never held: each row is checked and written as it
// comes (new accounts a batch to a statement). A file up to keyHashFileMax
// has its keys checked against a set of their hashes; when one comes again,
// the pass is undone (its transaction) and the file planned again as a
// bigger one is, with its keys kept in a temporary table. When a later row
// turns out to replace an earlier one (a key in common: the later row
// wins), what that pass wrote is undone (a savepoint) and a second pass
// over the file writes the rows that won. Memory is bounded by a row, the
// hash set (at most keyHashMax) and the report's lists (at most
// model.ImportListMax entries each; the counts are exact), whatever the
// size of the file; an input that cannot seek (standard input) is first
// copied to a private temporary file.
//
// An import is the rep's own data, not a change for the CRM: it writes no
// outbox rows (as the Loader does), so nothing of it is pushed on sync.
func (db *DB) Import(ctx context.Context, req model.ImportRequest) (model.ImportReport, error) {
	rep := model.ImportReport{Kind: req.Kind, Source: req.Source, DryRun: req.DryRun}
	op := "import " + req.Source
	if req.Input == nil {
		return rep, fmt.Errorf("%s: no input", op)
	}
	if req.Now.IsZero() {
		req.Now = db.now()
	}
	in, done, err := rewindable(req.Input)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", op, err)
	}
	defer done()
	sc, err := csvio.NewScanner(in)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", op, err)
	}
	rep.Delimiter, rep.Encoding = delimName(sc.Delimiter), sc.Encoding
	rep.EncodingLine, rep.EncodingByte = sc.BadLine, sc.BadByte
	m, err := csvio.Map(req.Kind, sc.Header, req.Map)
	if err != nil {
		return rep, fmt.Errorf("%s: line %d: %w", op, sc.HeaderLine, err)
	}
	rep.Columns, rep.Ignored, rep.Computed = m.Columns, m.Ignored, m.Computed
	fileFields := map[string]bool{}
	for _, f := range m.Fields {
		fileFields[f] = f != ""
	}
	if req.Kind != model.KindAccounts && req.Kind != model.KindContacts {
		return rep, db.mapErr(op, fmt.Errorf("%s cannot be imported: import accounts or contacts", req.Kind))
	}

	// pass reads the file from its start and hands each row to the plan.
	pass := func(p *importPlan) error {
		if p.again {
			if _, err := in.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("read %s again: %w", req.Source, err)
			}
			if sc, err = csvio.NewScanner(in); err != nil {
				return err
			}
		}
		recs := csvio.NewRecords(m, sc.Delimiter, csvio.Options{Source: req.Source, Now: req.Now})
		return sc.Each(func(row csvio.Row, bad *model.ImportError) error {
			if !p.again {
				rep.Rows++ // records read and the ones malformed as CSV alike
			}
			if bad != nil {
				p.errors(*bad)
				return nil
			}
			if req.Kind == model.KindAccounts {
				r, errs := recs.Account(row)
				if len(errs) > 0 {
					p.errors(errs...)
					return nil
				}
				return p.account(r)
			}
			r, errs := recs.Contact(row)
			if len(errs) > 0 {
				p.errors(errs...)
				return nil
			}
			return p.contact(r)
		})
	}
	// The keys of a file small enough are checked against a set of their
	// hashes, in memory; a bigger file, or one where a key comes again,
	// keeps them in temp.import_keys (see importPlan).
	size, err := remaining(in)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", op, err)
	}
	hashKeys := size <= keyHashFileMax
	base := rep
	// run plans the file on q (scratch holds the keys) and, with l, writes
	// it; it reports whether the rows failed (the caller then rolls back).
	run := func(q queryer, scratch execer, l *Loader) (rejected bool, err error) {
		p := &importPlan{db: db, req: req, rep: &rep, ctx: ctx, q: q, scratch: scratch, fileFields: fileFields}
		if hashKeys {
			p.seen, p.seed = map[uint64]struct{}{}, maphash.MakeSeed()
		}
		if err := p.begin(); err != nil {
			return false, err
		}
		defer p.end()
		if l != nil {
			p.startWrites(l)
			// A first pass that checks hashes replaces no row; one that
			// finds a hash again is undone with its transaction.
			if !hashKeys {
				if _, err := l.tx.ExecContext(ctx, "SAVEPOINT import_first_pass"); err != nil {
					return false, err
				}
			}
		}
		if err := pass(p); err != nil {
			return false, err // errKeyAgain too: the caller plans again
		}
		if err := p.flushAdds(); err != nil {
			return false, err
		}
		if err := p.duplicates(); err != nil {
			return false, err
		}
		rep.AccountsCreated = len(p.newAccts)
		if rejected = rep.Skipped > 0 && !req.SkipInvalid; rejected {
			return true, nil
		}
		if len(p.dropped) == 0 {
			return false, p.held
		}
		// Rows were replaced by later ones: undo what the first pass
		// wrote and counted, and do it again without them.
		rep.Added, rep.Updated, rep.Unchanged, rep.Changes, rep.ChangesOmitted = 0, 0, 0, nil, 0
		p.again, p.held = true, nil
		if l != nil {
			if _, err := l.tx.ExecContext(ctx, "ROLLBACK TO import_first_pass"); err != nil {
				return false, err
			}
			if err := p.rewriteNewAccounts(); err != nil {
				return false, err
			}
		}
		return false, pass(p)
	}
	// again makes ready to plan the file again, from its start, keeping
	// its keys in temp.import_keys: a key came again, or too many came.
	again := func() error {
		if _, err := in.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("read %s again: %w", req.Source, err)
		}
		if sc, err = csvio.NewScanner(in); err != nil {
			return err
		}
		rep, hashKeys = base, false
		return nil
	}
	if req.DryRun {
		conn, err := db.sql.Conn(ctx)
		if err != nil {
			return rep, db.mapErr(op, err)
		}
		defer conn.Close()
		rejected, err := run(conn, conn, nil)
		if errors.Is(err, errKeyAgain) {
			if err = again(); err == nil {
				rejected, err = run(conn, conn, nil)
			}
		}
		if err != nil {
			return rep, db.mapErr(op, err)
		}
		if rejected {
			return rep, rowsFailed(op, rep)
		}
		return rep, nil
	}
	errRejected := errors.New("rejected")
	var refused *rowError // the row the book refused, if any
	load := func(l *Loader) error {
		refused = nil
		// A file with many rows for its book writes them with the
		// table's indexes dropped, and builds them again once at the end.
		var rejected bool
		err := l.bulk(string(req.Kind), size/bytesPerRow, func() error {
			var err error
			rejected, err = run(l.tx, l.tx, l)
			return err
		})
		if err == nil && rejected {
			err = errRejected
		}
		if !errors.As(err, &refused) {
			refused = nil
		}
		return err
	}
	err = db.Load(ctx, load)
	if errors.Is(err, errKeyAgain) {
		// Nothing was written (the transaction rolled back): again, in
		// one transaction.
		if err = again(); err == nil {
			err = db.Load(ctx, load)
		}
	}
	if errors.Is(err, errRejected) {
		return rep, rowsFailed(op, rep)
	}
	if err != nil && refused != nil {
		return rep, refused.explain(op, err)
	}
	if err != nil {
		return rep, fmt.Errorf("%s: nothing was imported: %w", op, err)
	}
	rep.Written = true
	return rep, nil
}

// remaining is how many bytes in holds from where it is.
func remaining(in io.Seeker) (int64, error) {
	at, err := in.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	end, err := in.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	_, err = in.Seek(at, io.SeekStart)
	return end - at, err
}

// rewindable returns r as a file it can read twice: r itself when it can
// seek, else a private temporary copy, removed by done.
func rewindable(r io.Reader) (in io.ReadSeeker, done func(), err error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if _, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return rs, func() {}, nil
		}
	}
	f, err := os.CreateTemp("", "shortlist-import-*.csv") // mode 0600: it holds the rep's data
	if err != nil {
		return nil, nil, fmt.Errorf("copy the input to a temporary file: %w", err)
	}
	done = func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := io.Copy(f, r); err != nil {
		done()
		return nil, nil, fmt.Errorf("read input: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		done()
		return nil, nil, fmt.Errorf("read input: %w", err)
	}
	return f, done, nil
}

func rowsFailed(op string, rep model.ImportReport) error {
	return fmt.Errorf("%s: %d of %d rows failed, so nothing was imported: %w", op, rep.Skipped, rep.Rows, model.ErrRowsInvalid)
}

func delimName(r rune) string {
	switch r {
	case '\t':
		return "tab"
	case ';':
		return "semicolon"
	case '|':
		return "pipe"
	}
	return "comma"
}

// importPlan is what an import does, one row at a time: each row is checked,
// its keys noted in temp.import_keys, and it is counted, listed in the
// report and, when writing, written. When a later row turns out to replace
// an earlier one (a key in common), the first pass's writes are undone and a
// second pass over the file does it all again without the replaced rows.
type importPlan struct {
	db      *DB
	req     model.ImportRequest
	rep     *model.ImportReport
	ctx     context.Context
	q       queryer // reads the book
	scratch execer  // holds temp.import_keys
	again   bool    // the second pass: the rows to skip are known
	l       *Loader // writes; nil: count only
	held    error   // a write of the first pass that broke a constraint: writing stopped
	lastErr int     // the line of the last error counted in Skipped

	accts *acctIndex
	cx    *contactIndex
	// New accounts get ids -1, -2… in the first pass; real holds the ids
	// they were written with.
	newAccts   []model.Account
	newAcctIdx map[string]int64 // key → negative id, for --create-accounts
	real       []int64

	keys    []any // a batch of (key, line, pos) for temp.import_keys
	dropped lineSet

	// seen, when not nil, holds a hash of each key of the first pass
	// instead of temp.import_keys: while no hash comes twice no key does,
	// and no row replaces another (the common file, with no repeats). A
	// hash that comes again ends the pass with errKeyAgain, and the file
	// is planned again with its keys in the table, which tells which rows
	// the later ones replace.
	seen map[uint64]struct{}
	seed maphash.Seed

	// adds holds new accounts or contacts of a first pass that checks
	// keys by their hashes, written rowsPerInsert to a statement (newRows).
	adds       []newRow
	newRows    *rowBatch
	fileFields map[string]bool // the fields the file has a column for
}

// flushAdds writes the new records held, in one statement. When it fails
// they are written one at a time, so the error names the row (and a
// constraint is held as a row's write would be).
func (p *importPlan) flushAdds() error {
	if len(p.adds) == 0 {
		return nil
	}
	adds := p.adds
	p.adds = p.adds[:0]
	db, b := p.db, p.newRows
	if b == nil {
		if p.req.Kind == model.KindAccounts {
			b = newRowBatch(p.l.tx, "accounts", acctColumns, db.acctArgs(nil, model.Account{UpdatedAt: p.req.Now}), p.fileFields)
		} else {
			b = newRowBatch(p.l.tx, "contacts", contactColumns, db.contactArgs(nil, model.Contact{UpdatedAt: p.req.Now}), p.fileFields)
		}
		p.newRows = b
	}
	for i := range adds {
		if p.req.Kind == model.KindAccounts {
			b.vals = db.acctArgs(b.vals[:0], adds[i].account)
		} else {
			c := &adds[i].contact
			if c.AccountID < 0 { // a company this import adds
				c.AccountID = p.real[-c.AccountID-1]
			}
			b.vals = db.contactArgs(b.vals[:0], *c)
		}
		b.add(b.vals)
	}
	if err := b.write(p.ctx); err == nil {
		return nil
	}
	for _, a := range adds {
		if p.held != nil {
			return nil
		}
		if err := p.writeRow(&planItem{line: a.line, account: a.account, contact: a.contact}); err != nil {
			return err
		}
	}
	return nil
}

// errKeyAgain ends a first pass that checks keys by their hashes when a
// hash comes again, or when the set would outgrow keyHashMax.
var errKeyAgain = errors.New("a key comes again")

// keyHashFileMax is the largest file whose keys are checked by their
// hashes in memory, and keyHashMax the most hashes held (about 10 bytes
// each: 80,000 rows, 160,000 keys, peaked 1.6 MiB above the table's
// 3.4 MiB), so the set stays in the low tens of MiB whatever the file. A
// file of HubSpot's columns holds about 2 keys in 130 bytes: 32 MiB is
// some 500,000 keys, below the cap. The table, which bounds memory by a
// row, took a fifth of a 100,000-row import's time.
const (
	keyHashFileMax = 32 << 20
	keyHashMax     = 1 << 20
)

// execer runs statements on the connection that holds the plan's keys.
type execer interface {
	queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// lineSet is a set of line numbers, a bit each.
type lineSet []uint64

func (s *lineSet) add(n int) {
	for n/64 >= len(*s) {
		*s = append(*s, 0)
	}
	(*s)[n/64] |= 1 << (n % 64)
}

func (s lineSet) has(n int) bool { return n/64 < len(s) && s[n/64]&(1<<(n%64)) != 0 }

// keysPerInsert is how many keys one INSERT into temp.import_keys carries.
const keysPerInsert = 300

func (p *importPlan) begin() error {
	ctx := p.ctx
	for _, q := range []string{"DROP TABLE IF EXISTS temp.import_keys",
		"CREATE TEMP TABLE import_keys(key TEXT NOT NULL, line INTEGER NOT NULL, pos INTEGER NOT NULL)"} {
		if _, err := p.scratch.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var err error
	if p.accts, err = loadAcctIndex(ctx, p.q); err != nil {
		return err
	}
	if p.req.Kind == model.KindContacts {
		p.cx, err = loadContactIndex(ctx, p.q)
	}
	return err
}

// end drops the keys (inside the import's transaction when it writes).
func (p *importPlan) end() {
	if p.newRows != nil {
		p.newRows.close()
	}
	p.scratch.ExecContext(context.WithoutCancel(p.ctx), "DROP TABLE IF EXISTS temp.import_keys")
}

func (p *importPlan) flushKeys() error {
	if len(p.keys) == 0 {
		return nil
	}
	n := len(p.keys) / 3
	_, err := p.scratch.ExecContext(p.ctx, "INSERT INTO temp.import_keys(key, line, pos) VALUES"+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", "), p.keys...)
	p.keys = p.keys[:0]
	return err
}

// duplicates works out, after the first pass, which rows a later row with a
// key in common replaces (the later row wins): each is reported once, with
// the first later row that shares a key with it, and the first such key in
// that row's order, as the rows come.
func (p *importPlan) duplicates() error {
	if p.seen != nil {
		return nil // no key came twice
	}
	if err := p.flushKeys(); err != nil {
		return err
	}
	rows, err := p.scratch.QueryContext(p.ctx, `SELECT lost, winner, key FROM (
		SELECT line AS lost, next AS winner, npos, key,
			row_number() OVER (PARTITION BY line ORDER BY next, npos) AS r
		FROM (SELECT key, line, lead(line) OVER w AS next, lead(pos) OVER w AS npos
			FROM temp.import_keys WINDOW w AS (PARTITION BY key ORDER BY line))
		WHERE next IS NOT NULL)
	WHERE r = 1 ORDER BY winner, npos`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d model.ImportDuplicate
		var k string
		if err := rows.Scan(&d.Line, &d.Winner, &k); err != nil {
			return err
		}
		p.dropped.add(d.Line)
		d.Key = keyText(k)
		if len(p.rep.Duplicates) < model.ImportListMax {
			p.rep.Duplicates = append(p.rep.Duplicates, d)
		} else {
			p.rep.DuplicatesOmitted++
		}
	}
	return rows.Err()
}

// startWrites makes the plan write through l. The page cache stays at
// its default 2 MiB: a bigger one (the rescore's 256 MiB, set here before)
// was most of a big import's memory, about 4.5 times its size in RSS, and
// bought it no time (1M rows: 738 MB with it, 36 MB without, in the same
// time; 200,000 rows: 10–11 s either way).
func (p *importPlan) startWrites(l *Loader) {
	p.l = l
}

// rewriteNewAccounts writes again, for the second pass, the accounts the
// first pass added for contact rows (undone with its other writes).
func (p *importPlan) rewriteNewAccounts() error {
	p.real = make([]int64, len(p.newAccts))
	for i, a := range p.newAccts {
		id, err := p.l.Account(a)
		if err != nil {
			return fmt.Errorf("add account %q: %w", a.Name, err)
		}
		p.real[i] = id
	}
	return nil
}

// errors records row errors, in the first pass.
func (p *importPlan) errors(errs ...model.ImportError) {
	if p.again {
		return // counted in the first pass
	}
	for _, e := range errs {
		if e.Line != p.lastErr || p.rep.Skipped == 0 {
			p.rep.Skipped++ // rows come in order: a new line is a new failing row
			p.lastErr = e.Line
		}
		if len(p.rep.Errors) < model.ImportListMax {
			p.rep.Errors = append(p.rep.Errors, e)
		} else {
			p.rep.ErrorsOmitted++
		}
	}
}

func (p *importPlan) fail(line int, field string, err error) {
	p.errors(model.ImportError{Line: line, Field: field, Message: err.Error()})
}

// planItem is one row that survived: an account or a contact to add or
// update.
type planItem struct {
	line     int
	keys     []string
	account  model.Account // the new or merged record
	contact  model.Contact
	id       int64 // existing record; 0 when new
	changes  []model.FieldChange
	fromAcct int64 // a contact's account before the import, when it moves
	dropped  bool  // a later row with the same key replaced it
	label    string
}

// acctIndex finds existing accounts by their keys.
type acctIndex struct {
	byCRM    map[string]int64
	byDomain map[string][]int64
	byName   map[string][]int64
	crmOf    map[int64]string
	nameOf   map[int64]string
}

func loadAcctIndex(ctx context.Context, q queryer) (*acctIndex, error) {
	x := &acctIndex{byCRM: map[string]int64{}, byDomain: map[string][]int64{}, byName: map[string][]int64{},
		crmOf: map[int64]string{}, nameOf: map[int64]string{}}
	rows, err := q.QueryContext(ctx, "SELECT id, coalesce(crm_id, ''), domain, name FROM accounts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var crm, dom, name string
		if err := rows.Scan(&id, &crm, &dom, &name); err != nil {
			return nil, err
		}
		x.add(id, crm, dom, name)
	}
	return x, rows.Err()
}

func (x *acctIndex) add(id int64, crm, dom, name string) {
	if crm != "" {
		x.byCRM[crm] = id
		x.crmOf[id] = crm
	}
	if dom != "" {
		d := strings.ToLower(dom)
		x.byDomain[d] = append(x.byDomain[d], id)
	}
	n := strings.ToLower(name)
	x.byName[n] = append(x.byName[n], id)
	x.nameOf[id] = name
}

// find matches by CRM id, then domain (among accounts without a CRM id or
// with this one), then exact name (case-insensitive) when the row has
// neither key. 0: no match.
func (x *acctIndex) find(crm, dom, name string) (int64, error) {
	if crm != "" {
		if id, ok := x.byCRM[crm]; ok {
			return id, nil
		}
	}
	if dom != "" {
		if len(x.byDomain) == 0 {
			return 0, nil // a new book: nothing to lower-case the domain for
		}
		var ids []int64
		for _, id := range x.byDomain[strings.ToLower(dom)] {
			if c := x.crmOf[id]; c == "" || crm == "" {
				ids = append(ids, id)
			}
		}
		return one(ids, fmt.Sprintf("domain %q", dom), "crm_id")
	}
	if crm == "" && name != "" && len(x.byName) > 0 {
		return one(x.byName[strings.ToLower(name)], fmt.Sprintf("name %q", name), "domain or crm_id")
	}
	return 0, nil
}

func one(ids []int64, what, tell string) (int64, error) {
	switch len(ids) {
	case 0:
		return 0, nil
	case 1:
		return ids[0], nil
	}
	s := make([]string, 0, 3)
	for _, id := range ids[:min(len(ids), 3)] {
		s = append(s, strconv.FormatInt(id, 10))
	}
	more := ""
	if len(ids) > 3 {
		more = "…"
	}
	return 0, fmt.Errorf("%s matches %d accounts (ids %s%s): add a %s column to tell them apart", what, len(ids), strings.Join(s, ", "), more, tell)
}

// keep takes a row that survived its checks: in the first pass its keys
// are noted (a later row with one of them replaces it); a row no later one
// replaced (in the first pass, none is known to be) is counted, listed and,
// when writing, written.
func (p *importPlan) keep(it *planItem) error {
	if !p.again && p.seen != nil {
		for _, k := range it.keys {
			h := maphash.String(p.seed, k)
			if _, ok := p.seen[h]; ok || len(p.seen) >= keyHashMax {
				return errKeyAgain
			}
			p.seen[h] = struct{}{}
		}
	} else if !p.again {
		for pos, k := range it.keys {
			p.keys = append(p.keys, k, it.line, pos)
		}
		if len(p.keys) >= 3*keysPerInsert {
			if err := p.flushKeys(); err != nil {
				return err
			}
		}
	}
	if p.dropped.has(it.line) {
		return nil
	}
	rep := p.rep
	switch {
	case it.id == 0:
		rep.Added++
	case len(it.changes) > 0:
		rep.Updated++
	default:
		rep.Unchanged++
		return nil
	}
	if len(rep.Changes) >= model.ImportListMax {
		rep.ChangesOmitted++
	} else if it.id == 0 {
		if it.label == "" { // a new account's, worked out only when listed
			it.label = accountLabel(it.account)
		}
		rep.Changes = append(rep.Changes, model.ImportChange{Line: it.line, Action: "add", Label: it.label})
	} else {
		rep.Changes = append(rep.Changes, model.ImportChange{Line: it.line, Action: "update", ID: it.id, Label: it.label, Fields: it.changes})
	}
	if p.l == nil || p.held != nil {
		return nil
	}
	if p.seen != nil {
		if it.id == 0 {
			if p.adds = append(p.adds, newRow{it.line, it.account, it.contact}); len(p.adds) == rowsPerInsert {
				return p.flushAdds()
			}
			return nil
		}
		if err := p.flushAdds(); err != nil || p.held != nil {
			return err
		}
	}
	return p.writeRow(it)
}

// writeRow writes one row; a broken constraint in the first pass is held
// (see keep).
func (p *importPlan) writeRow(it *planItem) error {
	if err := p.write(it); err != nil {
		err = &rowError{line: it.line, err: err}
		var se *sqlite.Error
		if !p.again && errors.As(err, &se) && se.Code()&0xff == sqliteConstraint {
			// Two rows of the file with one CRM id: a later row replaces
			// an earlier, which the first pass cannot know yet. Write no
			// more; if no row turns out replaced, this is the error.
			p.held = err
			return nil
		}
		return err
	}
	return nil
}

// rowError is the write of a row the book refused, with the row's line.
type rowError struct {
	line int
	err  error
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *rowError) Unwrap() error { return e.err }

// explain words a refused row for the person importing: the line, what
// the book said, what to do. mapped is the error the transaction ended
// with (storage's mapping of it: a conflict, the disk full…), whose kind
// it keeps.
func (e *rowError) explain(op string, mapped error) error {
	var se *sqlite.Error
	if !errors.As(e.err, &se) || se.Code()&0xff != sqliteConstraint {
		return fmt.Errorf("%s: line %d: nothing was imported: %w", op, e.line, mapped)
	}
	msg := firstLine(se.Error())
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") && strings.Trim(msg[i+2:len(msg)-1], "0123456789") == "" {
		msg = msg[:i] // SQLite's extended code, which says nothing to a person
	}
	return fmt.Errorf("%s: line %d: %w: the book refused the row (%s): correct or remove that line and import again; nothing was imported",
		op, e.line, model.ErrConflict, msg)
}

// keyText turns an internal key ("domain\x00acme.com") into words.
func keyText(k string) string {
	kind, v, _ := strings.Cut(k, "\x00")
	switch kind {
	case "id":
		return "the same record (id " + v + ")"
	case "name":
		_, n, _ := strings.Cut(v, "\x00")
		return fmt.Sprintf("name %q", n)
	}
	return fmt.Sprintf("%s %q", kind, v)
}

func key(kind, v string) string { return kind + "\x00" + v }

// account plans one row of an accounts file.
func (p *importPlan) account(r csvio.AccountRecord) error {
	a := r.Account
	id, err := p.accts.find(a.CRMID, a.Domain, a.Name)
	if err != nil {
		p.fail(r.Line, "", err)
		return nil
	}
	it := &planItem{line: r.Line, id: id}
	if id != 0 {
		it.keys = append(it.keys, key("id", strconv.FormatInt(id, 10)))
	}
	if a.CRMID != "" {
		it.keys = append(it.keys, key("crm_id", a.CRMID))
	}
	if a.Domain != "" {
		it.keys = append(it.keys, key("domain", a.Domain))
	}
	if a.CRMID == "" && a.Domain == "" {
		it.keys = append(it.keys, key("name", "\x00"+strings.ToLower(a.Name)))
	}
	if id == 0 {
		if a.Name == "" {
			a.Name = a.Domain
		}
		if a.Name == "" {
			p.fail(r.Line, "name", errors.New("a new account needs a name or a domain"))
			return nil
		}
		a.UpdatedAt = p.req.Now
		it.account = a
		return p.keep(it)
	}
	old, err := p.db.account(p.ctx, p.q, id)
	if err != nil {
		return err
	}
	merged := old
	for _, f := range model.ImportFields(model.KindAccounts) {
		if !r.Present.Has(f) {
			continue
		}
		setAccountField(&merged, a, f)
		if o, n := accountValue(old, f), accountValue(merged, f); o != n {
			it.changes = append(it.changes, model.FieldChange{Field: f, Old: o, New: n})
		}
	}
	it.account, it.label = merged, accountLabel(old)
	return p.keep(it)
}

func accountLabel(a model.Account) string {
	if a.Domain != "" && a.Domain != a.Name {
		return fmt.Sprintf("%s (%s)", a.Name, a.Domain)
	}
	return a.Name
}

func setAccountField(dst *model.Account, src model.Account, f string) {
	switch f {
	case "crm_id":
		dst.CRMID = src.CRMID
	case "name":
		dst.Name = src.Name
	case "domain":
		dst.Domain = src.Domain
	case "industry":
		dst.Industry = src.Industry
	case "employees":
		dst.Employees = src.Employees
	case "annual_revenue":
		dst.AnnualRevenue = src.AnnualRevenue
	case "country":
		dst.Country = src.Country
	case "region":
		dst.Region = src.Region
	case "city":
		dst.City = src.City
	case "time_zone":
		dst.TimeZone = src.TimeZone
	case "technologies":
		dst.Technologies = src.Technologies
	case "owner":
		dst.Owner = src.Owner
	case "status":
		dst.Status = src.Status
	case "crm_tier":
		dst.CRMTier = src.CRMTier
	case "do_not_contact":
		dst.DoNotContact = src.DoNotContact
	case "crm_url":
		dst.CRMURL = src.CRMURL
	}
}

// accountValue is a field as text: what dry runs show and exports write.
func accountValue(a model.Account, f string) string {
	switch f {
	case "crm_id":
		return a.CRMID
	case "name":
		return a.Name
	case "domain":
		return a.Domain
	case "industry":
		return a.Industry
	case "employees":
		return intText(a.Employees)
	case "annual_revenue":
		return intText(a.AnnualRevenue)
	case "country":
		return a.Country
	case "region":
		return a.Region
	case "city":
		return a.City
	case "time_zone":
		return a.TimeZone
	case "technologies":
		return strings.Join(a.Technologies, "; ")
	case "owner":
		return a.Owner
	case "status":
		return string(a.Status)
	case "crm_tier":
		return a.CRMTier
	case "do_not_contact":
		return strconv.FormatBool(a.DoNotContact)
	case "crm_url":
		return a.CRMURL
	}
	return ""
}

func intText(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// contact plans one row of a contacts file.
func (p *importPlan) contact(r csvio.ContactRecord) error {
	c := r.Contact
	acct, err := p.contactAccount(r)
	if err != nil {
		p.fail(r.Line, "account", err)
		return nil
	}
	id, err := p.cx.find(c.CRMID, c.Email, acct, c.Name())
	if err != nil {
		p.fail(r.Line, "", err)
		return nil
	}
	it := &planItem{line: r.Line, id: id}
	if id != 0 {
		it.keys = append(it.keys, key("id", strconv.FormatInt(id, 10)))
	}
	if c.CRMID != "" {
		it.keys = append(it.keys, key("crm_id", c.CRMID))
	}
	if c.Email != "" {
		it.keys = append(it.keys, key("email", strings.ToLower(c.Email)))
	}
	if c.CRMID == "" && c.Email == "" {
		it.keys = append(it.keys, key("name", strconv.FormatInt(acct, 10)+"\x00"+c.Name()))
	}
	if id == 0 {
		if acct == 0 {
			p.fail(r.Line, "account", errors.New("a new contact needs its company: add a Company column (or account_crm_id, account_domain)"))
			return nil
		}
		if c.Name() == "" && c.Email == "" {
			p.fail(r.Line, "name", errors.New("a new contact needs a name or an email"))
			return nil
		}
		c.AccountID, c.UpdatedAt = acct, p.req.Now
		it.contact, it.label = c, p.contactLabel(c)
		return p.keep(it)
	}
	old, err := p.db.contact(p.ctx, p.q, id)
	if err != nil {
		return err
	}
	merged := old
	for _, f := range model.ImportFields(model.KindContacts) {
		if !r.Present.Has(f) {
			continue
		}
		setContactField(&merged, c, f)
	}
	if acct != 0 && acct != old.AccountID {
		merged.AccountID, it.fromAcct = acct, old.AccountID
	}
	if merged.Phone != old.Phone && !r.Present.Has("phone_bad") {
		merged.PhoneBad = false // a new number is not known to be wrong
	}
	if merged.Title != old.Title {
		// A new title: derive the role again, unless the row gives it.
		if !r.Present.Has("persona") {
			merged.Persona = model.PersonaUnknown
		}
		if !r.Present.Has("seniority") {
			merged.Seniority = model.SeniorityUnknown
		}
		classify(p.db.opts.Profile, &merged)
	}
	for _, f := range contactDiffFields {
		if o, n := p.contactValue(old, f), p.contactValue(merged, f); o != n {
			it.changes = append(it.changes, model.FieldChange{Field: f, Old: o, New: n})
		}
	}
	it.contact, it.label = merged, p.contactLabel(old)
	return p.keep(it)
}

// contactDiffFields are the fields a contact import can change, in the
// order a dry run shows them.
var contactDiffFields = []string{"crm_id", "first_name", "last_name", "title", "persona", "seniority", "email",
	"phone", "phone_bad", "linkedin_url", "time_zone", "account", "email_opt_out", "do_not_call", "linkedin_opt_out"}

// contactAccount resolves the company a contact row names to an account id
// (negative: one this import creates); 0 when the row names none.
func (p *importPlan) contactAccount(r csvio.ContactRecord) (int64, error) {
	if r.AccountCRMID == "" && r.AccountDomain == "" && r.Account == "" {
		return 0, nil
	}
	// CRM id, then domain, then the name, whichever the row gives.
	id, err := p.accts.find(r.AccountCRMID, r.AccountDomain, "")
	if err == nil && id == 0 && r.Account != "" {
		id, err = one(p.accts.byName[strings.ToLower(r.Account)], fmt.Sprintf("company %q", r.Account), "account_domain or account_crm_id")
	}
	if err != nil || id != 0 {
		return id, err
	}
	// Not in the book. The same company may be named again further down.
	var keys []string
	if r.AccountCRMID != "" {
		keys = append(keys, key("crm_id", r.AccountCRMID))
	}
	if r.AccountDomain != "" {
		keys = append(keys, key("domain", r.AccountDomain))
	}
	if r.Account != "" {
		keys = append(keys, key("name", strings.ToLower(r.Account)))
	}
	for _, k := range keys {
		if id, ok := p.newAcctIdx[k]; ok {
			return id, nil
		}
	}
	what := r.Account
	if what == "" {
		what = r.AccountDomain
	}
	if what == "" {
		what = "CRM id " + r.AccountCRMID
	}
	if !p.req.CreateAccounts {
		return 0, fmt.Errorf("no account matches %q: import the accounts first, or pass --create-accounts", what)
	}
	name := r.Account
	if name == "" {
		name = r.AccountDomain
	}
	if name == "" {
		return 0, fmt.Errorf("no account matches %q, and a new account needs a name: add a Company column", what)
	}
	p.newAccts = append(p.newAccts, model.Account{CRMID: r.AccountCRMID, Name: name, Domain: r.AccountDomain, UpdatedAt: p.req.Now})
	id = -int64(len(p.newAccts))
	if p.l != nil && p.held == nil {
		real, err := p.l.Account(p.newAccts[len(p.newAccts)-1])
		if err != nil {
			return 0, fmt.Errorf("add account %q: %w", name, err)
		}
		p.real = append(p.real, real)
	}
	if p.newAcctIdx == nil {
		p.newAcctIdx = map[string]int64{}
	}
	for _, k := range keys {
		p.newAcctIdx[k] = id
	}
	return id, nil
}

func (p *importPlan) accountName(id int64) string {
	if id < 0 {
		return p.newAccts[-id-1].Name
	}
	return p.accts.nameOf[id]
}

func (p *importPlan) contactLabel(c model.Contact) string {
	who := c.Name()
	if who == "" {
		who = c.Email
	}
	if n := p.accountName(c.AccountID); n != "" {
		return who + " at " + n
	}
	return who
}

func setContactField(dst *model.Contact, src model.Contact, f string) {
	switch f {
	case "crm_id":
		dst.CRMID = src.CRMID
	case "first_name":
		dst.FirstName = src.FirstName
	case "last_name":
		dst.LastName = src.LastName
	case "title":
		dst.Title = src.Title
	case "persona":
		dst.Persona = src.Persona
	case "seniority":
		dst.Seniority = src.Seniority
	case "email":
		dst.Email = src.Email
	case "phone":
		dst.Phone = src.Phone
	case "phone_bad":
		dst.PhoneBad = src.PhoneBad
	case "linkedin_url":
		dst.LinkedInURL = src.LinkedInURL
	case "time_zone":
		dst.TimeZone = src.TimeZone
	case "email_opt_out":
		if !dst.Consent.Email.OptedOut() {
			dst.Consent.Email = src.Consent.Email
		}
	case "do_not_call":
		if !dst.Consent.Call.OptedOut() {
			dst.Consent.Call = src.Consent.Call
		}
	case "linkedin_opt_out":
		if !dst.Consent.LinkedIn.OptedOut() {
			dst.Consent.LinkedIn = src.Consent.LinkedIn
		}
	}
}

// contactValue is a field as text: what dry runs show and exports write.
func (p *importPlan) contactValue(c model.Contact, f string) string {
	switch f {
	case "account":
		return p.accountName(c.AccountID)
	}
	return contactValue(c, f)
}

func contactValue(c model.Contact, f string) string {
	switch f {
	case "crm_id":
		return c.CRMID
	case "first_name":
		return c.FirstName
	case "last_name":
		return c.LastName
	case "title":
		return c.Title
	case "persona":
		return string(c.Persona)
	case "seniority":
		return string(c.Seniority)
	case "email":
		return c.Email
	case "phone":
		return c.Phone
	case "phone_bad":
		return strconv.FormatBool(c.PhoneBad)
	case "linkedin_url":
		return c.LinkedInURL
	case "time_zone":
		return c.TimeZone
	case "email_opt_out":
		return strconv.FormatBool(c.Consent.Email.OptedOut())
	case "do_not_call":
		return strconv.FormatBool(c.Consent.Call.OptedOut())
	case "linkedin_opt_out":
		return strconv.FormatBool(c.Consent.LinkedIn.OptedOut())
	}
	return ""
}

// contactIndex finds existing contacts by their keys.
type contactIndex struct {
	byCRM   map[string]int64
	byEmail map[string][]int64
	byName  map[string][]int64 // account id + lower-case full name
}

func loadContactIndex(ctx context.Context, q queryer) (*contactIndex, error) {
	x := &contactIndex{byCRM: map[string]int64{}, byEmail: map[string][]int64{}, byName: map[string][]int64{}}
	rows, err := q.QueryContext(ctx, "SELECT id, coalesce(crm_id, ''), email, account_id, first_name, last_name FROM contacts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, acct int64
		var crm, mail, first, last string
		if err := rows.Scan(&id, &crm, &mail, &acct, &first, &last); err != nil {
			return nil, err
		}
		if crm != "" {
			x.byCRM[crm] = id
		}
		if mail != "" {
			m := strings.ToLower(mail)
			x.byEmail[m] = append(x.byEmail[m], id)
		}
		k := nameKey(acct, model.Contact{FirstName: first, LastName: last}.Name())
		x.byName[k] = append(x.byName[k], id)
	}
	return x, rows.Err()
}

func nameKey(acct int64, name string) string {
	return strconv.FormatInt(acct, 10) + "\x00" + strings.ToLower(name)
}

// find matches by CRM id, then email, then the full name at the account
// when the row has neither key. 0: no match.
func (x *contactIndex) find(crm, mail string, acct int64, name string) (int64, error) {
	if crm != "" {
		if id, ok := x.byCRM[crm]; ok {
			return id, nil
		}
	}
	if mail != "" {
		ids := x.byEmail[strings.ToLower(mail)]
		if len(ids) > 1 {
			return 0, fmt.Errorf("email %q matches %d contacts: add a crm_id column to tell them apart", mail, len(ids))
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
		return 0, nil
	}
	if crm == "" && acct > 0 && name != "" {
		ids := x.byName[nameKey(acct, name)]
		if len(ids) > 1 {
			return 0, fmt.Errorf("%q matches %d contacts at that account: add an email or crm_id column", name, len(ids))
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	return 0, nil
}

// write writes one row through the Loader's transaction.
func (p *importPlan) write(it *planItem) error {
	l := p.l
	switch p.req.Kind {
	case model.KindAccounts:
		if it.id == 0 {
			_, err := l.Account(it.account)
			return err
		}
		return p.updateAccount(p.ctx, l.tx, it)
	default:
		if it.contact.AccountID < 0 {
			it.contact.AccountID = p.real[-it.contact.AccountID-1]
		}
		if it.id == 0 {
			_, err := l.Contact(it.contact)
			return err
		}
		return p.updateContact(p.ctx, l.tx, it)
	}
}

func (p *importPlan) updateAccount(ctx context.Context, tx *sql.Tx, it *planItem) error {
	a := it.account
	fit, tier := p.db.opts.Profile.Rate(a)
	f := model.Fit{Score: fit, Tier: tier}
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET crm_id = ?, name = ?, domain = ?, industry = ?, employees = ?,
		annual_revenue = ?, country = ?, region = ?, city = ?, time_zone = ?, technologies = ?, owner = ?, status = ?,
		crm_tier = ?, do_not_contact = ?, crm_url = ?, fit = ?, tier = ?, suggest_rank = ?, updated_at = ? WHERE id = ?`,
		nullStr(a.CRMID), a.Name, a.Domain, a.Industry, nullInt(a.Employees), nullInt(a.AnnualRevenue), a.Country,
		a.Region, a.City, a.TimeZone, techJSON(a.Technologies), a.Owner, string(a.Status), a.CRMTier,
		b2i(a.DoNotContact), a.CRMURL, f.Score, string(f.Tier), p.db.suggestRank(f.Tier, f.Score), ms(p.req.Now), it.id)
	if err != nil {
		return fmt.Errorf("update account %d: %w", it.id, err)
	}
	if f.Score == a.Fit && f.Tier == a.Tier {
		return nil
	}
	// The account's open tasks rank by its tier and fit.
	r := p.db.ranker
	_, err = tx.ExecContext(ctx, `UPDATE tasks SET base_rank = CASE priority WHEN 'low' THEN ? WHEN 'high' THEN ? ELSE ? END
		WHERE account_id = ? AND status IN ('open', 'snoozed')`,
		r.BaseRank(f.Tier, f.Score, model.PriorityLow), r.BaseRank(f.Tier, f.Score, model.PriorityHigh),
		r.BaseRank(f.Tier, f.Score, model.PriorityMedium), it.id)
	if err != nil {
		return fmt.Errorf("rerank tasks of account %d: %w", it.id, err)
	}
	return nil
}

func (p *importPlan) updateContact(ctx context.Context, tx *sql.Tx, it *planItem) error {
	c := it.contact
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET crm_id = ?, account_id = ?, first_name = ?, last_name = ?,
		title = ?, persona = ?, seniority = ?, level = ?, email = ?, phone = ?, phone_bad = ?, linkedin_url = ?,
		time_zone = ?, consent_call = ?, consent_call_source = ?, consent_call_at = ?,
		consent_email = ?, consent_email_source = ?, consent_email_at = ?,
		consent_linkedin = ?, consent_linkedin_source = ?, consent_linkedin_at = ?, updated_at = ? WHERE id = ?`,
		nullStr(c.CRMID), c.AccountID, c.FirstName, c.LastName, c.Title, string(c.Persona), string(c.Seniority),
		p.db.opts.Profile.ContactLevel(c), c.Email, c.Phone, b2i(c.PhoneBad), c.LinkedInURL, c.TimeZone,
		consentState(c.Consent.Call), c.Consent.Call.Source, ms(c.Consent.Call.At),
		consentState(c.Consent.Email), c.Consent.Email.Source, ms(c.Consent.Email.At),
		consentState(c.Consent.LinkedIn), c.Consent.LinkedIn.Source, ms(c.Consent.LinkedIn.At),
		ms(p.req.Now), it.id)
	if err != nil {
		return fmt.Errorf("update contact %d: %w", it.id, err)
	}
	if it.fromAcct == 0 {
		return nil
	}
	// The contact moved company: its open tasks go with it and rank by the
	// new account; its history stays where it happened.
	tier, fit, err := tierFit(ctx, tx, c.AccountID)
	if err != nil {
		return fmt.Errorf("move tasks of contact %d: %w", it.id, err)
	}
	r := p.db.ranker
	_, err = tx.ExecContext(ctx, `UPDATE tasks SET account_id = ?,
		base_rank = CASE priority WHEN 'low' THEN ? WHEN 'high' THEN ? ELSE ? END
		WHERE contact_id = ? AND status IN ('open', 'snoozed')`, c.AccountID,
		r.BaseRank(tier, fit, model.PriorityLow), r.BaseRank(tier, fit, model.PriorityHigh),
		r.BaseRank(tier, fit, model.PriorityMedium), it.id)
	if err != nil {
		return fmt.Errorf("move tasks of contact %d: %w", it.id, err)
	}
	return nil
}
