package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// pageSize is how many worklist rows one store call fetches when the cursor
// leaves the loaded page; firstPage is the smaller page that draws the
// screen on start and after a change (on the 100,000-account book 50 rows
// take ~90 ms, 200 take ~220 ms).
const (
	pageSize  = 150
	firstPage = 30
)

// wideWidth is the width from which the "why" moves into a side panel.
const wideWidth = 110

// staleAfter is how old a loaded worklist may get before a key press
// reloads it: callable-now marks and "due today" follow the clock. There is
// no timer; an idle screen stays idle.
const staleAfter = 5 * time.Minute

type (
	// worklistLoadedMsg is a page of the worklist.
	worklistLoadedMsg struct {
		seq    int
		offset int
		limit  int
		wl     model.Worklist
		locs   map[string]*time.Location // the rows' zones, loaded off the UI goroutine
		err    error
	}
	// countsLoadedMsg is the header: counts, sync state and today's touches.
	countsLoadedMsg struct {
		seq  int
		wl   model.Worklist
		sync model.SyncState
		err  error
	}
	// doneTodayMsg is how many touches the rep logged today.
	doneTodayMsg struct {
		seq int
		n   int
		err error
	}
)

// filters are the quick filters of the Today screen.
type filters struct {
	tier     model.Tier
	overdue  bool
	callable bool
	held     bool
	channel  model.TaskKind
}

func (f filters) any() bool {
	return f.tier != "" || f.overdue || f.callable || f.held || f.channel != ""
}

func (f filters) String() string {
	var p []string
	if f.tier != "" {
		p = append(p, "tier "+string(f.tier))
	}
	if f.overdue {
		p = append(p, "overdue")
	}
	if f.callable {
		p = append(p, "callable now")
	}
	if f.channel != "" {
		p = append(p, string(f.channel))
	}
	if f.held {
		p = append(p, "+held")
	}
	return strings.Join(p, ", ")
}

// today is the home screen: the header and the ranked worklist.
type today struct {
	env           screenEnv
	demo          bool
	width, height int

	f       filters
	rows    []model.Row // a page: rows[i] is worklist index off+i
	off     int
	end     bool // the page reaches the end of the worklist
	loaded  bool
	loading bool
	seq     int
	cseq    int

	cur, top int
	// seek is the row a wider page is being fetched for: a reload's page
	// did not hold the row under the cursor, which may have moved further
	// than the page reaches. gone is the row the rep's own action (done,
	// skip, snooze, a log) takes off the list: not finding it is expected,
	// and no wider page is asked for it.
	seek     anchor
	seeking  bool
	gone     rowKey
	now      time.Time // refreshed on every key: local times follow it
	loadedAt time.Time // when the rows were asked for
	locs     map[string]*time.Location

	counts       model.Worklist
	haveCounts   bool
	countsCancel context.CancelFunc // the counts query on its way; a newer one cancels it
	syncState    model.SyncState
	doneToday    int
	haveDone     bool
	offline      bool

	prompt prompt
	nav    tea.Msg // a screen change for the root, taken synchronously
	memo   *todayMemo
}

// todayMemo keeps what View draws the same way until the width changes.
type todayMemo struct {
	colHead  string
	colHeadW int
}

func newToday(env screenEnv, demo bool) today {
	// seq 1 and cseq 1 are the replies Init asks for.
	now := env.now()
	return today{env: env, demo: demo, width: 80, height: 22, now: now, loadedAt: now, seq: 1, cseq: 1,
		loading: true, locs: map[string]*time.Location{}, prompt: newPrompt(env.sty), memo: &todayMemo{}}
}

// Init asks for the first page only; the counts, which pass over every
// candidate, are asked for when it arrives so they never compete with it
// for the two cores.
func (m today) Init() tea.Cmd {
	return m.pageCmd(0, firstPage)
}

func (m *today) setSize(w, h int) {
	m.width, m.height = w, h
	m.prompt.setWidth(w)
	m.scroll()
}

func (m today) capturing() bool { return m.prompt.active() }

func (m today) query() model.WorklistQuery {
	return model.WorklistQuery{Now: m.now, Tier: m.f.tier, Overdue: m.f.overdue,
		CallableNow: m.f.callable, Channel: m.f.channel, IncludeHeld: m.f.held}
}

// reload fetches the page around the cursor and the counts again. The seq
// numbers drop replies to older requests.
func (m today) reload() (today, tea.Cmd) {
	m.now = m.env.now()
	m.loadedAt = m.now
	off := max(0, m.cur-firstPage/2)
	var page tea.Cmd
	m, page = m.loadPage(off, firstPage)
	m.cseq++
	counts := m.countsCmd()
	return m, tea.Batch(page, counts, m.doneTodayCmd())
}

// doneTodayCmd counts what was done today (an indexed count, not the stats
// screen's query); it has its own message and never holds up the counts.
func (m today) doneTodayCmd() tea.Cmd {
	seq, st, now := m.cseq, m.env.store, m.now
	return withTimeout(func(ctx context.Context) tea.Msg {
		n, err := st.DoneToday(ctx, now)
		return doneTodayMsg{seq: seq, n: n, err: err}
	})
}

// countsCmd asks for the header counts, cancelling the counts still being
// worked out for an older reload: its reply would be dropped (by cseq), and
// on a big book each costs seconds of the two cores the page and the keys
// need (a tier filter cycled, r pressed twice).
func (m *today) countsCmd() tea.Cmd {
	if m.countsCancel != nil {
		m.countsCancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	m.countsCancel = cancel
	seq, st, q := m.cseq, m.env.store, m.query()
	q.Counts, q.Limit = true, 1
	return func() tea.Msg {
		defer cancel()
		msg := countsLoadedMsg{seq: seq}
		if msg.wl, msg.err = st.Worklist(ctx, q); msg.err != nil {
			return msg
		}
		msg.sync, msg.err = st.SyncState(ctx)
		return msg
	}
}

func (m today) loadPage(off, limit int) (today, tea.Cmd) {
	m.seq++
	m.loading = true
	return m, m.pageCmd(off, limit)
}

func (m today) pageCmd(off, limit int) tea.Cmd {
	seq, st, q := m.seq, m.env.store, m.query()
	q.Limit, q.Offset = limit, off
	return withTimeout(func(ctx context.Context) tea.Msg {
		wl, err := st.Worklist(ctx, q)
		if err != nil {
			return worklistLoadedMsg{seq: seq, offset: off, limit: limit, err: err}
		}
		locs := map[string]*time.Location{}
		for i, r := range wl.Rows {
			wl.Rows[i] = cleanRow(r)
			if _, ok := locs[r.Zone]; !ok && r.Zone != "" {
				// An unknown zone stays nil: the row shows no local time.
				locs[r.Zone], _ = time.LoadLocation(r.Zone)
			}
		}
		return worklistLoadedMsg{seq: seq, offset: off, limit: limit, wl: wl, locs: locs}
	})
}

func (m *today) syncDone(msg syncFinishedMsg) {
	m.offline = msg.err != nil && errorsIsOffline(msg.err)
}

// rowKey is a worklist row's identity across reloads: a task row by its
// task, a suggestion by its account and the contact it proposes.
type rowKey struct {
	task, account, contact int64
}

func keyOf(r model.Row) rowKey {
	if r.Task.ID != 0 {
		return rowKey{task: r.Task.ID}
	}
	return rowKey{account: r.Account.ID, contact: r.Contact.ID}
}

// anchor is what a page reply keeps under the cursor: the row, else the
// row that followed it (the next row moves up into a finished one's place).
type anchor struct {
	row, next rowKey
	hasNext   bool
}

// in is the index in rows of the anchor's row, else of its successor, else
// -1; exact says it is the row itself.
func (a anchor) in(rows []model.Row) (i int, exact bool) {
	if i := indexOfRow(rows, a.row); i >= 0 {
		return i, true
	}
	if a.hasNext {
		return indexOfRow(rows, a.next), false
	}
	return -1, false
}

func indexOfRow(rows []model.Row, k rowKey) int {
	for i, r := range rows {
		if keyOf(r) == k {
			return i
		}
	}
	return -1
}

// leaving marks the row the rep acted on: the reload after the action is
// expected not to find it, so no wider page is asked for it and the cursor
// goes to the row that moves up into its place.
func (m *today) leaving(r model.Row) { m.gone = keyOf(r) }

// selected is the row under the cursor, if it is loaded.
func (m today) selected() (model.Row, bool) {
	i := m.cur - m.off
	if i < 0 || i >= len(m.rows) {
		return model.Row{}, false
	}
	return m.rows[i], true
}

// wantedRow is the row a page reply should keep under the cursor: the one
// a wider page is being fetched for, else the one under the cursor now.
func (m today) wantedRow() (anchor, bool) {
	if m.seeking {
		return m.seek, true
	}
	r, ok := m.selected()
	if !ok {
		return anchor{}, false
	}
	a := anchor{row: keyOf(r)}
	if i := m.cur + 1 - m.off; i < len(m.rows) {
		a.next, a.hasNext = keyOf(m.rows[i]), true
	}
	return a, true
}

// last is the highest index the cursor may reach with what is known.
func (m today) last() int {
	if m.end {
		return m.off + len(m.rows) - 1
	}
	if m.haveCounts {
		return max(m.off+len(m.rows)-1, m.countTotal()-1)
	}
	return m.off + len(m.rows) - 1 + firstPage
}

func (m today) countTotal() int {
	n := m.counts.Due + m.counts.Overdue + m.counts.Suggested
	if m.f.held {
		n += m.counts.HeldBack
	}
	return n
}

func (m today) listHeight() int {
	h := m.height - 3 // two header lines and the column heads
	if m.width < wideWidth {
		h -= 2 // the why and the contact line
	}
	if m.prompt.active() {
		h--
	}
	return max(1, h)
}

func (m *today) scroll() {
	vis := m.listHeight()
	if m.cur < m.top {
		m.top = m.cur
	}
	if m.cur >= m.top+vis {
		m.top = m.cur - vis + 1
	}
	m.top = max(0, m.top)
}

// fill loads a bigger page when the screen shows more rows than are loaded
// (a tall terminal, a resize).
func (m today) fill() (today, tea.Cmd) {
	if !m.loaded || m.end || m.loading || m.top+m.listHeight() <= m.off+len(m.rows) {
		return m, nil
	}
	return m.loadPage(m.off, max(pageSize, m.top-m.off+m.listHeight()))
}

// move shifts the cursor and fetches another page when it leaves this one.
func (m today) move(delta int) (today, tea.Cmd) {
	// The rep moved on: a wider page in flight keeps the row now under the
	// cursor, not the one it was asked for.
	m.seeking = false
	m.cur = max(0, min(m.last(), m.cur+delta))
	m.scroll()
	if m.cur >= m.off && m.cur < m.off+len(m.rows) {
		return m, nil
	}
	if m.loading && m.cur >= m.off {
		return m, nil
	}
	return m.loadPage(max(0, m.cur-pageSize/4), pageSize)
}

func (m today) Update(msg tea.Msg) (today, tea.Cmd) {
	switch msg := msg.(type) {
	case worklistLoadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			return m, statusCmd(errText("load the worklist", msg.err), true)
		}
		if len(msg.wl.Rows) == 0 && msg.offset > 0 {
			// Past the end (the list shrank): fetch the last page.
			return m.loadPage(max(0, msg.offset-pageSize), pageSize)
		}
		first := !m.loaded && !m.haveCounts && m.seq == 1
		// The row under the cursor is what the rep is looking at: a page
		// that moved it (another process's commit, a sync, the rep's own
		// action) must not put another row under the next key.
		want, had := m.wantedRow()
		found, exact := -1, false
		if had {
			found, exact = want.in(msg.wl.Rows)
		}
		whole := msg.offset == 0 && len(msg.wl.Rows) < msg.limit
		if had && !exact && !whole && !m.seeking && want.row != m.gone {
			// Not in this page: it may have moved past the page's edge.
			// Keep what is on screen and look in a wider page once.
			m.seek, m.seeking = want, true
			return m.loadPage(max(0, m.cur-pageSize/2), pageSize)
		}
		m.seeking = false
		m.rows, m.off, m.loaded = msg.wl.Rows, msg.offset, true
		m.end = len(msg.wl.Rows) < msg.limit
		if found >= 0 {
			m.cur = msg.offset + found
		}
		if m.cur > m.last() {
			m.cur = max(0, m.last())
		}
		// The viewport stays put and only scrolls to keep the row in
		// view: rows that arrived above stay visible when there is room.
		m.scroll()
		for k, v := range msg.locs {
			m.locs[k] = v
		}
		var fill tea.Cmd
		m, fill = m.fill()
		if first {
			counts := m.countsCmd()
			return m, tea.Batch(fill, counts, m.doneTodayCmd())
		}
		return m, fill
	case countsLoadedMsg:
		if msg.seq != m.cseq {
			return m, nil
		}
		if msg.err != nil {
			return m, statusCmd(errText("count the worklist", msg.err), true)
		}
		m.counts, m.haveCounts = msg.wl, true
		m.syncState = msg.sync
		return m, nil
	case doneTodayMsg:
		if msg.seq != m.cseq {
			return m, nil
		}
		if msg.err != nil {
			return m, statusCmd(errText("count today's touches", msg.err), true)
		}
		m.doneToday, m.haveDone = msg.n, true
		return m, nil
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			return m.move(-3)
		case tea.MouseButtonWheelDown:
			return m.move(3)
		}
		return m, nil
	case tea.KeyMsg:
		if m.prompt.active() {
			m.prompt, _ = m.prompt.Update(msg)
			if d, ok := m.prompt.take(); ok {
				return m.promptDone(d)
			}
			return m, nil
		}
		m.now = m.env.now()
		if m.loaded && !m.loading && m.stale() {
			var reload, cmd tea.Cmd
			m, reload = m.reload()
			m, cmd = m.key(msg)
			return m, tea.Batch(reload, cmd)
		}
		return m.key(msg)
	}
	return m, nil
}

func (m today) key(msg tea.KeyMsg) (today, tea.Cmd) {
	k := m.env.keys
	row, ok := m.selected()
	switch {
	case key.Matches(msg, k.Up):
		return m.move(-1)
	case key.Matches(msg, k.Down):
		return m.move(1)
	case key.Matches(msg, k.PageUp):
		return m.move(-m.listHeight())
	case key.Matches(msg, k.PageDown):
		return m.move(m.listHeight())
	case key.Matches(msg, k.Top):
		return m.move(-m.cur)
	case key.Matches(msg, k.Bottom):
		return m.move(m.last() - m.cur)
	case key.Matches(msg, k.Refresh):
		return m.reload()
	case key.Matches(msg, k.Search):
		m.nav = openSearchMsg{}
		return m, nil
	case key.Matches(msg, k.Stats):
		m.nav = openStatsMsg{}
		return m, nil
	case key.Matches(msg, k.Sync):
		m.nav = startSyncMsg{}
		return m, nil
	case key.Matches(msg, k.Tier):
		m.f.tier = nextTier(m.f.tier)
		return m.refilter()
	case key.Matches(msg, k.Overdue):
		m.f.overdue = !m.f.overdue
		return m.refilter()
	case key.Matches(msg, k.Callable):
		m.f.callable = !m.f.callable
		return m.refilter()
	case key.Matches(msg, k.Channel):
		m.f.channel = nextChannel(m.f.channel)
		return m.refilter()
	case key.Matches(msg, k.Held):
		m.f.held = !m.f.held
		return m.refilter()
	case key.Matches(msg, k.ClearFilters):
		if !m.f.any() {
			return m, nil
		}
		m.f = filters{}
		return m.refilter()
	}
	if !ok {
		if key.Matches(msg, k.Open, k.Log, k.Snooze, k.Done, k.Skip, k.AddTask, k.Why) {
			return m, statusCmd("no row selected: the worklist is empty or still loading", true)
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Open):
		id := row.Account.ID
		m.nav = openAccountMsg{id: id}
		return m, nil
	case key.Matches(msg, k.Log):
		m.nav = openLogMsg{row: row}
		return m, nil
	case key.Matches(msg, k.Why):
		return m, statusCmd(fullWhy(row), false)
	case key.Matches(msg, k.Snooze), key.Matches(msg, k.Done), key.Matches(msg, k.Skip):
		if row.Kind == model.RowSignal {
			return m, statusCmd("a buyer reached out: l logs your answer and the row leaves the list", true)
		}
		if row.Task.ID == 0 {
			return m, statusCmd("a suggested row has no task yet: press a to add one, or l to log a touch", true)
		}
		if !key.Matches(msg, k.Snooze) {
			m.leaving(row)
		}
		switch {
		case key.Matches(msg, k.Done):
			return m, setTaskStatus(m.env.store, row, model.TaskDone, time.Time{}, "done", "task done: "+row.Task.Title)
		case key.Matches(msg, k.Skip):
			return m, setTaskStatus(m.env.store, row, model.TaskSkipped, time.Time{}, "skip", "task skipped: "+row.Task.Title)
		}
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.start(promptSnooze, "snooze until (tomorrow, +3, mon, "+exampleDate(m.now)+"): ", "tomorrow", row)
		return m, cmd
	case key.Matches(msg, k.AddTask):
		var cmd tea.Cmd
		m.prompt, cmd = m.prompt.start(promptTaskTitle, "new task (start with call/email/linkedin for its kind): ", "", row)
		return m, cmd
	}
	return m, nil
}

// refilter starts the list again from the top under the new filters.
func (m today) refilter() (today, tea.Cmd) {
	m.cur, m.top, m.rows, m.off, m.end, m.loaded, m.haveCounts = 0, 0, nil, 0, false, false, false
	m.seeking = false
	return m.reload()
}

func (m today) promptDone(msg promptDoneMsg) (today, tea.Cmd) {
	now := m.env.now()
	switch msg.kind {
	case promptSnooze:
		until, hasTime, err := model.ParseDueFor(msg.value, now, model.DueSnooze)
		if err != nil {
			return m, statusCmd("snooze: "+err.Error(), true)
		}
		m.leaving(msg.row)
		return m, setTaskStatus(m.env.store, msg.row, model.TaskSnoozed, until, "snooze",
			"snoozed until "+model.DayWord(until, hasTime, now)+": "+msg.row.Task.Title)
	case promptTaskTitle:
		title := strings.TrimSpace(msg.value)
		if title == "" {
			return m, statusCmd("add task: a task needs a title; press a to try again", true)
		}
		var cmd tea.Cmd
		r := msg.row
		r.Task.Title = title
		m.prompt, cmd = m.prompt.start(promptTaskDue, "due (today, tomorrow, +3, mon, "+exampleDate(now)+" 14:30): ", "tomorrow", r)
		return m, cmd
	case promptNote:
		return m, editNote(m.env.store, msg.touchID, msg.value, msg.prior, msg.noteOf)
	case promptTaskDue:
		due, hasTime, err := model.ParseDueFor(msg.value, now, model.DueTask)
		if err != nil {
			return m, statusCmd("add task: "+err.Error(), true)
		}
		return m, addTask(m.env.store, msg.row, taskFromTitle(msg.row, due, hasTime, now), now)
	}
	return m, nil
}

// taskFromTitle builds a local task; a first word naming a kind sets it.
func taskFromTitle(r model.Row, due time.Time, hasTime bool, now time.Time) model.Task {
	title := strings.TrimSpace(r.Task.Title)
	kind := model.TaskTodo
	// "call Liam about the pilot": the word says the kind, the rest is
	// the title ("Liam about the pilot"); a title of only the word gets
	// the kind's name from the store.
	if first, rest, _ := strings.Cut(title, " "); first != "" {
		if k, err := model.ParseTaskKind(first); err == nil {
			kind, title = k, strings.TrimSpace(rest)
		}
	}
	return model.Task{AccountID: r.Account.ID, ContactID: r.Contact.ID, Kind: kind, Title: title,
		Due: due, DueHasTime: hasTime, Priority: model.PriorityMedium, Status: model.TaskOpen,
		Origin: model.OriginLocal, CreatedAt: now}
}

func nextTier(t model.Tier) model.Tier {
	switch t {
	case "":
		return model.TierA
	case model.TierA:
		return model.TierB
	case model.TierB:
		return model.TierC
	case model.TierC:
		return model.TierD
	}
	return ""
}

func nextChannel(k model.TaskKind) model.TaskKind {
	for i, x := range model.TaskKinds {
		if x == k {
			if i+1 < len(model.TaskKinds) {
				return model.TaskKinds[i+1]
			}
			return ""
		}
	}
	return model.TaskKinds[0]
}

// fullWhy is the whole "why this row" for the status line (y), every term
// with its detail, where the line under the table has room for a part.
func fullWhy(r model.Row) string {
	parts := make([]string, 0, len(r.Why))
	for _, t := range r.Why {
		if t.Value == 0 && t.Detail == "" {
			continue
		}
		p := fmt.Sprintf("%s %+.1f", t.Name, t.Value)
		if t.Detail != "" {
			p += " (" + t.Detail + ")"
		}
		parts = append(parts, p)
	}
	why := fmt.Sprintf("why %s is here: rank %.1f = %s", r.Account.Name, r.Rank, strings.Join(parts, " · "))
	if r.Held {
		why += " · held: " + string(r.HeldReason) + " — " + r.HeldDetail
	}
	return why
}

func (m today) helpKeys() keyHelp {
	k := m.env.keys
	if m.prompt.active() {
		return m.prompt.helpKeys()
	}
	return keyHelp{short: []key.Binding{k.Log, k.Open, k.Undo, k.Search, k.Snooze, k.Done, k.Why, k.Tier, k.Stats, k.Sync}}
}
