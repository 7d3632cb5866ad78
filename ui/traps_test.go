package ui

import (
	"strings"
	"testing"

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
