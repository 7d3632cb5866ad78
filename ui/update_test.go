package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/shortlisthq/shortlist/model"
)

// testNow is the fixed clock: Tuesday 24 Nov 2026, 10:00 in New York.
func testNow() time.Time {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
}

func testOptions(st model.Store) Options {
	set := model.DefaultSettings()
	set.RepName, set.RepZone = "Alex Rep", "America/New_York"
	return Options{Store: st, Settings: set, Profile: model.DefaultProfile(), Now: testNow}
}

// harness drives a root model: it runs every Cmd and feeds its messages
// back, the way the Bubble Tea loop does, without a terminal.
type harness struct {
	t    *testing.T
	m    root
	quit bool
	fx   *fakeEffects
}

type fakeEffects struct {
	opened []string
	copied []string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	m := New(opts).(root)
	fx := &fakeEffects{}
	m.fx = effects{
		open: func(ctx context.Context, url string) error { fx.opened = append(fx.opened, url); return nil },
		copy: func(s string) error { fx.copied = append(fx.copied, s); return nil },
	}
	h := &harness{t: t, m: m, fx: fx}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(m.Init())
	return h
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	nm, cmd := h.m.Update(msg)
	h.m = nm.(root)
	h.run(cmd)
}

// run executes cmd and what it leads to; a Cmd that blocks for a second
// (a wait on a quiet channel) is dropped.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			h.t.Fatal("commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(time.Second):
			continue
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			nm, next := h.m.Update(msg)
			h.m = nm.(root)
			queue = append(queue, next)
		}
	}
}

func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+j":
		return tea.KeyMsg{Type: tea.KeyCtrlJ}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) view() string { return h.m.View() }

func (h *harness) wantScreen(s screen) {
	h.t.Helper()
	if h.m.active != s {
		h.t.Fatalf("active screen = %d, want %d\n%s", h.m.active, s, h.view())
	}
}

func (h *harness) wantStatus(sub string) {
	h.t.Helper()
	if !strings.Contains(h.m.status.text, sub) {
		h.t.Fatalf("status = %q, want it to contain %q", h.m.status.text, sub)
	}
}

func TestTodayLoadsAndMoves(t *testing.T) {
	st := newFakeStore(30, testNow())
	h := newHarness(t, testOptions(st))
	if !h.m.today.loaded || len(h.m.today.rows) != 30 || !h.m.today.haveCounts {
		t.Fatalf("today not loaded: %d rows, counts %v", len(h.m.today.rows), h.m.today.haveCounts)
	}
	v := h.view()
	for _, want := range []string{"Account 001", "due 30", "Alex Rep", "Tue 24 Nov 10:00"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	cases := []struct {
		keys []string
		want int
	}{
		{[]string{"j"}, 1}, {[]string{"down"}, 2}, {[]string{"k"}, 1}, {[]string{"up"}, 0},
		{[]string{"k"}, 0}, {[]string{"G"}, 29}, {[]string{"g"}, 0}, {[]string{"pgdown"}, h.m.today.listHeight()},
	}
	for _, c := range cases {
		h.keys(c.keys...)
		if h.m.today.cur != c.want {
			t.Fatalf("after %v cursor = %d, want %d", c.keys, h.m.today.cur, c.want)
		}
	}
	h.keys("G")
	if !strings.Contains(h.view(), "Account 030") {
		t.Fatalf("the last row is not on screen after G:\n%s", h.view())
	}
	h.send(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if h.m.today.cur != 26 {
		t.Fatalf("wheel up: cursor %d, want 26", h.m.today.cur)
	}
}

func TestStaleListReloadsOnKey(t *testing.T) {
	st := newFakeStore(5, testNow())
	now := testNow()
	opts := testOptions(st)
	opts.Now = func() time.Time { return now }
	h := newHarness(t, opts)
	n := len(st.queries)
	h.keys("j")
	if len(st.queries) != n {
		t.Fatal("a fresh list must not reload on a key")
	}
	now = now.Add(6 * time.Minute)
	h.keys("j")
	if len(st.queries) == n || !st.lastQuery().Now.Equal(now) {
		t.Fatalf("a list older than %v should reload on a key at the new time", staleAfter)
	}
	if h.m.today.cur != 2 || !strings.Contains(h.view(), "10:06") {
		t.Fatalf("cursor %d, want 2 and the new time on screen:\n%s", h.m.today.cur, h.view())
	}
}

func TestRouting(t *testing.T) {
	st := newFakeStore(5, testNow())
	st.hits = []model.SearchHit{{AccountID: 3, AccountName: "Account 003", ContactName: "Pat Lee3", Tier: model.TierA}}
	h := newHarness(t, testOptions(st))

	h.keys("enter")
	h.wantScreen(scrAccount)
	if !strings.Contains(h.view(), "Account 001") || !strings.Contains(h.view(), "Buying committee") {
		t.Fatalf("account screen:\n%s", h.view())
	}
	h.keys("esc")
	h.wantScreen(scrToday)

	h.keys("?")
	h.wantScreen(scrHelp)
	if !strings.Contains(h.view(), "log outcome") {
		t.Fatalf("help lacks the log key:\n%s", h.view())
	}
	h.keys("?")
	h.wantScreen(scrToday)

	h.keys("/")
	h.wantScreen(scrSearch)
	h.keys("q") // typed, not quit
	if h.quit || h.m.search.in.Value() != "q" {
		t.Fatalf("q in search must be text: quit=%v value=%q", h.quit, h.m.search.in.Value())
	}
	if len(h.m.search.hits) != 1 {
		t.Fatalf("search hits = %d, want 1", len(h.m.search.hits))
	}
	h.keys("enter")
	h.wantScreen(scrAccount)
	if h.m.account.id != 3 {
		t.Fatalf("opened account %d, want 3", h.m.account.id)
	}
	h.keys("esc", "esc")
	h.wantScreen(scrToday)

	h.keys("s")
	h.wantScreen(scrStats)
	if !strings.Contains(h.view(), "connect rate") {
		t.Fatalf("stats:\n%s", h.view())
	}
	h.keys("esc")
	h.wantScreen(scrToday)

	h.keys("l")
	h.wantScreen(scrLog)
	h.keys("esc")
	h.wantScreen(scrToday)

	h.keys("q")
	if !h.quit {
		t.Fatal("q did not quit")
	}
}

func TestCtrlCQuitsFromTextInput(t *testing.T) {
	h := newHarness(t, testOptions(newFakeStore(3, testNow())))
	h.keys("/", "a", "ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c in search did not quit")
	}
}

func TestLogNoAnswerInTwoKeys(t *testing.T) {
	st := newFakeStore(10, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("j", "j") // third row: Account 003
	h.keys("l", "n")
	h.wantScreen(scrToday)
	if len(st.logs) != 1 {
		t.Fatalf("logs = %d, want 1", len(st.logs))
	}
	req := st.logs[0]
	if req.Outcome != model.OutcomeNoAnswer || req.TaskID != 3 || req.ContactID != 3 || req.Channel != model.ChannelCall {
		t.Fatalf("request = %+v", req)
	}
	want := model.DefaultSettings().ProposeNext(model.OutcomeNoAnswer, st.rows[0].Contact, st.rows[0].Account, testNow(), time.Time{})
	got := st.results[0].Next
	if req.Next.Mode != model.NextAuto || (want == nil) != (got == nil) || (want != nil && !got.Due.Equal(want.Due)) {
		t.Fatalf("next = %+v (%+v), want the proposal %+v", got, req.Next, want)
	}
	h.wantStatus("logged no answer")
	// The logged row is gone; the cursor sits on the row that followed it.
	if r, _ := h.m.today.selected(); r.Account.Name != "Account 004" {
		t.Fatalf("cursor on %q, want Account 004", r.Account.Name)
	}

	h.keys("e")
	if !h.m.capturing() {
		t.Fatal("e on Today should edit the last logged touch's note")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("rang twice")})
	h.keys("enter")
	if st.notes[1001] != "rang twice" {
		t.Fatalf("notes = %v", st.notes)
	}

	// One stack, newest first: the note edit, then the log.
	h.keys("u")
	h.wantStatus("undone: note edit of no answer · Account 003 · Pat Lee3")
	if st.notes[1001] != "" || len(st.undone) != 0 {
		t.Fatalf("the first u should take back the note only: notes %v, undone %v", st.notes, st.undone)
	}
	h.keys("u")
	if len(st.undone) != 1 || st.undone[0] != 1001 {
		t.Fatalf("undone = %v, want [1001]", st.undone)
	}
	h.wantStatus("undone: log of no answer · Account 003 · Pat Lee3")
	h.keys("u")
	h.wantStatus("nothing to undo")
	h.keys("e")
	h.wantStatus("no touch logged")
}

func TestUndoSynced(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.undoErr = model.ErrSynced
	h := newHarness(t, testOptions(st))
	h.keys("l", "b", "u")
	h.wantStatus("not undone: the log of busy · Account 001 · Pat Lee1 has been synced to the CRM")
}

func TestLogChangeProposalAndNote(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("l", "M")
	h.wantScreen(scrLog)
	if !h.m.log.date.active() {
		t.Fatalf("M should ask when the meeting is")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("thu 14:00")})
	h.keys("enter")
	if h.m.log.picking || h.m.log.outcome != model.OutcomeMeetingBooked {
		t.Fatalf("M and a meeting time should open the next-action step for meeting booked")
	}
	// Tuesday 24 Nov: a meeting on Thursday is prepared for on Wednesday.
	if y, mo, d := h.m.log.plan.Next.Due.Date(); y != 2026 || mo != 11 || d != 25 {
		t.Fatalf("prep due %v, want Wed 25 Nov, the business day before the meeting", h.m.log.plan.Next.Due)
	}
	h.keys("3")
	wantDue := model.AddBusinessDays(testNow(), 3)
	if y, m, d := h.m.log.plan.Next.Due.Date(); y != wantDue.Year() || m != wantDue.Month() || d != wantDue.Day() {
		t.Fatalf("due after 3 = %v, want %v", h.m.log.plan.Next.Due, wantDue)
	}
	h.keys("e")
	if !h.m.capturing() {
		t.Fatal("e should focus the note")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("demo Tue")})
	h.keys("ctrl+j", "x", "backspace", "q") // q is text here
	h.keys("enter")
	h.wantScreen(scrToday)
	if len(st.logs) != 1 || st.logs[0].Note != "demo Tue\nq" || st.logs[0].Outcome != model.OutcomeMeetingBooked {
		t.Fatalf("logs = %+v", st.logs)
	}
}

func TestLogProposalKeys(t *testing.T) {
	now := testNow()
	st := newFakeStore(3, now)
	h := newHarness(t, testOptions(st))
	h.keys("l", "N", "t")
	tom := model.AddBusinessDays(now, 0).AddDate(0, 0, 1)
	if h.m.log.plan.Next == nil || h.m.log.plan.Next.Due.Day() != tom.Day() {
		t.Fatalf("t: next = %+v, want tomorrow", h.m.log.plan.Next)
	}
	h.keys("s")
	if h.m.log.plan.Next != nil {
		t.Fatal("s should drop the next action")
	}
	h.keys("d")
	if !h.m.capturing() {
		t.Fatal("d should open the date prompt")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2026-12-01")})
	h.keys("enter")
	if h.m.log.plan.Next == nil || h.m.log.plan.Next.Due.Format("2006-01-02") != "2026-12-01" {
		t.Fatalf("typed date: next = %+v", h.m.log.plan.Next)
	}
	h.keys("d")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("someday")})
	h.keys("enter")
	h.wantStatus("due date")
	h.keys("esc") // back to the picker
	if !h.m.log.picking {
		t.Fatal("esc should go back to the outcome picker")
	}
	h.keys("esc")
	h.wantScreen(scrToday)
	if len(st.logs) != 0 {
		t.Fatalf("nothing should be logged, got %d", len(st.logs))
	}
}

func TestLogErrorKeepsScreen(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.logErr = model.ErrBusy
	h := newHarness(t, testOptions(st))
	h.keys("l", "n")
	h.wantScreen(scrLog)
	h.wantStatus("database is busy")
	st.logErr = nil
	h.keys("n")
	if len(st.logs) != 1 {
		t.Fatalf("retry after an error should log: %d logs", len(st.logs))
	}
}

func TestFilters(t *testing.T) {
	st := newFakeStore(5, testNow())
	h := newHarness(t, testOptions(st))
	steps := []struct {
		key   string
		check func(q model.WorklistQuery) bool
	}{
		{"t", func(q model.WorklistQuery) bool { return q.Tier == model.TierA }},
		{"t", func(q model.WorklistQuery) bool { return q.Tier == model.TierB }},
		{"O", func(q model.WorklistQuery) bool { return q.Overdue && q.Tier == model.TierB }},
		{"C", func(q model.WorklistQuery) bool { return q.CallableNow }},
		{"w", func(q model.WorklistQuery) bool { return q.Channel == model.TaskCall }},
		{"w", func(q model.WorklistQuery) bool { return q.Channel == model.TaskEmail }},
		{"H", func(q model.WorklistQuery) bool { return q.IncludeHeld }},
		{"x", func(q model.WorklistQuery) bool {
			return q.Tier == "" && !q.Overdue && !q.CallableNow && q.Channel == "" && !q.IncludeHeld
		}},
	}
	for _, s := range steps {
		h.keys(s.key)
		if q := st.lastQuery(); !s.check(q) {
			t.Fatalf("after %q the query is %+v", s.key, q)
		}
	}
	h.keys("t", "t")
	if !strings.Contains(h.view(), "no rows match tier B") {
		t.Fatalf("an empty filtered list should say so:\n%s", h.view())
	}
}

func TestTaskKeys(t *testing.T) {
	st := newFakeStore(5, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("D")
	h.keys("j", "X")
	h.keys("z", "enter")
	h.keys("a")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("email the deck")})
	h.keys("enter")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("")})
	h.keys("enter")
	want := []string{"1:done:0001-01-01", "2:skipped:0001-01-01", "2:snoozed:2026-11-25"}
	if strings.Join(st.statuses, " ") != strings.Join(want, " ") {
		t.Fatalf("statuses = %v, want %v", st.statuses, want)
	}
	if len(st.added) != 1 || st.added[0].Kind != model.TaskEmail || st.added[0].Title != "the deck" || st.added[0].ContactID != 2 {
		t.Fatalf("added = %+v", st.added)
	}
	h.keys("z", "esc")
	if len(st.statuses) != 3 || h.m.capturing() {
		t.Fatal("esc should cancel the snooze prompt")
	}
}

func TestOpenAndCopy(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("o", "c")
	if len(h.fx.opened) != 1 || h.fx.opened[0] != st.rows[0].Account.CRMURL {
		t.Fatalf("opened = %v", h.fx.opened)
	}
	if len(h.fx.copied) != 1 || h.fx.copied[0] != "+1 212 555 0100" {
		t.Fatalf("copied = %v", h.fx.copied)
	}
	h.wantStatus("copied phone")
}

func TestSyncNotConfigured(t *testing.T) {
	h := newHarness(t, testOptions(newFakeStore(3, testNow())))
	h.keys("S")
	h.wantScreen(scrToday)
	h.wantStatus("sync not configured")
}

func TestSyncRunsAndReports(t *testing.T) {
	opts := testOptions(newFakeStore(3, testNow()))
	opts.Syncer = fakeSyncer{report: model.SyncReport{Pulled: 10, Pushed: 2}}
	h := newHarness(t, opts)
	h.keys("S")
	h.wantScreen(scrSync)
	if !h.m.sync.finished || !strings.Contains(h.view(), "pulled 10 · pushed 2") {
		t.Fatalf("sync summary:\n%s", h.view())
	}
	h.keys("enter")
	h.wantScreen(scrToday)
}

func TestSyncOffline(t *testing.T) {
	opts := testOptions(newFakeStore(3, testNow()))
	opts.Syncer = fakeSyncer{report: model.SyncReport{Pending: 4}, err: model.ErrOffline}
	h := newHarness(t, opts)
	h.keys("S")
	h.wantScreen(scrToday)
	h.wantStatus("offline: 4 changes queued")
	if !strings.Contains(h.view(), "offline") {
		t.Fatalf("header should say offline:\n%s", h.view())
	}
}

func TestSyncCancel(t *testing.T) {
	opts := testOptions(newFakeStore(3, testNow()))
	opts.Syncer = fakeSyncer{block: true}
	m := New(opts).(root)
	nm, cmd := m.Update(startSyncMsg{})
	m = nm.(root)
	if !m.sync.running || cmd == nil {
		t.Fatal("sync not running")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("start should batch the sync and the progress wait, got %T", cmd())
	}
	finished := make(chan tea.Msg, 1)
	go func() { finished <- batch[0]() }()
	p := batch[1]()
	if pm, ok := p.(syncProgressMsg); !ok || pm.p.What != "companies" {
		t.Fatalf("first progress = %#v", p)
	}
	nm, _ = m.Update(p)
	m = nm.(root)
	if !strings.Contains(m.View(), "companies") || !strings.Contains(m.View(), "50%") {
		t.Fatalf("progress view:\n%s", m.View())
	}
	nm, _ = m.Update(keyMsg("esc"))
	m = nm.(root)
	select {
	case msg := <-finished:
		fm, ok := msg.(syncFinishedMsg)
		if !ok || !errors.Is(fm.err, context.Canceled) {
			t.Fatalf("finished = %#v, want context.Canceled", msg)
		}
		nm, _ = m.Update(fm)
		m = nm.(root)
		if !strings.Contains(m.View(), "sync cancelled") {
			t.Fatalf("cancelled view:\n%s", m.View())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("esc did not cancel the sync")
	}
}

func TestStaleRepliesDropped(t *testing.T) {
	st := newFakeStore(5, testNow())
	h := newHarness(t, testOptions(st))
	old := worklistLoadedMsg{seq: h.m.today.seq - 1, wl: model.Worklist{Rows: nil}}
	h.send(old)
	if len(h.m.today.rows) != 5 {
		t.Fatal("a stale page replaced the current one")
	}
	h.send(searchedMsg{seq: -1, hits: []model.SearchHit{{AccountName: "x"}}})
	if len(h.m.search.hits) != 0 {
		t.Fatal("a stale search reply was applied")
	}
}

func TestSanitizedText(t *testing.T) {
	st := newFakeStore(2, testNow())
	st.rows[0].Account.Name = "Evil\x1b]0;pwned\x07 Corp\x1b[31m"
	st.rows[0].Contact.Title = "VP\u009b2J Sales\x00"
	h := newHarness(t, testOptions(st))
	for _, w := range []int{80, 120} {
		h.send(tea.WindowSizeMsg{Width: w, Height: 30})
		v := h.view()
		if strings.ContainsAny(v, "\x1b\x07\u009b\x00") || strings.Contains(v, "pwned") {
			t.Fatalf("raw control text reached the screen at %d: %q", w, v)
		}
	}
	h.keys("enter")
	if strings.Contains(h.view(), "pwned") {
		t.Fatal("account screen draws an OSC title")
	}
}

func TestStatusErrorNeverCrashes(t *testing.T) {
	h := newHarness(t, testOptions(newFakeStore(0, testNow())))
	h.keys("l", "enter", "z", "D", "o", "c")
	if h.m.active != scrToday {
		t.Fatal("keys on an empty list must stay on Today")
	}
	if !strings.Contains(h.view(), "nothing due") {
		t.Fatalf("empty list:\n%s", h.view())
	}
}

func TestAccountKeys(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.detail = model.AccountDetail{Touches: []model.Touch{{ID: 77, ContactID: 1, Channel: model.ChannelCall, Outcome: model.OutcomeConnected, Note: "old", At: testNow().Add(-time.Hour)}}}
	h := newHarness(t, testOptions(st))
	h.keys("enter", "l")
	h.wantStatus("select a contact")
	h.keys("j")
	if c := h.m.account.selectedContact(); c.ID != 1 {
		t.Fatalf("j should select the contact, got %+v", c)
	}
	h.keys("l")
	h.wantScreen(scrLog)
	h.keys("c") // connected, accept
	h.wantScreen(scrAccount)
	if len(st.logs) != 1 || st.logs[0].Outcome != model.OutcomeConnected || st.logs[0].TaskID != 1 {
		t.Fatalf("logs = %+v", st.logs)
	}
	h.keys("j", "e")
	if !h.m.capturing() {
		t.Fatal("e on a touch should open the note prompt")
	}
	h.keys("backspace", "backspace", "backspace")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("new note")})
	h.keys("enter")
	if st.notes[77] != "new note" {
		t.Fatalf("notes = %v", st.notes)
	}
	h.keys("o")
	if len(h.fx.opened) != 1 {
		t.Fatal("o on the account screen should open the CRM")
	}
}

func TestMoreKeys(t *testing.T) {
	st := newFakeStore(60, testNow())
	h := newHarness(t, testOptions(st))
	n := len(st.queries)
	h.keys("r")
	if len(st.queries) <= n {
		t.Fatal("r should reload the worklist")
	}
	h.keys("G")
	h.send(tea.KeyMsg{Type: tea.KeyPgUp})
	if want := 59 - h.m.today.listHeight(); h.m.today.cur != want {
		t.Fatalf("pgup: cursor %d, want %d", h.m.today.cur, want)
	}
	h.send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if want := 62 - h.m.today.listHeight(); h.m.today.cur != want {
		t.Fatalf("wheel down: cursor %d, want %d", h.m.today.cur, want)
	}

	// Account screen: paging and top/bottom scroll the page.
	h.keys("g", "enter")
	h.m.account.setSize(80, 5)
	h.keys("G")
	if h.m.account.top == 0 {
		t.Fatal("G on the account screen should scroll to the end")
	}
	h.keys("g")
	if h.m.account.top != 0 {
		t.Fatal("g on the account screen should scroll to the top")
	}
	h.keys("pgdown")
	if h.m.account.top == 0 {
		t.Fatal("pgdown on the account screen should scroll")
	}
	h.keys("esc")

	// Search: ctrl+n/ctrl+p and arrows move, backspace searches again.
	st.hits = []model.SearchHit{{AccountID: 1, AccountName: "A"}, {AccountID: 2, AccountName: "B"}}
	h.keys("/", "x")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlN})
	if h.m.search.cur != 1 {
		t.Fatalf("ctrl+n: cur %d", h.m.search.cur)
	}
	h.send(tea.KeyMsg{Type: tea.KeyCtrlP})
	h.keys("down", "enter")
	if h.m.account.id != 2 {
		t.Fatalf("enter opened account %d, want 2", h.m.account.id)
	}
	h.keys("esc", "backspace")
	if h.m.search.in.Value() != "" || len(h.m.search.hits) != 0 {
		t.Fatal("clearing the text should clear the hits")
	}
	h.keys("enter")
	h.wantStatus("no account selected")
	h.keys("esc")
	h.wantScreen(scrToday)

	// Stats refresh.
	h.keys("s", "r")
	h.wantScreen(scrStats)
}

func TestLogScreenShowsGuardrails(t *testing.T) {
	st := newFakeStore(2, testNow())
	st.rows[0].Contact.Consent.Call = model.Consent{State: model.ConsentOptedOut}
	st.rows[1].Held, st.rows[1].HeldReason, st.rows[1].HeldDetail = true, model.HoldCallingHours, "calls 09:00–17:00 local"
	h := newHarness(t, testOptions(st))
	h.keys("l")
	if !strings.Contains(h.view(), "opted out of call") {
		t.Fatalf("log screen should warn of the opt-out:\n%s", h.view())
	}
	h.keys("esc", "j", "l")
	if !strings.Contains(h.view(), "held: outside-calling-hours") {
		t.Fatalf("log screen should show the hold:\n%s", h.view())
	}
}

// TestEmptyBookSaysHowToFillIt checks that a new rep's first screen, on a
// book with nothing in it, says how to bring accounts in rather than only
// "the list is clear"; a filtered or held-back empty list does not.
func TestEmptyBookSaysHowToFillIt(t *testing.T) {
	h := newHarness(t, testOptions(newFakeStore(0, testNow())))
	v := h.m.View()
	for _, want := range []string{"nothing due", "shortlist import accounts", "sync with the CRM", "shortlist --demo"} {
		if !strings.Contains(v, want) {
			t.Errorf("the empty book's screen lacks %q:\n%s", want, v)
		}
	}
	for i, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d wide", i, w)
		}
	}
	if n := strings.Count(v, "\n") + 1; n > 24 {
		t.Errorf("%d lines on a 24-line screen", n)
	}
}
