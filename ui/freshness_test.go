package ui

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// stampStore is the fake store with a change stamp, as storage has, and a
// hook that plays another process committing right after a worklist page
// was read.
type stampStore struct {
	*fakeStore
	smu       sync.Mutex
	changes   int
	checks    int // ChangeStamp calls
	afterPage func()
}

func (s *stampStore) ChangeStamp(ctx context.Context) (string, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.checks++
	return fmt.Sprint(s.changes), nil
}

func (s *stampStore) Worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, error) {
	wl, err := s.fakeStore.Worklist(ctx, q)
	s.smu.Lock()
	hook := s.afterPage
	if !q.Counts {
		s.afterPage = nil
	}
	s.smu.Unlock()
	if hook != nil && !q.Counts {
		hook()
	}
	return wl, err
}

// commit is another process's write: a new top row and a bumped stamp.
func (s *stampStore) commit(name string) {
	s.fakeStore.mu.Lock()
	r := s.fakeStore.rows[0]
	r.Task.ID, r.Account.ID, r.Account.Name, r.Rank = 9000, 9000, name, r.Rank+1
	s.fakeStore.rows = append([]model.Row{r}, s.fakeStore.rows...)
	s.fakeStore.mu.Unlock()
	s.smu.Lock()
	s.changes++
	s.smu.Unlock()
}

// TestFirstStampPrecedesFirstLoad: another process commits right after the
// TUI read its first page. The stamp the TUI compares against must be one
// taken before that read, so the next key sees the change and reloads.
// When the first stamp was taken by a check running beside the first load
// (as it was), it could already include the commit and no key ever
// reloaded for it.
func TestFirstStampPrecedesFirstLoad(t *testing.T) {
	st := &stampStore{fakeStore: newFakeStore(20, testNow())}
	st.afterPage = func() { st.commit("Elsewhere Co") }
	h := newHarness(t, testOptions(st))
	if strings.Contains(h.view(), "Elsewhere Co") {
		t.Fatalf("the first page already holds the later commit:\n%s", h.view())
	}
	h.keys("j")
	if !strings.Contains(h.view(), "Elsewhere Co") {
		t.Fatalf("after a key the commit made right after the first read is not shown:\n%s", h.view())
	}
}

// TestOverlappingReloadsNewestWins: two reloads overlap (a check after a
// key and the TUI's own log) and their replies arrive newest first: the
// newest request's replies stay on screen, whatever the arrival order.
func TestOverlappingReloadsNewestWins(t *testing.T) {
	st := newFakeStore(20, testNow())
	h := newHarness(t, testOptions(st))
	logs := func(n int) {
		st.mu.Lock()
		st.logs = make([]model.LogRequest, n)
		for i := range st.logs {
			st.logs[i].Outcome = model.OutcomeBusy
		}
		st.mu.Unlock()
	}
	m := h.m
	logs(2)
	older := collect(t, m.reload())
	logs(5)
	newer := collect(t, m.reload())
	for _, msgs := range [][]tea.Msg{newer, older} {
		for _, msg := range msgs {
			nm, _ := m.Update(msg)
			m = nm.(root)
		}
	}
	if m.today.doneToday != 5 {
		t.Fatalf("done today %d after the newer reply came first, want 5 (the newest request's)", m.today.doneToday)
	}
	if !strings.Contains(m.View(), "done today 5") {
		t.Fatalf("screen:\n%s", m.View())
	}
}

// collect runs a Cmd (and the batches it returns) and keeps its messages.
func collect(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case nil:
		default:
			out = append(out, msg)
		}
	}
	return out
}

// TestPurgedAccountLeavesDoneToday: a sync in another terminal removes an
// account reassigned in the CRM once its work is pushed (storage
// PurgeDeparted), and its touches go with it. "done today" counts the
// touches the book holds, so it drops by that account's touches after the
// next key. This is what the two-terminal reliability run met after the
// first demo sync: the book, not the TUI, had fewer touches.
func TestPurgedAccountLeavesDoneToday(t *testing.T) {
	db := demoBook(t)
	opts := testOptions(db)
	opts.DBPath = db.Path()
	h := newHarness(t, opts)
	ctx := context.Background()
	other, err := storage.Open(ctx, db.Path(), storage.Options{Settings: opts.Settings, Profile: opts.Profile})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rows := h.m.today.rows
	var gone int64
	n, onGone := 0, 0
	for _, r := range rows {
		if r.Contact.ID == 0 || n == 4 {
			continue
		}
		if gone == 0 {
			gone = r.Account.ID
		}
		if _, err := other.LogTouch(ctx, model.LogRequest{ContactID: r.Contact.ID, Channel: model.ChannelCall,
			Outcome: model.OutcomeBusy, At: testNow().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		n++
		if r.Account.ID == gone {
			onGone++
		}
	}
	h.keys("j")
	if want := fmt.Sprintf("done today %d", n); !strings.Contains(h.view(), want) {
		t.Fatalf("want %q after a key:\n%s", want, h.view())
	}
	// What PurgeDeparted does once the account's work is pushed.
	raw, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, "DELETE FROM accounts WHERE id = ?", gone); err != nil {
		t.Fatal(err)
	}
	h.keys("k")
	if want := fmt.Sprintf("done today %d", n-onGone); !strings.Contains(h.view(), want) {
		t.Fatalf("after the purge of account %d (%d of the %d touches) want %q:\n%s", gone, onGone, n, want, h.view())
	}
}

// TestBurstOfKeysChecksTwice: 20 keys that come faster than a book check
// returns ask for one check while it is out and one more when it lands,
// not 20 (each a query and a redraw of the same screen, which made a burst
// of j in tmux 3.6 times slower than less). The second check starts after
// the last key, so a commit made during the burst is still seen.
func TestBurstOfKeysChecksTwice(t *testing.T) {
	st := &stampStore{fakeStore: newFakeStore(40, testNow())}
	h := newHarness(t, testOptions(st))
	st.smu.Lock()
	before := st.checks
	st.smu.Unlock()

	nm, cmd := h.m.Update(keyMsg("j"))
	h.m = nm.(root)
	// Run what the first key asked for, holding its check's reply back as
	// if the check were still on its way.
	var held []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case bookCheckedMsg:
			held = append(held, msg)
		default:
			h.send(msg)
		}
	}
	if len(held) != 1 {
		t.Fatalf("the first key asked for %d book checks, want 1", len(held))
	}
	for i := 0; i < 19; i++ {
		h.keys("j")
	}
	st.commit("Late Co") // another terminal, during the burst
	h.send(held[0])
	st.smu.Lock()
	n := st.checks - before
	st.smu.Unlock()
	if n != 2 {
		t.Fatalf("a burst of 20 keys made %d book checks, want 2", n)
	}
	h.keys("g") // the new row is on top; the cursor stayed on its row
	if !strings.Contains(h.view(), "Late Co") {
		t.Fatalf("a commit during the burst is not shown after it:\n%s", h.view())
	}
}
