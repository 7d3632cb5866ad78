package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// newRowAt is another process's new worklist row, ranked at index i.
func (f *fakeStore) newRowAt(i int, id int64, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rows[0]
	r.Task.ID, r.Task.ContactID, r.Account.ID, r.Account.Name = id, id, id, name
	r.Contact.ID, r.Contact.AccountID, r.Contact.LastName = id, id, name
	f.rows = append(f.rows[:i:i], append([]model.Row{r}, f.rows[i:]...)...)
}

// dropRow is another process closing the task of row id.
func (f *fakeStore) dropRow(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rows {
		if r.Task.ID == id {
			f.rows = append(f.rows[:i:i], f.rows[i+1:]...)
			return
		}
	}
}

// selectedLine is the screen's cursor line.
func selectedLine(t *testing.T, h *harness) string {
	t.Helper()
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.HasPrefix(l, "> ") {
			return l
		}
	}
	t.Fatalf("no cursor line on screen:\n%s", h.view())
	return ""
}

// The reloads a rep does not ask for, each as the running app receives it.
var reloadTriggers = []struct {
	name string
	fire func(h *harness, st *stampStore)
}{
	{"another process's commit, seen on focus", func(h *harness, st *stampStore) {
		st.smu.Lock()
		st.changes++
		st.smu.Unlock()
		h.send(tea.FocusMsg{})
	}},
	{"a sync finished", func(h *harness, st *stampStore) { h.send(syncFinishedMsg{}) }},
	{"the rep's own action elsewhere", func(h *harness, st *stampStore) { h.send(actionDoneMsg{text: "note saved", reload: true}) }},
}

// TestReloadKeepsRowUnderCursor: rows another process adds above the
// cursor do not change the row under it, on every kind of reload, and an
// l pressed next logs for the row that was shown. It kept the index, so
// the row three above slid under the cursor and the l logged against it.
func TestReloadKeepsRowUnderCursor(t *testing.T) {
	for _, tc := range reloadTriggers {
		t.Run(tc.name, func(t *testing.T) {
			st := &stampStore{fakeStore: newFakeStore(40, testNow())}
			h := newHarness(t, testOptions(st))
			h.keys("j", "j", "j", "j", "j")
			shown, ok := h.m.today.selected()
			if !ok || shown.Task.ID != 6 {
				t.Fatalf("setup: the cursor is on task %d, want 6", shown.Task.ID)
			}
			for i, id := range []int64{9001, 9002, 9003} {
				st.newRowAt(i+1, id, fmt.Sprintf("Newcomer%d", i))
			}
			tc.fire(h, st)
			if !strings.Contains(h.view(), "Newcomer0") {
				t.Fatalf("the reload did not happen:\n%s", h.view())
			}
			if r, _ := h.m.today.selected(); r.Task.ID != shown.Task.ID {
				t.Fatalf("after the reload the cursor is on task %d (%s), want %d (%s)", r.Task.ID, r.Account.Name, shown.Task.ID, shown.Account.Name)
			}
			if l := selectedLine(t, h); !strings.Contains(l, shown.Account.Name) {
				t.Fatalf("the cursor line is %q, want %s", l, shown.Account.Name)
			}
			h.keys("l")
			h.wantScreen(scrLog)
			if h.m.log.row.Contact.ID != shown.Contact.ID {
				t.Fatalf("l opened the log for contact %d, want %d (the row shown)", h.m.log.row.Contact.ID, shown.Contact.ID)
			}
			h.keys("n")
			if n := len(st.logs); n != 1 || st.logs[0].ContactID != shown.Contact.ID || st.logs[0].TaskID != shown.Task.ID {
				t.Fatalf("logged %+v, want one log for contact %d, task %d", st.logs, shown.Contact.ID, shown.Task.ID)
			}
		})
	}
}

// TestReloadAfterRowLeftLandsOnSuccessor: when another process closes the
// row under the cursor while adding rows above it, the cursor lands on
// the row that followed it (not on whatever now holds its index).
func TestReloadAfterRowLeftLandsOnSuccessor(t *testing.T) {
	st := &stampStore{fakeStore: newFakeStore(40, testNow())}
	h := newHarness(t, testOptions(st))
	h.keys("j", "j", "j", "j", "j")
	next := h.m.today.rows[h.m.today.cur+1]
	st.dropRow(6)
	st.newRowAt(0, 9001, "Newcomer0")
	st.newRowAt(0, 9002, "Newcomer1")
	reloadTriggers[0].fire(h, st)
	if r, _ := h.m.today.selected(); r.Task.ID != next.Task.ID {
		t.Fatalf("after its row left, the cursor is on task %d (%s), want its successor %d (%s)", r.Task.ID, r.Account.Name, next.Task.ID, next.Account.Name)
	}
	h.keys("l")
	h.wantScreen(scrLog)
	if h.m.log.row.Contact.ID != next.Contact.ID {
		t.Fatalf("l opened the log for contact %d, want %d", h.m.log.row.Contact.ID, next.Contact.ID)
	}
}

// TestOwnActionMovesToNextRow: after the rep's own log or done the row
// leaves and the next one takes the cursor, with no wider page fetched for
// the row that is known to be gone.
func TestOwnActionMovesToNextRow(t *testing.T) {
	st := &stampStore{fakeStore: newFakeStore(80, testNow())}
	h := newHarness(t, testOptions(st))
	h.keys("pgdown", "pgdown")
	at := h.m.today.cur
	next := h.m.today.rows[at+1-h.m.today.off]
	before := len(st.queries)
	h.keys("l", "n")
	if r, _ := h.m.today.selected(); r.Task.ID != next.Task.ID || h.m.today.cur != at {
		t.Fatalf("after the log the cursor is at %d on task %d, want %d on task %d", h.m.today.cur, r.Task.ID, at, next.Task.ID)
	}
	for _, q := range st.queries[before:] {
		if !q.Counts && q.Limit == pageSize {
			t.Fatalf("a wider page was fetched for the logged row: %+v", q)
		}
	}
}

// TestRowMovedPastPageIsFound: a commit that pushes the cursor's row
// further down than the reload's page reaches still keeps it under the
// cursor (a wider page finds it), and the row stays on screen.
func TestRowMovedPastPageIsFound(t *testing.T) {
	st := &stampStore{fakeStore: newFakeStore(120, testNow())}
	h := newHarness(t, testOptions(st))
	h.keys("j", "j")
	shown, _ := h.m.today.selected()
	for i := 0; i < 40; i++ {
		st.newRowAt(0, int64(9000+i), fmt.Sprintf("Newcomer%d", i))
	}
	reloadTriggers[0].fire(h, st)
	if r, _ := h.m.today.selected(); r.Task.ID != shown.Task.ID {
		t.Fatalf("after 40 rows arrived above, the cursor is on task %d, want %d", r.Task.ID, shown.Task.ID)
	}
	if h.m.today.cur != 42 {
		t.Fatalf("cursor at %d, want 42", h.m.today.cur)
	}
	if l := selectedLine(t, h); !strings.Contains(l, shown.Account.Name) {
		t.Fatalf("the cursor line is %q, want %s", l, shown.Account.Name)
	}
}

// TestKeysReadTogether: a terminal can hand two keys to the program in one
// read ("jl" when the machine is busy); Bubble Tea v1 makes them one
// KeyMsg, which matched no binding, so both keys were lost without a word.
// This was the two-terminal run's "l that does nothing".
func TestKeysReadTogether(t *testing.T) {
	st := newFakeStore(20, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("jl")
	h.wantScreen(scrLog)
	if h.m.log.row.Task.ID != 2 {
		t.Fatalf("jl opened the log for task %d, want 2 (the row j moved to)", h.m.log.row.Task.ID)
	}
	h.keys("esc")
	// Once a key opens a screen taking text, the rest is the text.
	h.keys("/acme")
	h.wantScreen(scrSearch)
	if v := h.m.search.in.Value(); v != "acme" {
		t.Fatalf("search text %q, want acme", v)
	}
	h.keys("esc")
	// A log typed as fast as it is thought: l then n, in one read.
	h.wantScreen(scrToday)
	h.keys("ln")
	if len(st.logs) != 1 || st.logs[0].Outcome != model.OutcomeNoAnswer {
		t.Fatalf("ln logged %+v, want one no-answer", st.logs)
	}
}

// detailStore serves an account detail the test changes between loads.
type detailStore struct {
	*fakeStore
	d model.AccountDetail
}

func (s *detailStore) AccountDetail(ctx context.Context, id int64) (model.AccountDetail, error) {
	s.fakeStore.mu.Lock()
	defer s.fakeStore.mu.Unlock()
	d := s.d
	d.Contacts = append([]model.Contact(nil), d.Contacts...)
	d.Touches = append([]model.Touch(nil), d.Touches...)
	return d, nil
}

// TestAccountReloadKeepsSelection: a reload of the account screen that adds
// a contact above the selected one keeps that contact selected (l logs with
// it), and one that removes it selects the line that took its place.
func TestAccountReloadKeepsSelection(t *testing.T) {
	st := &detailStore{fakeStore: newFakeStore(5, testNow())}
	acct := st.rows[0].Account
	contact := func(id int64, last string) model.Contact {
		return model.Contact{ID: id, AccountID: acct.ID, FirstName: "Pat", LastName: last, Title: "VP"}
	}
	st.d = model.AccountDetail{Account: acct, Contacts: []model.Contact{contact(11, "Adams"), contact(12, "Baker"), contact(13, "Cole")}}
	h := newHarness(t, testOptions(st))
	h.keys("enter")
	h.wantScreen(scrAccount)
	h.keys("j", "j")
	if c := h.m.account.selectedContact(); c.ID != 12 {
		t.Fatalf("setup: selected contact %d, want 12", c.ID)
	}
	st.fakeStore.mu.Lock()
	st.d.Contacts = append([]model.Contact{contact(10, "Aaron"), contact(9, "Abel")}, st.d.Contacts...)
	st.fakeStore.mu.Unlock()
	h.send(actionDoneMsg{reload: true})
	if !strings.Contains(h.view(), "Pat Aaron") {
		t.Fatalf("the reload did not happen:\n%s", h.view())
	}
	if c := h.m.account.selectedContact(); c.ID != 12 {
		t.Fatalf("after two contacts arrived above, contact %d (%s) is selected, want 12 (Baker)", c.ID, c.LastName)
	}
	h.keys("l")
	h.wantScreen(scrLog)
	if h.m.log.row.Contact.ID != 12 {
		t.Fatalf("l opened the log for contact %d, want 12", h.m.log.row.Contact.ID)
	}
	h.keys("esc")
	st.fakeStore.mu.Lock()
	st.d.Contacts = []model.Contact{contact(10, "Aaron"), contact(9, "Abel"), contact(11, "Adams"), contact(13, "Cole")}
	st.fakeStore.mu.Unlock()
	h.send(actionDoneMsg{reload: true})
	if c := h.m.account.selectedContact(); c.ID != 13 {
		t.Fatalf("after the selected contact left, contact %d is selected, want 13 (the one after it)", c.ID)
	}
}

// TestSearchReplyKeepsPickedHit: the rep moves to a hit, and the reply for
// newer text lands with another hit above it: enter opens the hit the rep
// picked, not whatever holds its index now.
func TestSearchReplyKeepsPickedHit(t *testing.T) {
	st := newFakeStore(10, testNow())
	st.hits = []model.SearchHit{{AccountID: 1, AccountName: "Account 001"}, {AccountID: 2, AccountName: "Account 002"}, {AccountID: 3, AccountName: "Account 003"}}
	h := newHarness(t, testOptions(st))
	h.keys("/", "a")
	h.wantScreen(scrSearch)
	h.keys("down", "down")
	m := h.m.search
	if m.hits[m.cur].AccountID != 3 {
		t.Fatalf("setup: hit %d picked, want 3", m.hits[m.cur].AccountID)
	}
	h.send(searchedMsg{seq: m.seq, query: "a", hits: []model.SearchHit{{AccountID: 5, AccountName: "Account 005"}, st.hits[0], st.hits[1], st.hits[2]}})
	h.keys("enter")
	h.wantScreen(scrAccount)
	if h.m.account.id != 3 {
		t.Fatalf("enter opened account %d, want 3 (the hit picked)", h.m.account.id)
	}
}
