package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// The worklist's header counts (due, overdue, suggested, held back by
// reason, left out) are read with a few grouped queries, never by ranking
// every candidate. What decides a row's count splits in three:
//
//   - what a write sets: do not contact, the consent of the task's channel,
//     a bad number, a missing address, the channels a suggestion could use.
//     The queries compute those reasons in SQL, as model.Guard orders them;
//   - touch budgets, which move with the clock: contacts.budget_at and
//     accounts.budget_at hold the time of the Nth most recent touch (N the
//     budget), kept by triggers on touches, so "held now" is budget_at
//     inside the window (migration 0007);
//   - calling hours and due dates, which depend on the clock only through
//     a zone and a day: rows are grouped by zone pair and by overdue, and
//     each zone's window is asked of the ranker once.
//
// Each group is then counted as the ranker would count each of its rows
// (tally). TestWorklistCountsMatchRanking holds them to ranking every
// candidate, on varied books, after writes and as the clock moves.

// Meta keys of the budgets contacts.budget_at and accounts.budget_at were
// computed with.
const (
	metaBudgetContact = "budget_per_contact"
	metaBudgetAccount = "budget_per_account"
	// metaBudgetDeferred marks a Loader's transaction: the triggers leave
	// budget_at to loadBudgets.
	metaBudgetDeferred = "budget_deferred"
)

// budgetAtSQL computes one row's budget_at: the time of its budget-th most
// recent touch, 0 with fewer. col is the touches column (contact_id or
// account_id), id the row's id expression. It is the triggers' expression
// of migration 0007, with the budget given.
func budgetAtSQL(col, id string, budget int) string {
	return fmt.Sprintf(`coalesce((SELECT t.at FROM touches t WHERE t.%s = %s ORDER BY t.at DESC LIMIT 1 OFFSET %d), 0)`,
		col, id, budget-1)
}

// syncBudgets recomputes contacts.budget_at and accounts.budget_at when the
// budgets in the settings are not the ones they hold (a new book, a book
// migrated to 0007, a changed [budget] setting), in one transaction. A
// read-only book keeps its columns and its counts count touches instead.
func (db *DB) syncBudgets(ctx context.Context) error {
	b := db.opts.Settings.Budget
	want := map[string]int{metaBudgetContact: b.PerContact, metaBudgetAccount: b.PerAccount}
	same := true
	for k, v := range want {
		got, err := db.meta(ctx, k)
		if err != nil {
			return err
		}
		same = same && got == strconv.Itoa(v)
	}
	if same {
		return nil
	}
	if db.readOnly != "" {
		return nil // its counts count touches (budgetsCurrent)
	}
	if db.opts.Progress != nil {
		// Seconds on a big book: say so before it starts.
		var n int64
		if err := db.sql.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM contacts").Scan(&n); err != nil {
			return db.mapErr("compute touch budgets", err)
		}
		if n >= bigBudgets {
			db.opts.Progress(Progress{Step: "computing the touch budgets", Noun: "contacts", Total: int(n), Once: true})
		}
	}
	err := db.withTx(ctx, "compute touch budgets", func(tx *sql.Tx) error {
		for k, v := range want {
			if err := setMeta(ctx, tx, k, strconv.Itoa(v)); err != nil {
				return err
			}
		}
		for _, st := range []string{
			`UPDATE contacts SET budget_at = ` + budgetAtSQL("contact_id", "contacts.id", b.PerContact) +
				` WHERE budget_at IS NOT ` + budgetAtSQL("contact_id", "contacts.id", b.PerContact),
			`UPDATE accounts SET budget_at = ` + budgetAtSQL("account_id", "accounts.id", b.PerAccount) +
				` WHERE budget_at IS NOT ` + budgetAtSQL("account_id", "accounts.id", b.PerAccount),
		} {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// loadBudgets computes budget_at for the contacts and accounts whose
// touches the Loader wrote, in one statement each, and lifts the mark that deferred it, before the load
// commits.
func (l *Loader) loadBudgets() error {
	b := l.db.opts.Settings.Budget
	for _, t := range []struct {
		table, col string
		n          int
		ids        map[int64]struct{}
	}{
		{"contacts", "contact_id", b.PerContact, l.touched.contacts},
		{"accounts", "account_id", b.PerAccount, l.touched.accounts},
	} {
		if len(t.ids) == 0 {
			continue
		}
		expr := budgetAtSQL(t.col, t.table+".id", t.n)
		st := "UPDATE " + t.table + " SET budget_at = " + expr + " WHERE budget_at IS NOT " + expr
		ids := make([]int64, 0, len(t.ids))
		for id := range t.ids {
			ids = append(ids, id)
		}
		slices.Sort(ids) // the rows in b-tree order
		list, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		st += " AND id IN (SELECT value FROM json_each(?))"
		if _, err := l.tx.ExecContext(l.ctx, st, string(list)); err != nil {
			return fmt.Errorf("compute touch budgets: %w", err)
		}
	}
	_, err := l.tx.ExecContext(l.ctx, "DELETE FROM meta WHERE key = ?", metaBudgetDeferred)
	return err
}

// bigBudgets is the number of contacts from which computing their budgets
// at Open is announced (about a second per 150,000 here).
const bigBudgets = 100_000

// sqlArgs numbers a query's parameters as they are added.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "?" + strconv.Itoa(len(*a))
}

// budgetHeld is the SQL truth of "the budget holds this contact (c) or
// account (a) back now": budget_at inside the window, or, when the columns
// hold other budgets than this store's (a read-only book, or another
// process with other settings opened it since), its touches counted.
func (s *wlScan) budgetHeld(args *sqlArgs, alias string) string {
	b := s.db.opts.Settings.Budget
	col, n := "contact_id", b.PerContact
	if alias == "a" {
		col, n = "account_id", b.PerAccount
	}
	win := args.add(s.window())
	if !s.budgetsCurrent {
		return fmt.Sprintf("(SELECT count(*) FROM touches WHERE %s = %s.id AND at >= %s) >= %d", col, alias, win, n)
	}
	return alias + ".budget_at >= " + win
}

// countAll fills s.counts: the task rows, then (unless only overdue rows
// are asked for) the suggestions, those without a contact, and the stale
// accounts left out.
func (s *wlScan) countAll(ctx context.Context) error {
	b := s.db.opts.Settings.Budget
	s.budgetsCurrent = true
	for k, v := range map[string]int{metaBudgetContact: b.PerContact, metaBudgetAccount: b.PerAccount} {
		got, err := readMeta(ctx, s.conn, k)
		if err != nil {
			return err
		}
		s.budgetsCurrent = s.budgetsCurrent && got == strconv.Itoa(v)
	}
	if err := s.countTasks(ctx); err != nil {
		return err
	}
	if s.q.Overdue {
		return nil
	}
	excluded, err := s.excludedStale(ctx)
	if err != nil {
		return err
	}
	// After this, s.counts.Suggested is every suggestion nothing holds:
	// a per-day cap on cold suggestions applies to it as a whole (held
	// for the quota: Suggested beyond what is left of the day's cap).
	if err := s.countSuggested(ctx, excluded); err != nil {
		return err
	}
	if err := s.countBare(ctx, excluded); err != nil {
		return err
	}
	if err := s.countLeftOut(ctx); err != nil {
		return err
	}
	if len(excluded) > 0 {
		s.counts.LeftOut[model.LeftOutExcluded] = len(excluded)
	}
	return nil
}

// tally counts n rows the way keep filters them and the ranker holds them:
// kind is the task's or the proposed action's, callable that it is a call
// the calling hours allow now with nothing holding it, held the reason
// that holds it ("" for none).
func (s *wlScan) tally(rk model.RowKind, kind model.TaskKind, callable, overdue bool, held model.HoldReason, n int) {
	if (s.q.Channel != "" && kind != s.q.Channel) || (s.q.CallableNow && !callable) || (s.q.Overdue && !overdue) {
		return
	}
	switch {
	case held != "":
		s.counts.HeldBack += n
		s.counts.Held[held] += n
	case rk == model.RowSignal:
		s.counts.Respond += n
	case rk == model.RowSuggested:
		s.counts.Suggested += n
	case overdue:
		s.counts.Overdue += n
	default:
		s.counts.Due += n
	}
}

// zoneOpen reports whether a call to a contact in zone ctz at an account in
// zone atz is inside the calling hours now, as the ranker decides it (an
// unknown zone falls back to the account's, then to the rep's): a call
// with nothing else holding it is ranked once per zone pair.
func (s *wlScan) zoneOpen(ctz, atz string) bool {
	key := ctz + "\x00" + atz
	if v, ok := s.pairCache[key]; ok {
		return v
	}
	row := s.db.ranker.Rank(model.Candidate{Kind: model.RowTask,
		Task:    model.Task{Kind: model.TaskCall, Due: s.now},
		Contact: model.Contact{ID: 1, TimeZone: ctz, Phone: "1"}, Account: model.Account{Tier: model.TierD, TimeZone: atz}}, s.now)
	s.pairCache[key] = row.CallableNow
	return row.CallableNow
}

// guardSQL is model.Guard's refusal of a task's channel for the contact c,
// in SQL, after do not contact (which holds any task, even a todo): ”
// when nothing refuses it (no channel, or an account-level task).
const guardSQL = `CASE
	WHEN a.do_not_contact THEN 'do-not-contact'
	WHEN k.kind NOT IN ('call', 'email', 'linkedin') OR c.id IS NULL THEN ''
	WHEN (k.kind = 'call' AND c.consent_call = 'opted-out') OR (k.kind = 'email' AND c.consent_email = 'opted-out')
		OR (k.kind = 'linkedin' AND c.consent_linkedin = 'opted-out') THEN 'opted-out'
	WHEN k.kind = 'call' AND c.phone <> '' AND c.phone_bad THEN 'bad-number'
	WHEN (k.kind = 'call' AND c.phone = '') OR (k.kind = 'email' AND c.email = '')
		OR (k.kind = 'linkedin' AND c.linkedin_url = '') THEN 'no-channel'
	ELSE '' END`

// countTasks counts the day's task rows grouped by what holds them, their
// kind, overdue or due today, and (for calls) their zones.
func (s *wlScan) countTasks(ctx context.Context) error {
	var args sqlArgs
	end := startOfDay(s.now, s.db.zone).AddDate(0, 0, 1)
	today := model.CivilDate(s.now.In(s.db.zone))
	dateEnd := today.AddDate(0, 0, 1)
	query := `SELECT ` + guardSQL + `, k.kind,
		k.due < CASE k.due_has_time WHEN 0 THEN ` + args.add(ms(today)) + ` ELSE ` + args.add(ms(startOfDay(s.now, s.db.zone))) + ` END,
		c.id IS NOT NULL AND ` + s.budgetHeld(&args, "c") + `, ` + s.budgetHeld(&args, "a") + `,
		CASE k.kind WHEN 'call' THEN coalesce(c.time_zone, '') ELSE '' END, CASE k.kind WHEN 'call' THEN a.time_zone ELSE '' END,
		count(*)
	FROM tasks k INDEXED BY tasks_work JOIN accounts a ON a.id = k.account_id LEFT JOIN contacts c ON c.id = k.contact_id
	WHERE k.status IN ('open', 'snoozed') AND k.due < CASE k.due_has_time WHEN 0 THEN ` + args.add(ms(dateEnd)) + ` ELSE ` + args.add(ms(end)) + ` END
	  AND (k.status = 'open' OR k.snoozed_until <= ` + args.add(ms(s.now)) + `) AND a.departed = 0`
	if s.q.Channel != "" {
		query += ` AND k.kind = ` + args.add(string(s.q.Channel))
	}
	if s.q.Tier != "" {
		query += ` AND a.tier = ` + args.add(string(s.q.Tier))
	}
	query += ` GROUP BY 1, 2, 3, 4, 5, 6, 7`
	rows, err := s.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var held model.HoldReason
		var kind model.TaskKind
		var overdue, cBudget, aBudget bool
		var ctz, atz string
		var n int
		if err := rows.Scan(&held, &kind, &overdue, &cBudget, &aBudget, &ctz, &atz, &n); err != nil {
			return err
		}
		callable := false
		if held == "" && kind.Channel() != "" {
			switch {
			case cBudget:
				held = model.HoldContactBudget
			case aBudget:
				held = model.HoldAccountBudget
			case kind == model.TaskCall && s.zoneOpen(ctz, atz):
				callable = true
			case kind == model.TaskCall:
				held = model.HoldCallingHours
			}
		}
		s.tally(model.RowTask, kind, callable, overdue, held, n)
	}
	return rows.Err()
}

// excludedStale lists the stale accounts in the ICP focus that one of the
// profile's exclusions hits: never suggested, counted as left out. An
// exclusion scores an account 0 and tier D, so only those are read, and
// only when tier D is in the focus.
func (s *wlScan) excludedStale(ctx context.Context) ([]int64, error) {
	if !s.db.opts.Settings.InFocus(model.TierD) || len(s.db.opts.Profile.Exclusions) == 0 ||
		(s.q.Tier != "" && s.q.Tier != model.TierD) {
		return nil, nil
	}
	var out []int64
	for _, bare := range []bool{false, true} {
		from, args := s.suggestFrom(bare)
		rows, err := s.conn.QueryContext(ctx, "SELECT "+accountCols+" "+from+" AND a.tier = 'D' AND a.fit = 0", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var a model.Account
			if err := scanAccount(rows, &a); err != nil {
				rows.Close()
				return nil, err
			}
			if s.db.opts.Profile.Excludes(a) {
				out = append(out, a.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// notExcluded is the condition leaving out the excluded accounts' ids.
func notExcluded(args *sqlArgs, excluded []int64) (string, error) {
	if len(excluded) == 0 {
		return "", nil
	}
	list, err := json.Marshal(excluded)
	if err != nil {
		return "", err
	}
	return " AND a.id NOT IN (SELECT value FROM json_each(" + args.add(string(list)) + "))", nil
}

// countSuggested counts the suggestions of stale accounts with a contact,
// grouped by what their best contact (the one the page proposes: highest
// level, least recently touched) can be reached on, what holds them, and
// (when a call is possible) the zones that decide whether it is one.
func (s *wlScan) countSuggested(ctx context.Context, excluded []int64) error {
	from, a := s.suggestFrom(false)
	args := sqlArgs(a)
	skip, err := notExcluded(&args, excluded)
	if err != nil {
		return err
	}
	const phone = `(c.phone <> '' AND NOT c.phone_bad AND c.consent_call <> 'opted-out')`
	query := `SELECT a.do_not_contact, ` + s.budgetHeld(&args, "c") + `, ` + s.budgetHeld(&args, "a") + `, ` + phone + `,
		(c.email <> '' AND c.consent_email <> 'opted-out'), (c.linkedin_url <> '' AND c.consent_linkedin <> 'opted-out'),
		CASE WHEN ` + phone + ` THEN c.time_zone ELSE '' END, CASE WHEN ` + phone + ` THEN a.time_zone ELSE '' END, count(*)
	` + strings.Replace(from, " WHERE ", ` JOIN contacts c ON c.id = (SELECT b.id FROM contacts b WHERE b.account_id = a.id
		ORDER BY b.level DESC, b.last_touched, b.id LIMIT 1) WHERE `, 1) + skip + `
	GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`
	rows, err := s.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var dnc, cBudget, aBudget, ph, em, li bool
		var ctz, atz string
		var n int
		if err := rows.Scan(&dnc, &cBudget, &aBudget, &ph, &em, &li, &ctz, &atz, &n); err != nil {
			return err
		}
		// As Ranker.suggest picks the action, then Ranker.hold holds it.
		if !ph && !em && !li {
			s.tally(model.RowSuggested, model.TaskCall, false, false, model.HoldNoChannel, n)
			continue
		}
		open := ph && s.zoneOpen(ctz, atz)
		kind := model.TaskCall
		switch {
		case open:
		case em:
			kind = model.TaskEmail
		case li:
			kind = model.TaskLinkedIn
		}
		var held model.HoldReason
		switch {
		case dnc:
			held = model.HoldDoNotContact
		case cBudget:
			held = model.HoldContactBudget
		case aBudget:
			held = model.HoldAccountBudget
		case kind == model.TaskCall && !open:
			held = model.HoldCallingHours
		}
		s.tally(model.RowSuggested, kind, held == "" && kind == model.TaskCall, false, held, n)
	}
	return rows.Err()
}

// countBare counts the suggestions of accounts without a contact, all held
// for having no channel, as ranking each would (their proposed action is a
// todo, never callable).
func (s *wlScan) countBare(ctx context.Context, excluded []int64) error {
	if s.q.CallableNow || (s.q.Channel != "" && s.q.Channel != model.TaskTodo) {
		return nil
	}
	from, a := s.suggestFrom(true)
	args := sqlArgs(a)
	skip, err := notExcluded(&args, excluded)
	if err != nil {
		return err
	}
	var n int
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) "+from+skip, args...).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		s.counts.HeldBack += n
		s.counts.Held[model.HoldNoChannel] += n
	}
	return nil
}

// countLeftOut counts the stale accounts below the ICP focus, with a
// contact or without: never suggested, only counted, from the same partial
// indexes as the page.
func (s *wlScan) countLeftOut(ctx context.Context) error {
	total := 0
	for _, bare := range []bool{false, true} {
		from, args := s.suggestFromFocus(bare, false)
		var n int
		if err := s.conn.QueryRowContext(ctx, "SELECT count(*) "+from, args...).Scan(&n); err != nil {
			return err
		}
		total += n
	}
	if total > 0 {
		s.counts.LeftOut[model.LeftOutBelowTier] = total
	}
	return nil
}
