package storage

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// rankSlack absorbs float rounding when a bound is compared with a rank.
const rankSlack = 1e-9

// contactColsLeft is contactCols for a LEFT JOIN: an account-level task has
// no contact, and its columns read as the zero contact.
const contactColsLeft = `coalesce(c.id, 0), coalesce(c.crm_id, ''), coalesce(c.account_id, 0), coalesce(c.first_name, ''),
	coalesce(c.last_name, ''), coalesce(c.title, ''), coalesce(c.persona, ''), coalesce(c.seniority, ''),
	coalesce(c.email, ''), coalesce(c.phone, ''), coalesce(c.phone_bad, 0), coalesce(c.linkedin_url, ''),
	coalesce(c.time_zone, ''), coalesce(c.consent_call, 'allowed'), coalesce(c.consent_call_source, ''),
	coalesce(c.consent_call_at, 0), coalesce(c.consent_email, 'allowed'), coalesce(c.consent_email_source, ''),
	coalesce(c.consent_email_at, 0), coalesce(c.consent_linkedin, 'allowed'),
	coalesce(c.consent_linkedin_source, ''), coalesce(c.consent_linkedin_at, 0),
	coalesce(c.last_touched, 0), coalesce(c.updated_at, 0)`

// page keeps the best k rows seen so far (k < 0: all), in worklist order.
type page struct {
	k    int
	rows []model.Row
}

// before is the worklist order: rank descending, then account name, then
// task id (account id for suggested rows).
func before(x, y model.Row) bool {
	if x.Rank != y.Rank {
		return x.Rank > y.Rank
	}
	if x.Account.Name != y.Account.Name {
		return x.Account.Name < y.Account.Name
	}
	if x.Task.ID != y.Task.ID {
		return x.Task.ID < y.Task.ID
	}
	return x.Account.ID < y.Account.ID
}

func cmpRows(x, y model.Row) int {
	switch {
	case before(x, y):
		return -1
	case before(y, x):
		return 1
	}
	return 0
}

func (p *page) full() bool { return p.k >= 0 && len(p.rows) >= p.k }

// cut is the rank a row must reach to enter a full page.
func (p *page) cut() float64 { return p.rows[len(p.rows)-1].Rank }

func (p *page) add(r model.Row) {
	if p.k == 0 {
		return
	}
	if p.full() && !before(r, p.rows[len(p.rows)-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(p.rows, r, cmpRows)
	p.rows = slices.Insert(p.rows, i, r)
	if p.k >= 0 && len(p.rows) > p.k {
		p.rows = p.rows[:p.k]
	}
}

// wlScan is one Worklist call's state.
type wlScan struct {
	db     *DB
	q      model.WorklistQuery
	now    time.Time
	counts *model.Worklist
	conn   *sql.Conn
	// dueCache holds the due term per calendar day (yyyymmdd).
	dueCache map[int]float64
	// staleCache holds the staleness term per whole days untouched (-1:
	// never touched).
	staleCache map[int]float64
	// zoneCache holds each zone's calling window at now.
	zoneCache map[string]zoneState
	// pairCache holds whether a call is in its calling hours now, by
	// contact and account zone (counts.go).
	pairCache map[string]bool
	// budgetsCurrent: budget_at holds this store's budgets (counts.go).
	budgetsCurrent bool
	// visited counts the candidate rows read (task index entries and
	// stale accounts), so a test can tell a page read from the indexes
	// from a pass over every candidate without timing it.
	visited int
}

// keep applies the query's filters to a ranked row; it reports whether the
// row belongs in Rows. The header counts are read apart (counts.go).
func (s *wlScan) keep(r model.Row) bool {
	if s.q.Channel != "" && r.Task.Kind != s.q.Channel {
		return false
	}
	if s.q.CallableNow && !r.CallableNow {
		return false
	}
	if s.q.Overdue && (r.Kind != model.RowTask || !slices.ContainsFunc(r.Why, func(t model.Term) bool { return t.Name == "overdue" })) {
		return false
	}
	return !r.Held || s.q.IncludeHeld
}

// Worklist returns the ranked page of the day's work: open tasks due by the
// end of the rep's day (or overdue) first, then stale accounts to suggest,
// each by rank. It never loads the book: candidates are read from indexes in
// descending order of the clock-free part of their rank, and the scan stops
// once no further candidate can reach the page (BaseRank + MaxDynamic below
// the page's cut), so the page is exact. With q.Counts the header counts
// (due, overdue, suggested, held by reason, left out, after the filters)
// come from grouped queries over the indexes (counts.go), not from ranking
// every candidate.
func (db *DB) Worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, error) {
	wl, _, err := db.worklist(ctx, q)
	return wl, err
}

// worklist is Worklist, and how many candidate rows it read.
func (db *DB) worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, int, error) {
	if q.Now.IsZero() {
		q.Now = db.now()
	}
	s := &wlScan{db: db, q: q, now: q.Now.In(db.zone), counts: &model.Worklist{}, dueCache: map[int]float64{},
		staleCache: map[int]float64{}, zoneCache: map[string]zoneState{}, pairCache: map[string]bool{}}
	if q.Counts {
		s.counts.Held = map[model.HoldReason]int{}
		s.counts.LeftOut = map[model.LeftOutReason]int{}
	}
	want := -1
	if q.Limit > 0 {
		want = max(q.Offset, 0) + q.Limit
	}
	// One connection for the whole call: its page cache is warm after the
	// first query, and the rows read together come from one snapshot.
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return model.Worklist{}, 0, db.mapErr("read worklist", err)
	}
	defer conn.Close()
	s.conn = conn
	// Buyers who reached out come first (storage/signals.go).
	respond, err := s.scanSignals(ctx)
	if err == nil {
		err = s.coldToday(ctx)
	}
	if err != nil {
		return model.Worklist{}, 0, db.mapErr("read worklist", err)
	}
	tasks := &page{k: want}
	if err := s.scanTasks(ctx, tasks); err != nil {
		return model.Worklist{}, 0, db.mapErr("read worklist", err)
	}
	rows := append(respond, tasks.rows...)
	if !q.Overdue && (want < 0 || len(rows) < want) {
		k := -1
		if want >= 0 {
			k = max(want-len(rows), 0)
		}
		sug := &page{k: k}
		if err := s.scanSuggested(ctx, sug, false); err != nil {
			return model.Worklist{}, 0, db.mapErr("read worklist", err)
		}
		// An account without a contact is always held (nobody to reach):
		// its rows are read only when held rows are shown, so a book of
		// such accounts costs the page nothing.
		if q.IncludeHeld {
			if err := s.scanSuggested(ctx, sug, true); err != nil {
				return model.Worklist{}, 0, db.mapErr("read worklist", err)
			}
		}
		s.coldQuota(sug)
		rows = append(rows, sug.rows...)
	}
	if q.Counts {
		if err := s.countAll(ctx); err != nil {
			return model.Worklist{}, 0, db.mapErr("read worklist counts", err)
		}
		s.coldCounts()
	}
	out := *s.counts
	if off := max(q.Offset, 0); off < len(rows) {
		out.Rows = rows[off:]
	} else {
		out.Rows = []model.Row{}
	}
	if q.Limit > 0 && len(out.Rows) > q.Limit {
		out.Rows = out.Rows[:q.Limit]
	}
	return out, s.visited, nil
}

func (s *wlScan) window() int64 {
	return ms(s.now.Add(-s.db.opts.Settings.Budget.Window))
}

// dueValue is the due term (overdue or due today) the ranker gives a task
// due at due (a civil date unless hasTime), asked of the ranker once per
// calendar day.
func (s *wlScan) dueValue(due time.Time, hasTime bool) float64 {
	k := model.Task{Kind: model.TaskTodo, Due: due, DueHasTime: hasTime}
	y, m, d := k.DueDay(s.now.Location()).Date()
	key := y*10000 + int(m)*100 + d
	if v, ok := s.dueCache[key]; ok {
		return v
	}
	row := s.db.ranker.Rank(model.Candidate{Kind: model.RowTask, Task: k,
		Account: model.Account{Tier: model.TierD}}, s.now)
	v := 0.0
	for _, t := range row.Why {
		if t.Name == "overdue" || t.Name == "due today" {
			v = t.Value
		}
	}
	s.dueCache[key] = v
	return v
}

// staleValue is the staleness term the ranker gives an account last touched
// at touched (unix ms, 0: never), asked of the ranker once per day count.
func (s *wlScan) staleValue(touched int64) float64 {
	days := -1
	if touched != 0 {
		days = max(int(s.now.Sub(fromMS(touched))/(24*time.Hour)), 0)
	}
	if v, ok := s.staleCache[days]; ok {
		return v
	}
	a := model.Account{Tier: model.TierD}
	if days >= 0 {
		a.LastTouched = s.now.Add(-time.Duration(days) * 24 * time.Hour)
	}
	row := s.db.ranker.Rank(model.Candidate{Kind: model.RowTask, Task: model.Task{Kind: model.TaskTodo, Due: s.now},
		Account: a}, s.now)
	v := 0.0
	for _, t := range row.Why {
		if t.Name == "stale" {
			v = t.Value
		}
	}
	s.staleCache[days] = v
	return v
}

// callOpen reports whether the calling window is open now in the named
// zone, and whether that is certain: an empty or unknown name leaves the
// ranker falling back to other zones, so the answer is not.
func (s *wlScan) callOpen(zone string) (open, sure bool) {
	if v, ok := s.zoneCache[zone]; ok {
		return v.open, v.sure
	}
	var v zoneState
	if zone != "" {
		if _, err := time.LoadLocation(zone); err == nil {
			// A call with no holds (a reachable phone, nothing refused) is
			// callable exactly when the window is open in the contact's zone.
			row := s.db.ranker.Rank(model.Candidate{Kind: model.RowTask,
				Task:    model.Task{Kind: model.TaskCall, Due: s.now},
				Contact: model.Contact{ID: 1, TimeZone: zone, Phone: "1"}, Account: model.Account{Tier: model.TierD, TimeZone: zone}}, s.now)
			v = zoneState{open: row.CallableNow, sure: row.Zone == zone}
		}
	}
	s.zoneCache[zone] = v
	return v.open, v.sure
}

// zoneState is a zone's calling window at the scan's now.
type zoneState struct{ open, sure bool }

// scanTasks ranks the task candidates in two stages. The first reads only
// the tasks_work index in base-rank order and stops once base + MaxDynamic
// cannot reach the page. For each candidate it bounds the rank from the
// index alone: the exact due, staleness and contact terms (the index
// carries the account's last touch and the contact's level) and the
// callable term only for a call whose zone may be open now; a call whose
// zone is surely closed is held, so it is skipped when held rows are left
// out. Only candidates whose bound can reach the page are read in full,
// ranked, and have their touch budgets counted.
func (s *wlScan) scanTasks(ctx context.Context, p *page) error {
	db := s.db
	co := db.opts.Settings.Coefficients
	// Due by the end of the rep's day: a due with a time before the end of
	// today in the rep's zone, a date-only due (a civil date, stored as
	// midnight UTC) on or before today's date there.
	end := startOfDay(s.now, db.zone).AddDate(0, 0, 1)
	dateEnd := model.CivilDate(s.now.In(db.zone)).AddDate(0, 0, 1)
	win := s.window()
	query := `SELECT k.base_rank, k.id, k.due, k.due_has_time, k.kind, k.c_level, k.a_touched, k.zone
	FROM tasks k INDEXED BY tasks_work
	WHERE k.status IN ('open', 'snoozed') AND k.due < CASE k.due_has_time WHEN 0 THEN ?3 ELSE ?1 END
	  AND (k.status = 'open' OR k.snoozed_until <= ?2)`
	args := []any{ms(end), ms(s.now), ms(dateEnd)}
	if s.q.Channel != "" {
		args = append(args, string(s.q.Channel))
		query += ` AND k.kind = ?4`
	}
	query += ` ORDER BY k.base_rank DESC, k.id`
	rows, err := s.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	full, err := s.conn.PrepareContext(ctx, `SELECT `+taskCols+`, `+accountCols+`, `+contactColsLeft+`
	FROM tasks k JOIN accounts a ON a.id = k.account_id LEFT JOIN contacts c ON c.id = k.contact_id
	WHERE k.id = ? AND a.departed = 0`)
	if err != nil {
		return err
	}
	defer full.Close()
	budget, err := s.conn.PrepareContext(ctx, `SELECT
		(SELECT count(*) FROM touches WHERE contact_id = ?1 AND at >= ?3),
		(SELECT count(*) FROM touches WHERE account_id = ?2 AND at >= ?3)`)
	if err != nil {
		return err
	}
	defer budget.Close()
	pos := func(v float64) float64 { return math.Max(v, 0) }
	maxDyn := db.ranker.MaxDynamic()
	// rank reads a candidate in full, ranks it and offers it to the page.
	rank := func(id int64) error {
		var kr taskRow
		var ar accountRow
		var cr contactRow
		c := model.Candidate{Kind: model.RowTask}
		dest := append(append(kr.dest(), ar.dest()...), cr.dest()...)
		if err := full.QueryRowContext(ctx, id).Scan(dest...); err != nil {
			if err == sql.ErrNoRows {
				return nil // its account left the rep's book in the CRM
			}
			return err
		}
		var err error
		if c.Account, err = ar.finish(); err != nil {
			return err
		}
		if s.q.Tier != "" && c.Account.Tier != s.q.Tier {
			return nil
		}
		c.Task, c.Contact = kr.finish(), cr.finish()
		// Touch budgets can only hold a row back (and so drop its callable
		// term), never raise its rank: a row that cannot enter the page
		// with no touches counted cannot enter it at all.
		if p.full() && !s.q.IncludeHeld {
			if r := db.ranker.Rank(c, s.now); !before(r, p.rows[len(p.rows)-1]) {
				return nil
			}
		}
		if err := budget.QueryRowContext(ctx, c.Contact.ID, c.Account.ID, win).Scan(&c.ContactTouches, &c.AccountTouches); err != nil {
			return err
		}
		r := db.ranker.Rank(c, s.now)
		if s.keep(r) {
			p.add(r)
		}
		return nil
	}
	if p.k < 0 {
		// The whole list: every candidate is ranked.
		for rows.Next() {
			s.visited++
			var id int64
			var skip any
			if err := rows.Scan(&skip, &id, &skip, &skip, &skip, &skip, &skip, &skip); err != nil {
				return err
			}
			if err := rank(id); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// The index yields candidates in base-rank order, but the page fills
	// fastest (its cut rises soonest) when candidates are ranked in bound
	// order. Bounds wait in a max-heap; the best waits no longer once no
	// index row still unread can bound higher (base + MaxDynamic), so
	// candidates are ranked in bound order, and the scan stops as before,
	// once no unread row can reach the page's cut.
	var pending boundHeap
	more := rows.Next()
	for {
		var base float64
		var id, due, level, touched int64
		var hasTime bool
		var kind model.TaskKind
		var zone string
		if more {
			s.visited++
			if err := rows.Scan(&base, &id, &due, &hasTime, &kind, &level, &touched, &zone); err != nil {
				return err
			}
		}
		for len(pending) > 0 && (!more || pending[0].bound >= base+maxDyn) {
			c := pending.pop()
			if p.full() && c.bound+rankSlack < p.cut() {
				pending = pending[:0] // the rest bound lower still
				break
			}
			if err := rank(c.id); err != nil {
				return err
			}
		}
		if !more || (p.full() && base+maxDyn+rankSlack < p.cut()) {
			break
		}
		bound := base + s.dueValue(fromMS(due), hasTime) + s.staleValue(touched) + pos(co.ContactFit*float64(level)/100)
		skip := false
		if kind == model.TaskCall {
			open, sure := s.callOpen(zone)
			if sure && !open && !s.q.IncludeHeld {
				skip = true // held for the calling hours (or sooner)
			}
			if open || !sure {
				bound += pos(co.CallableNow)
			}
		}
		if !skip && !(p.full() && bound+rankSlack < p.cut()) {
			pending.push(boundedTask{bound: bound, id: id})
		}
		more = rows.Next()
	}
	return rows.Err()
}

// boundedTask is a task candidate waiting to be ranked, with its bound.
type boundedTask struct {
	bound float64
	id    int64
}

// boundHeap is a max-heap of candidates by bound (then id, for a stable
// reading order).
type boundHeap []boundedTask

func (h boundHeap) less(i, j int) bool {
	if h[i].bound != h[j].bound {
		return h[i].bound > h[j].bound
	}
	return h[i].id < h[j].id
}

func (h *boundHeap) push(c boundedTask) {
	*h = append(*h, c)
	for i := len(*h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
		i = parent
	}
}

func (h *boundHeap) pop() boundedTask {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
	return top
}

func tierNames(ts []model.Tier) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// suggestMaxDynamic bounds a suggested row's rank above its suggest_rank:
// staleness, callable now and contact level at their best, plus the
// suggested lift. An account without a contact (bare) gets neither the
// callable nor the contact term.
func (db *DB) suggestMaxDynamic(bare bool) float64 {
	co := db.opts.Settings.Coefficients
	pos := func(v float64) float64 { return math.Max(v, 0) }
	if bare {
		return pos(co.StaleMax) + co.Suggested
	}
	return pos(co.StaleMax) + pos(co.CallableNow) + pos(co.ContactFit) + co.Suggested
}

// suggestFrom is the FROM and WHERE of the suggested-row candidates: stale
// accounts in the book, not disqualified, with no open task; bare selects
// those without a contact, else those with one, each from its own partial
// index in suggest_rank order. Each condition is one entry of conds, so one
// more (a tier rule) is one more line; the query numbers its own
// parameters after these (see next).
func (s *wlScan) suggestFrom(bare bool) (string, []any) {
	return s.suggestFromFocus(bare, true)
}

// suggestFromFocus is suggestFrom for the accounts in the ICP focus
// (inFocus) or for those below it, which are never suggested, only counted
// as left out. A nominative ICP list is worked on its fit.
func (s *wlScan) suggestFromFocus(bare, inFocus bool) (string, []any) {
	index, contacts := "accounts_suggest", "a.n_contacts > 0"
	if bare {
		index, contacts = "accounts_suggest_bare", "a.n_contacts = 0"
	}
	var args []any
	next := func(v any) string {
		args = append(args, v)
		return "?" + strconv.Itoa(len(args))
	}
	stale := make([]string, len(model.Tiers))
	for i, t := range model.Tiers {
		stale[i] = next(ms(s.db.ranker.StaleBefore(t, s.now)))
	}
	conds := []string{
		// The partial index's own conditions, as it states them.
		"a.status <> 'disqualified'", contacts,
		"a.departed = 0",
		"a.last_touched < CASE a.tier WHEN 'A' THEN " + stale[0] + " WHEN 'B' THEN " + stale[1] +
			" WHEN 'C' THEN " + stale[2] + " ELSE " + stale[3] + " END",
		"NOT EXISTS (SELECT 1 FROM tasks k WHERE k.account_id = a.id AND k.status IN ('open', 'snoozed'))",
		// A buyer there is waiting for an answer: a respond row, not cold.
		s.noOpenSignal(next),
	}
	// The focus tiers are the model's own letters, never text from a book.
	focus := "+a.tier IN ('" + strings.Join(tierNames(s.db.opts.Settings.FocusTiers()), "', '") + "')"
	if !inFocus {
		focus = "+a.tier NOT IN ('" + strings.Join(tierNames(s.db.opts.Settings.FocusTiers()), "', '") + "')"
	}
	conds = append(conds, focus)
	if s.q.Tier != "" {
		conds = append(conds, "+a.tier = "+next(string(s.q.Tier)))
	}
	return "FROM accounts a INDEXED BY " + index + " WHERE " + strings.Join(conds, " AND "), args
}

// scanSuggested ranks stale accounts best first into p and stops once no
// further account can reach the page; bare reads the accounts without a
// contact.
//
// Accounts without a contact tie often (an imported list: one tier and fit
// for thousands), so their index also orders them by name, as the page
// does: once a never-touched one (the best its suggest_rank can rank) cannot
// enter the full page, and sorts after the page's last row by name, no later
// account of that suggest_rank can, and the scan goes on below it.
func (s *wlScan) scanSuggested(ctx context.Context, p *page, bare bool) error {
	if bare && (s.q.CallableNow || (s.q.Channel != "" && s.q.Channel != model.TaskTodo)) {
		return nil // such a row proposes a todo, never callable
	}
	var best *sql.Stmt
	if !bare {
		var err error
		best, err = s.conn.PrepareContext(ctx, `SELECT `+contactCols+`,
		(SELECT count(*) FROM touches WHERE contact_id = c.id AND at >= ?2)
		FROM contacts c WHERE c.account_id = ?1 ORDER BY c.level DESC, c.last_touched, c.id LIMIT 1`)
		if err != nil {
			return err
		}
		defer best.Close()
	}
	below := math.Inf(1)
	for {
		next, err := s.scanSuggestedBelow(ctx, p, bare, best, below)
		if err != nil || next == below {
			return err
		}
		below = next
	}
}

// scanSuggestedBelow is one scan of scanSuggested over the accounts whose
// suggest_rank is below below; it returns below, or the suggest_rank to go
// on under when the rest of one was skipped.
func (s *wlScan) scanSuggestedBelow(ctx context.Context, p *page, bare bool, best *sql.Stmt, below float64) (float64, error) {
	db := s.db
	from, args := s.suggestFrom(bare)
	if !math.IsInf(below, 1) {
		args = append(args, below)
		from += " AND a.suggest_rank < ?" + strconv.Itoa(len(args))
	}
	args = append(args, s.window())
	// Each index's own order, so rows stream with no sort; the page orders
	// what it keeps, and the stop needs only suggest_rank descending.
	order := "a.suggest_rank DESC, a.last_touched, a.tier, a.departed"
	if bare {
		order = "a.suggest_rank DESC, a.name, a.last_touched, a.tier, a.departed"
	}
	query := `SELECT a.suggest_rank, ` + accountCols + `,
		(SELECT count(*) FROM touches WHERE account_id = a.id AND at >= ?` + strconv.Itoa(len(args)) + `)
	` + from + ` ORDER BY ` + order
	rows, err := s.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return below, err
	}
	defer rows.Close()
	maxDyn := db.suggestMaxDynamic(bare)
	win := s.window()
	for rows.Next() {
		s.visited++
		var base float64
		c := model.Candidate{Kind: model.RowSuggested}
		err := scanAccount(scanFunc(func(d ...any) error {
			return rows.Scan(append(append([]any{&base}, d...), &c.AccountTouches)...)
		}), &c.Account)
		if err != nil {
			return below, err
		}
		if p.k == 0 || (p.full() && base+maxDyn+rankSlack < p.cut()) {
			break
		}
		// An exclusion forces tier D, so it is out of focus unless D is in
		// it; then the exclusion itself keeps the account out.
		if db.opts.Profile.Excludes(c.Account) {
			continue
		}
		if best != nil {
			err = scanContact(scanFunc(func(d ...any) error {
				return best.QueryRowContext(ctx, c.Account.ID, win).Scan(append(d, &c.ContactTouches)...)
			}), &c.Contact)
			if err != nil && err != sql.ErrNoRows {
				return below, err
			}
			if err == sql.ErrNoRows {
				c.Contact, c.ContactTouches = model.Contact{}, 0
			}
		}
		r := db.ranker.Rank(c, s.now)
		if bare && p.full() && c.Account.LastTouched.IsZero() {
			if last := p.rows[len(p.rows)-1]; !before(r, last) && r.Account.Name > last.Account.Name {
				// Later accounts of this suggest_rank rank no higher and
				// sort after it: none can enter the page.
				return base, rows.Err()
			}
		}
		if s.keep(r) {
			p.add(r)
		}
	}
	return below, rows.Err()
}
