package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// suggestRank is the clock-free part of a suggested row's rank (tier and
// fit; suggestions carry no priority), summed as Ranker.Rank sums it, so the
// worklist can scan stale accounts best first from an index.
func (db *DB) suggestRank(tier model.Tier, fit int) float64 {
	co := db.opts.Settings.Coefficients
	if tier == "" {
		tier = model.TierD
	}
	fit = min(max(fit, 0), 100)
	var b float64
	for _, v := range []float64{co.Tier[tier], co.Fit * float64(fit) / 100} {
		b += v
	}
	return b
}

// Rescore re-scores every account with the store's profile, refreshes each
// contact's level and every task's base rank, and records the profile's hash,
// all in one transaction. It returns how many accounts changed fit or tier.
//
// Stages whose inputs did not change are skipped: contact levels when the
// persona × seniority → level table is the one they were written with, and
// the tasks of unchanged accounts when the rank coefficients are. Every
// other write keeps levels and base ranks current as it goes, so the table
// and coefficient hashes in meta are all it takes to know.
func (db *DB) Rescore(ctx context.Context) (int, error) {
	hash, err := profileHash(db.opts.Profile, db.opts.Settings.Coefficients)
	if err != nil {
		return 0, err
	}
	levels, levelsHash := db.levelTable()
	ranksHash, err := coefficientsHash(db.opts.Settings.Coefficients)
	if err != nil {
		return 0, err
	}
	changed := 0
	err = db.withTx(ctx, "rescore accounts", func(tx *sql.Tx) error {
		restore, err := bigCache(ctx, tx)
		if err != nil {
			return err
		}
		defer restore() // the connection keeps its usual caches
		n, total, err := db.rescoreAccounts(ctx, tx)
		if err != nil {
			return err
		}
		// The tasks pass rewrites a table and an index about half the
		// accounts' size: with the usual 2 MiB cache it spills dirty pages
		// to the WAL and reads them back; the accounts pass's whole cache
		// costs more to fill and free than it saves (measured).
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA main.cache_size = %d", -rerankCache)); err != nil {
			return fmt.Errorf("set cache size: %w", err)
		}
		changed = n
		if stored, err := readMeta(ctx, tx, metaLevelsHash); err != nil {
			return err
		} else if stored != levelsHash {
			if err := rescoreContacts(ctx, tx, levels); err != nil {
				return err
			}
		}
		stored, err := readMeta(ctx, tx, metaRanksHash)
		if err != nil {
			return err
		}
		if err := db.rerankTasks(ctx, tx, n*4 >= total, stored == ranksHash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM temp.rescored"); err != nil {
			return err
		}
		for k, v := range map[string]string{metaProfileHash: hash, metaLevelsHash: levelsHash, metaRanksHash: ranksHash} {
			if err := setMeta(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// Meta keys of what stored levels and base ranks were computed with.
const (
	metaLevelsHash = "levels_hash"
	metaRanksHash  = "ranks_hash"
)

// levelTable is every persona × seniority pair's contact level under the
// store's profile, and a short text naming the whole table.
func (db *DB) levelTable() ([]levelRule, string) {
	var rules []levelRule
	var b strings.Builder
	for _, p := range model.Personas {
		for _, s := range model.Seniorities {
			lvl := db.opts.Profile.ContactLevel(model.Contact{Persona: p, Seniority: s})
			rules = append(rules, levelRule{p, s, lvl})
			fmt.Fprintf(&b, "%s/%s=%d;", p, s, lvl)
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return rules, hex.EncodeToString(sum[:])
}

// levelRule is one row of the level table.
type levelRule struct {
	persona   model.Persona
	seniority model.Seniority
	level     int
}

// coefficientsHash names the rank coefficients base ranks were computed with.
func coefficientsHash(co model.Coefficients) (string, error) {
	b, err := json.Marshal(co)
	if err != nil {
		return "", fmt.Errorf("hash rank coefficients: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// rescoreCache is the page cache, in KiB, a rescore asks for while it runs:
// the default 2 MiB thrashes on a 100,000-account book (every page is read
// twice over from the WAL) while the whole accounts table and its indexes
// fit in this. The sorters that rebuild indexes size their runs from it too.
const rescoreCache = 256 << 10

// rerankCache is the page cache, in KiB, for the contacts and tasks passes.
const rerankCache = 64 << 10

// rescoreTempCache is the temporary database's cache, in KiB, during a
// rescore: the rescored table of a whole book stays in memory.
const rescoreTempCache = 32 << 10

// bigCache raises the main and temporary databases' page caches for the
// accounts pass and returns a function that puts them back.
func bigCache(ctx context.Context, tx *sql.Tx) (func(), error) {
	var main, temp int64
	if err := tx.QueryRowContext(ctx, "PRAGMA main.cache_size").Scan(&main); err != nil {
		return nil, fmt.Errorf("read cache size: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA temp.cache_size").Scan(&temp); err != nil {
		return nil, fmt.Errorf("read temp cache size: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA main.cache_size = %d", -rescoreCache)); err != nil {
		return nil, fmt.Errorf("raise cache size: %w", err)
	}
	restore := func() {
		bg := context.WithoutCancel(ctx)
		tx.ExecContext(bg, fmt.Sprintf("PRAGMA main.cache_size = %d", main))
		tx.ExecContext(bg, fmt.Sprintf("PRAGMA temp.cache_size = %d", temp))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA temp.cache_size = %d", -rescoreTempCache)); err != nil {
		restore()
		return nil, fmt.Errorf("raise temp cache size: %w", err)
	}
	return restore, nil
}

// rescoreAccounts re-scores every account inside SQLite, with Rate called
// from SQL (shortlist_rate) on the columns it looks at, notes the ones whose
// fit, tier or suggest rank changed in a temporary table, and writes them
// with one UPDATE from it. Rows never cross into Go: reading each through
// database/sql and inserting the changed ones back cost more than rating
// them. It returns how many changed and how many there are.
func (db *DB) rescoreAccounts(ctx context.Context, tx *sql.Tx) (changed, total int, err error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS rescored(
		id INTEGER PRIMARY KEY, fit INTEGER, tier TEXT, suggest REAL)`); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM temp.rescored"); err != nil {
		return 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&total); err != nil {
		return 0, 0, err
	}
	// Every fit and tier Rate can give (fit 0–100: weights are not
	// negative) with its suggest rank, so the statement below looks one up
	// by shortlist_rate's code instead of decoding it row by row.
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS fits(
		code INTEGER PRIMARY KEY, fit INTEGER, tier TEXT, suggest REAL)`); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM temp.fits"); err != nil {
		return 0, 0, err
	}
	var codes []any
	for fit := 0; fit <= 100; fit++ {
		for place, t := range []model.Tier{model.TierA, model.TierB, model.TierC, model.TierD} {
			codes = append(codes, fit*4+place, fit, string(t), db.suggestRank(t, fit))
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO temp.fits VALUES"+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(codes)/4), ", "), codes...); err != nil {
		return 0, 0, fmt.Errorf("note fits: %w", err)
	}
	key, done := ratingWith(db.opts.Profile)
	defer done()
	// CROSS JOIN keeps accounts the outer loop: shortlist_rate runs once
	// per account, its code the key of one lookup.
	res, err := tx.ExecContext(ctx, `INSERT INTO temp.rescored SELECT a.id, f.fit, f.tier, f.suggest
		FROM accounts a CROSS JOIN temp.fits f
		ON f.code = shortlist_rate(?, a.id, a.industry, a.employees, a.annual_revenue, a.country, a.region, a.technologies)
		WHERE (f.fit, f.tier, f.suggest) IS NOT (a.fit, a.tier, a.suggest_rank)`, key)
	if err != nil {
		return 0, 0, fmt.Errorf("rate accounts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, 0, err
	}
	changed = int(n)
	if changed == 0 {
		return 0, total, nil
	}
	err = withoutIndexes(ctx, tx, "accounts", changed*4 >= total, []string{"fit", "tier", "suggest_rank"}, func() error {
		// A correlated row value, not UPDATE … FROM: the FROM form joins
		// into a materialized result first and costs a quarter more.
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET (fit, tier, suggest_rank) =
			(SELECT r.fit, r.tier, r.suggest FROM temp.rescored r WHERE r.id = accounts.id)
			WHERE id IN (SELECT id FROM temp.rescored)`)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	// temp.rescored stays for rerankTasks; Rescore empties it.
	return changed, total, nil
}

// parseTech decodes the stored technologies, a JSON array of strings as
// techJSON writes it, without encoding/json's reflection for the common
// case of names with nothing escaped; anything else goes to encoding/json.
func parseTech(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	if inner, ok := strings.CutPrefix(s, `["`); ok && !strings.ContainsRune(s, '\\') {
		if inner, ok = strings.CutSuffix(inner, `"]`); ok {
			out := strings.Split(inner, `","`)
			if !slices.ContainsFunc(out, func(t string) bool { return strings.ContainsRune(t, '"') }) {
				return out, nil
			}
		}
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// withoutIndexes runs update with the table's indexes on cols (nil: all
// but unique ones) dropped, then
// builds them again from their stored definitions, when many says update is
// about to rewrite a large share (a quarter or more) of the table's rows:
// moving 100,000 entries one by one through a b-tree costs several times
// what sorting them into a new index does. Fewer rows are updated in place.
func withoutIndexes(ctx context.Context, tx *sql.Tx, table string, many bool, cols []string, update func() error) error {
	if !many {
		return update()
	}
	idx, err := indexesOn(ctx, tx, table, cols)
	if err != nil {
		return err
	}
	for name := range idx {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+quoteIdent(name)); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	if err := update(); err != nil {
		return err
	}
	for name, def := range idx {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("rebuild index %s: %w", name, err)
		}
	}
	return nil
}

// indexesOn returns the definitions, by name, of the table's explicit
// indexes that cover any of cols (key or partial-index columns alike), or
// of all but the unique ones when cols is nil.
func indexesOn(ctx context.Context, tx *sql.Tx, table string, cols []string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table)
	if err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		defs[name] = def
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, def := range defs {
		// index_xinfo names the key columns; a partial index's WHERE can
		// read others, so its text is checked too (over-matching only
		// rebuilds an index that did not need it).
		if cols == nil {
			// All but unique ones: a row that breaks one must fail as
			// it is written, naming itself, not when the index is built.
			if !strings.HasPrefix(strings.ToUpper(def), "CREATE UNIQUE") {
				out[name] = def
			}
			continue
		}
		hit := false
		xr, err := tx.QueryContext(ctx, "SELECT coalesce(name, '') FROM pragma_index_xinfo(?)", name)
		if err != nil {
			return nil, err
		}
		for xr.Next() {
			var col string
			if err := xr.Scan(&col); err != nil {
				xr.Close()
				return nil, err
			}
			hit = hit || slices.Contains(cols, col)
		}
		if err := xr.Close(); err != nil {
			return nil, err
		}
		if where := strings.Index(strings.ToUpper(def), " WHERE "); where >= 0 {
			for _, c := range cols {
				hit = hit || strings.Contains(def[where:], c)
			}
		}
		if hit {
			out[name] = def
		}
	}
	return out, nil
}

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// rescoreContacts writes contact levels from the level table in one pass.
func rescoreContacts(ctx context.Context, tx *sql.Tx, levels []levelRule) error {
	expr := "CASE"
	var args []any
	for _, r := range levels {
		expr += " WHEN persona = ? AND seniority = ? THEN ?"
		args = append(args, string(r.persona), string(r.seniority), r.level)
	}
	expr += " ELSE 0 END"
	all := append(append([]any{}, args...), args...)
	_, err := tx.ExecContext(ctx, "UPDATE contacts SET level = "+expr+" WHERE level <> ("+expr+")", all...)
	return err
}

// rerankTasks recomputes base_rank for open and snoozed tasks from a small
// table of every (tier, fit, priority) combination. When the coefficients
// are the ones the stored ranks were computed with (sameCoefficients), only
// the tasks of accounts in temp.rescored can have moved.
func (db *DB) rerankTasks(ctx context.Context, tx *sql.Tx, many, sameCoefficients bool) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS base_ranks(
		tier TEXT, fit INTEGER, priority TEXT, base REAL, PRIMARY KEY(tier, fit, priority)) WITHOUT ROWID`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM temp.base_ranks"); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO temp.base_ranks VALUES(?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer st.Close()
	for _, t := range model.Tiers {
		for fit := 0; fit <= 100; fit++ {
			for _, p := range []model.Priority{model.PriorityLow, model.PriorityMedium, model.PriorityHigh} {
				if _, err := st.ExecContext(ctx, string(t), fit, string(p), db.ranker.BaseRank(t, fit, p)); err != nil {
					return err
				}
			}
		}
	}
	update := `UPDATE tasks SET base_rank = r.base FROM accounts a, temp.base_ranks r
		WHERE tasks.status IN ('open', 'snoozed') AND a.id = tasks.account_id
		  AND r.tier = a.tier AND r.fit = a.fit AND r.priority = tasks.priority
		  AND tasks.base_rank <> r.base`
	if sameCoefficients {
		update = `UPDATE tasks SET base_rank = r.base FROM temp.rescored a, temp.base_ranks r
		WHERE tasks.status IN ('open', 'snoozed') AND a.id = tasks.account_id
		  AND r.tier = a.tier AND r.fit = a.fit AND r.priority = tasks.priority
		  AND tasks.base_rank <> r.base`
	}
	return withoutIndexes(ctx, tx, "tasks", many, []string{"base_rank"}, func() error {
		_, err := tx.ExecContext(ctx, update)
		return err
	})
}

// Empty reports whether the book has no accounts.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1)").Scan(&n); err != nil {
		return false, db.mapErr("check for accounts", err)
	}
	return n == 0, nil
}

// Loader bulk-writes records in one transaction without outbox rows: for
// books that come from elsewhere (the demo generator, an import), not from
// the rep's own changes. It scores accounts, classifies contacts without a
// persona and ranks tasks as it goes.
type Loader struct {
	db    *DB
	tx    *sql.Tx
	ctx   context.Context
	acc   *sql.Stmt
	con   *sql.Stmt
	tou   *sql.Stmt
	tas   *sql.Stmt
	score map[int64]model.Fit
	// touched lists the contacts and accounts of the touches loaded: their
	// budget_at is computed once, at the end (see loadBudgets).
	touched struct{ contacts, accounts map[int64]struct{} }
}

// Load runs fn with a Loader in one transaction; any error rolls it all back.
func (db *DB) Load(ctx context.Context, fn func(l *Loader) error) error {
	return db.withTx(ctx, "load records", func(tx *sql.Tx) error {
		l := &Loader{db: db, tx: tx, ctx: ctx, score: map[int64]model.Fit{}}
		var err error
		prep := func(q string) *sql.Stmt {
			if err != nil {
				return nil
			}
			var s *sql.Stmt
			s, err = tx.PrepareContext(ctx, q)
			return s
		}
		l.acc = prep(insertOne("accounts", acctColumns))
		l.con = prep(insertOne("contacts", contactColumns))
		l.tou = prep(`INSERT INTO touches(op_id, crm_id, contact_id, account_id, channel, direction, outcome, note, at,
			duration_ns, origin, synced) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`)
		l.tas = prep(`INSERT INTO tasks(crm_id, account_id, contact_id, kind, title, due, due_has_time, priority, status,
			snoozed_until, origin, created_at, closed_at, base_rank) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer func() {
			for _, s := range []*sql.Stmt{l.acc, l.con, l.tou, l.tas} {
				s.Close()
			}
		}()
		if err := setMeta(ctx, tx, metaBudgetDeferred, "1"); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
		return l.loadBudgets()
	})
}

func consentState(c model.Consent) string {
	if c.State == "" {
		return string(model.ConsentAllowed)
	}
	return string(c.State)
}

// loaderScores bounds the fits a Loader keeps for the tasks it loads next,
// so an import of a million accounts does not keep one per account.
const loaderScores = 4096

// Account inserts an account, scored with the store's profile, and returns
// its id. Status defaults to target.
func (l *Loader) Account(a model.Account) (int64, error) {
	fit, tier := l.db.opts.Profile.Rate(a)
	f := model.Fit{Score: fit, Tier: tier}
	if a.Status == "" {
		a.Status = model.StatusTarget
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = l.db.now()
	}
	res, err := l.acc.ExecContext(l.ctx, l.db.acctArgs(nil, a)...)
	if err != nil {
		return 0, fmt.Errorf("insert account %q: %w", a.Name, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if len(l.score) >= loaderScores {
		clear(l.score) // a task of an account no longer here reads its fit back
	}
	l.score[id] = model.Fit{Score: f.Score, Tier: f.Tier}
	return id, nil
}

// Contact inserts a contact; an unknown persona or seniority is derived from
// the title.
func (l *Loader) Contact(c model.Contact) (int64, error) {
	classify(l.db.opts.Profile, &c)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = l.db.now()
	}
	res, err := l.con.ExecContext(l.ctx, l.db.contactArgs(nil, c)...)
	if err != nil {
		return 0, fmt.Errorf("insert contact %q: %w", c.Name(), err)
	}
	return res.LastInsertId()
}

// classify fills an unknown persona or seniority from the title.
func classify(p model.Profile, c *model.Contact) {
	if c.Persona != "" && c.Persona != model.PersonaUnknown && c.Seniority != "" && c.Seniority != model.SeniorityUnknown {
		return
	}
	per, sen := p.Classify(c.Title)
	if c.Persona == "" || c.Persona == model.PersonaUnknown {
		c.Persona = per
	}
	if c.Seniority == "" || c.Seniority == model.SeniorityUnknown {
		c.Seniority = sen
	}
}

// Touch inserts a touch as already synced history (no outbox row). The
// caller keeps last_touched on the contact and account current.
func (l *Loader) Touch(t model.Touch) (int64, error) {
	if t.OpID == "" {
		t.OpID = newOpID()
	}
	if t.Direction == "" {
		t.Direction = model.Outbound
	}
	if t.Origin == "" {
		t.Origin = model.OriginCRM
	}
	for m, id := range map[*map[int64]struct{}]int64{&l.touched.contacts: t.ContactID, &l.touched.accounts: t.AccountID} {
		if *m == nil {
			*m = map[int64]struct{}{}
		}
		(*m)[id] = struct{}{}
	}
	res, err := l.tou.ExecContext(l.ctx, t.OpID, nullStr(t.CRMID), t.ContactID, t.AccountID, string(t.Channel),
		string(t.Direction), string(t.Outcome), t.Note, ms(t.At), int64(t.Duration), string(t.Origin), b2i(t.Synced))
	if err != nil {
		return 0, fmt.Errorf("insert touch: %w", err)
	}
	return res.LastInsertId()
}

// Task inserts a task, ranked for the worklist.
func (l *Loader) Task(k model.Task) (int64, error) {
	f, ok := l.score[k.AccountID]
	if !ok {
		var tier string
		err := l.tx.QueryRowContext(l.ctx, "SELECT fit, tier FROM accounts WHERE id = ?", k.AccountID).Scan(&f.Score, &tier)
		if err != nil {
			return 0, fmt.Errorf("task for account %d: %w", k.AccountID, err)
		}
		f.Tier = model.Tier(tier)
	}
	if k.Priority == "" {
		k.Priority = model.PriorityMedium
	}
	if k.Status == "" {
		k.Status = model.TaskOpen
	}
	if k.Origin == "" {
		k.Origin = model.OriginCRM
	}
	k = civilDue(k)
	res, err := l.tas.ExecContext(l.ctx, nullStr(k.CRMID), k.AccountID, nullID(k.ContactID), string(k.Kind), k.Title,
		ms(k.Due), b2i(k.DueHasTime), string(k.Priority), string(k.Status), ms(k.SnoozedUntil), string(k.Origin),
		ms(k.CreatedAt), ms(k.ClosedAt), l.db.ranker.BaseRank(f.Tier, f.Score, k.Priority))
	if err != nil {
		return 0, fmt.Errorf("insert task %q: %w", k.Title, err)
	}
	return res.LastInsertId()
}
