package ui

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// Typing a name on the account screen searches for it: "/olivia" used to
// open the CRM (o), the log screen (l) and log "left voicemail" (v).
func TestTypingOnAccountScreenSearches(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("enter")
	h.wantScreen(scrAccount)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/olivia")})
	h.wantScreen(scrSearch)
	if got := h.m.search.in.Value(); got != "olivia" {
		t.Fatalf("search text = %q, want olivia", got)
	}
	if len(st.logs) != 0 || len(h.fx.opened) != 0 {
		t.Fatalf("typing a name ran commands: logs %v, opened %v", st.logs, h.fx.opened)
	}
	// The same keys one by one, as a slow typist sends them.
	h.keys("esc")
	h.wantScreen(scrAccount)
	h.keys("/", "o", "l", "i", "v")
	h.wantScreen(scrSearch)
	if len(st.logs) != 0 || len(h.fx.opened) != 0 {
		t.Fatalf("typing a name ran commands: logs %v, opened %v", st.logs, h.fx.opened)
	}
}

// A letter that means nothing on a screen does nothing and says where it
// works; q goes back everywhere but Today.
func TestUnboundKeysSayWhereTheyWork(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("enter", "z")
	h.wantScreen(scrAccount)
	h.wantStatus("z: snooze works on Today")
	h.keys("t")
	h.wantStatus("t: tier filter works on Today")
	h.keys("Q")
	h.wantStatus("Q: not a key on Account")
	h.keys("q")
	h.wantScreen(scrToday)
	if h.m.quitting {
		t.Fatal("q on the account screen quit the app")
	}
	for _, open := range [][]string{{"s"}, {"?"}, {"l"}} {
		h.keys(open...)
		h.keys("q")
		h.wantScreen(scrToday)
		if h.m.quitting {
			t.Fatalf("q after %v quit the app", open)
		}
	}
	// / works on every screen.
	for _, open := range [][]string{{"s"}, {"?"}, {"l"}} {
		h.keys(open...)
		h.keys("/")
		h.wantScreen(scrSearch)
		h.keys("esc", "esc")
		h.wantScreen(scrToday)
	}
	h.keys("q")
	if !h.m.quitting {
		t.Fatal("q on Today should quit")
	}
}

// Leaving typed text asks first: a prompt's text, the log screen's note.
func TestLeavingTypedTextAsks(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("a")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("call Liam about the pilot")})
	h.keys("esc")
	if !h.m.capturing() || !strings.Contains(h.view(), "esc again drops what you typed") || !strings.Contains(h.view(), "Liam about") {
		t.Fatalf("the first esc over typed text should ask:\n%s", h.view())
	}
	h.keys("esc")
	if h.m.capturing() {
		t.Fatal("the second esc should drop the text")
	}
	// An untouched prompt closes at once.
	h.keys("z", "esc")
	if h.m.capturing() {
		t.Fatal("esc on an untouched prompt should close it")
	}

	h.keys("l", "N", "e")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("asked for a deck")})
	h.keys("esc", "esc", "q")
	h.wantScreen(scrLog)
	h.wantStatus("a note is typed")
	h.keys("esc")
	h.wantScreen(scrToday)
	if len(st.logs) != 0 {
		t.Fatalf("leaving logged %v", st.logs)
	}
}

// One undo stack for every change, newest first, each named.
func TestOneUndoStack(t *testing.T) {
	st := newFakeStore(6, testNow())
	h := newHarness(t, testOptions(st))
	// The fake book drops a logged row and keeps the others in place.
	h.keys("l", "n")     // log no answer on Account 001
	h.keys("z", "enter") // snooze Account 002 to tomorrow
	h.keys("j", "D")     // done: Account 003
	h.keys("j", "X")     // skip: Account 004
	h.keys("j", "a")     // a new task on Account 005
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("email Pat the deck")})
	h.keys("enter", "enter")
	if len(st.added) != 1 || len(st.statuses) != 3 || len(st.logs) != 1 {
		t.Fatalf("changes: added %v, statuses %v, logs %v", st.added, st.statuses, st.logs)
	}
	want := []string{
		"undone: new task of Account 005 · email Pat Lee5",
		"undone: skip of Account 004 · call Pat Lee4",
		"undone: done of Account 003 · call Pat Lee3",
		"undone: snooze of Account 002 · call Pat Lee2",
		"undone: log of no answer · Account 001 · Pat Lee1",
		"nothing to undo",
	}
	for _, w := range want {
		h.keys("u")
		h.wantStatus(w)
	}
	if len(st.undoneAdds) != 1 || st.undoneAdds[0] != st.added[0].ID {
		t.Fatalf("undone adds %v", st.undoneAdds)
	}
	if got := strings.Join(st.undoneStatus, " "); got != "4:open 3:open 2:open" {
		t.Fatalf("undone statuses %q", got)
	}
	if len(st.undone) != 1 {
		t.Fatalf("undone logs %v", st.undone)
	}
}

// What has reached the CRM says so and leaves the stack: the next u takes
// back the change before it.
func TestUndoSyncedChangeSaysSo(t *testing.T) {
	st := newFakeStore(4, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("D")
	st.undoErr = model.ErrSynced
	h.keys("u")
	h.wantStatus("not undone: the done of Account 001 · call Pat Lee1 has been synced to the CRM: change it there")
	h.keys("u")
	h.wantStatus("nothing to undo")
}

// A past date is refused with the reason, in the TUI as in the CLI: the
// log screen's d and the snooze prompt.
func TestPastDatesRefused(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("z", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2020-01-01")})
	h.keys("enter")
	h.wantStatus("snooze: Wed 1 Jan 2020 is in the past")
	if len(st.statuses) != 0 {
		t.Fatalf("a past snooze was stored: %v", st.statuses)
	}
	h.keys("l", "N", "d")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2026-11-01")})
	h.keys("enter")
	h.wantStatus("due date: Sun 1 Nov is in the past (23 days ago)")
	if h.m.log.choice.Mode != model.NextAuto {
		t.Fatalf("a past date changed the next action: %+v", h.m.log.choice)
	}
	// A date next year shows its year.
	h.keys("d")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2027-01-05")})
	h.keys("enter")
	if v := h.view(); !strings.Contains(v, "Jan 5 2027") {
		t.Fatalf("a due date next year should show the year:\n%s", v)
	}
}

// o with no browser shows the link on one line and copies it.
func TestOpenWithoutBrowser(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.m.fx.open = func(ctx context.Context, url string) error {
		return errors.New("xdg-open: exit status 3: xdg-open: no method available for opening 'https://x'\nline two\nline three")
	}
	h.keys("o")
	want := "no browser opened, link copied (OSC 52): https://app.hubspot.com/contacts/1/company/1"
	if h.m.status.text != want {
		t.Fatalf("status = %q, want %q", h.m.status.text, want)
	}
	if len(h.fx.copied) != 1 || h.fx.copied[0] != "https://app.hubspot.com/contacts/1/company/1" {
		t.Fatalf("copied %v", h.fx.copied)
	}
	lines := strings.Split(h.view(), "\n")
	if len(lines) != 24 || !strings.HasPrefix(lines[0], "Shortlist") {
		t.Fatalf("the header must stay on screen:\n%s", h.view())
	}
}

// At 80x24 the essentials show: ? help and q in the footer of every screen,
// the whole why with y, and an error wrapped rather than cut.
func TestEssentialsAt80x24(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.rows[0].Why = []model.Term{{Name: "tier", Value: 30, Detail: "tier A"}, {Name: "overdue", Value: 2, Detail: "1d"},
		{Name: "fit", Value: 12.5, Detail: "fit 80"}, {Name: "priority", Value: 6, Detail: "priority high"},
		{Name: "stale", Value: 2, Detail: "68 days since last touch"}, {Name: "contact", Value: 1, Detail: "decision-maker"}}
	h := newHarness(t, testOptions(st))
	footer := func() string {
		lines := strings.Split(h.view(), "\n")
		return lines[len(lines)-1]
	}
	for _, tc := range []struct {
		keys []string
		q    string
	}{{nil, "q quit"}, {[]string{"enter"}, "q back"}, {[]string{"l"}, "q back"}, {[]string{"s"}, "q back"}, {[]string{"?"}, "q back"}} {
		h.keys(tc.keys...)
		if f := footer(); !strings.Contains(f, "? help") || !strings.Contains(f, tc.q) {
			t.Errorf("after %v the footer lacks ? help or %s: %q", tc.keys, tc.q, f)
		}
		if tc.keys != nil {
			h.keys("esc")
		}
	}
	if v := h.view(); !strings.Contains(v, "(y: all)") {
		t.Fatalf("a cut why should say y shows it all:\n%s", v)
	}
	h.keys("y")
	v := strings.Join(strings.Fields(h.view()), " ")
	for _, want := range []string{"68 days since last touch", "decision-maker", "rank 100.0"} {
		if !strings.Contains(v, want) {
			t.Fatalf("y should show the whole why (%q):\n%s", want, h.view())
		}
	}
	long := "add the task: the database is busy (another shortlist running?): try again in a moment, or close the other one first; nothing was saved"
	h.send(statusMsg{text: long, err: true})
	v = strings.Join(strings.Fields(h.view()), " ")
	if !strings.Contains(v, "nothing was saved") {
		t.Fatalf("a long error should wrap, not be cut:\n%s", h.view())
	}
	if lines := strings.Split(h.view(), "\n"); len(lines) != 24 || !strings.HasPrefix(lines[0], "Shortlist") {
		t.Fatalf("the screen must keep its height and header:\n%s", h.view())
	}
}

// At 200 columns the width goes to the next action and the side panel, not
// to blank name columns.
func TestWideLayout(t *testing.T) {
	c := layout(200 - sideWidth(200) - 1)
	if c.account > maxAccountWidth || c.contact > maxContactWidth || c.next < 40 {
		t.Fatalf("200 columns: %+v", c)
	}
	if sideWidth(200) <= 38 {
		t.Fatalf("side panel %d at 200 columns", sideWidth(200))
	}
	if got := layout(120 - sideWidth(120) - 1); got.next != 15 {
		t.Fatalf("120 columns keep their layout: %+v", got)
	}
}

// Trap 6: done today counts tasks marked done; e names the touch; the log
// screen's stale-row error does not send the rep to r (wrong number there);
// a new task's first word sets its kind and leaves the title; tab
// re-proposes every outcome.
func TestSmallTraps(t *testing.T) {
	st := newFakeStore(4, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("D")
	if !strings.Contains(h.view(), "done today 1") {
		t.Fatalf("a task marked done should count as done today:\n%s", h.view())
	}

	h.keys("l", "n", "e")
	if v := h.view(); !strings.Contains(v, "note for no answer · Account 001 · Pat Lee1") {
		t.Fatalf("e should name the touch it edits:\n%s", v)
	}
	h.keys("esc")

	st.logErr = model.ErrNotFound
	h.keys("l", "b")
	if strings.Contains(h.m.status.text, "press r") || !strings.Contains(h.m.status.text, "r on Today") {
		t.Fatalf("status on the log screen: %q", h.m.status.text)
	}
	st.logErr = nil
	h.keys("esc")

	h.keys("a")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("call Liam about the pilot")})
	h.keys("enter", "enter")
	if len(st.added) != 1 || st.added[0].Kind != model.TaskCall || st.added[0].Title != "Liam about the pilot" {
		t.Fatalf("added %+v", st.added)
	}

	// Every outcome is planned again for the new channel (the default
	// rules follow the channel only for sent; a config's rules may for
	// any outcome).
	h.keys("l", "tab")
	if h.m.log.channel != model.ChannelEmail || !strings.Contains(h.view(), "s S  sent                     → email") {
		t.Fatalf("tab to %s:\n%s", h.m.log.channel, h.view())
	}
	for _, o := range model.Outcomes {
		if want := h.m.log.planFor(o, model.NextChoice{Mode: model.NextAuto}, time.Time{}); !reflect.DeepEqual(h.m.log.proposals[o], want) {
			t.Fatalf("%s: proposal not re-planned for %s", o, h.m.log.channel)
		}
	}
}

// The palette's background comes from COLORFGBG, never from a query.
func TestDarkBackgroundFromEnv(t *testing.T) {
	for v, want := range map[string]bool{"": true, "15;0": true, "0;15": false, "0;7": false, "15;8": true, "default;default": true, "12;4;1": true} {
		if got := darkBackground(func(string) string { return v }); got != want {
			t.Errorf("COLORFGBG=%q: dark %v, want %v", v, got, want)
		}
	}
}

// After undo the cursor is back on the row the change took away.
func TestUndoReturnsToTheRow(t *testing.T) {
	st := newFakeStore(5, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("j", "j", "l", "n") // Account 003 leaves the list
	if r, _ := h.m.today.selected(); r.Account.Name != "Account 004" {
		t.Fatalf("after the log the cursor is on %q", r.Account.Name)
	}
	st.mu.Lock()
	st.rows = append(st.rows[:2:2], append([]model.Row{newFakeStore(5, testNow()).rows[2]}, st.rows[2:]...)...)
	st.mu.Unlock()
	h.keys("g", "u")
	h.wantStatus("undone: log of no answer · Account 003")
	if r, _ := h.m.today.selected(); r.Account.Name != "Account 003" {
		t.Fatalf("after undo the cursor is on %q, want Account 003", r.Account.Name)
	}
}
