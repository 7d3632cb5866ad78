package ui

import (
	"context"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// bookStamp is what another process's commit changes in the book's files:
// the -wal file's size and time (each commit appends to it), and the main
// file's (a checkpoint writes it). Our own writes change it too; that costs
// one extra reload, never a missed one.
type bookStamp struct {
	size, mod, walSize, walMod int64
	// changes is the store's own change stamp when it has one (storage
	// does). It stays, though it was not the two-terminal miss: file times
	// here move in 4 ms jiffies (every -wal mtime seen in the two-terminal
	// run was a multiple of 4 ms), and once a checkpoint restarts the WAL
	// a commit overwrites its first frames and keeps the file's size, so
	// two commits in one tick with a check between them leave the file
	// stamp equal. One indexed query per key is the price (well under a
	// millisecond).
	changes string
}

// changeStamper is a store that can say cheaply whether anything changed.
type changeStamper interface {
	ChangeStamp(ctx context.Context) (string, error)
}

// bookCheckedMsg reports the book's stamp after a key or a focus event;
// first marks the check Init runs before the first load.
type bookCheckedMsg struct {
	stamp bookStamp
	first bool
}

// checkBook stats the book in a Cmd, so another terminal's changes (the CLI
// logging while the TUI is open) show after the next key instead of after
// the 5-minute staleness reload. A stat is microseconds; SQLite's
// data_version would need one pinned connection, and focus events alone do
// not reach every terminal, so a key or a focus event both trigger it.
func checkBook(path string, st any) tea.Cmd {
	cs, _ := st.(changeStamper)
	if path == "" && cs == nil {
		return nil
	}
	return func() tea.Msg {
		var s bookStamp
		if cs != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			s.changes, _ = cs.ChangeStamp(ctx) // on error the file stamp still counts
			cancel()
		}
		if path == "" {
			return bookCheckedMsg{stamp: s}
		}
		if st, err := os.Stat(path); err == nil {
			s.size, s.mod = st.Size(), st.ModTime().UnixNano()
		}
		if st, err := os.Stat(path + "-wal"); err == nil {
			s.walSize, s.walMod = st.Size(), st.ModTime().UnixNano()
		}
		return bookCheckedMsg{stamp: s}
	}
}

// bookChecked reloads when the stamp moved since the last check. The
// stamp kept must never be newer than the data on screen, or a commit in
// between is never reloaded for: Init's check runs before the first load
// and starts it here; every later reload is asked for after the check that
// triggered it took its stamp. A check that arrives late with an older
// stamp costs one extra reload, never a missed one.
func (m root) bookChecked(msg bookCheckedMsg) (tea.Model, tea.Cmd) {
	prev, had := m.stamp, m.stamped
	m.stamp, m.stamped = msg.stamp, true
	if msg.first {
		return m, m.today.Init()
	}
	if !had || prev == msg.stamp {
		return m, nil
	}
	return m, m.reload()
}

// stale reports whether the loaded worklist no longer matches the clock:
// older than staleAfter, or the clock went back by more than that (a wrong
// clock fixed), or the rep's day changed since it was loaded (midnight
// turns "tomorrow" into "due today" at once, not five minutes later).
func (m today) stale() bool {
	d := m.now.Sub(m.loadedAt)
	if d > staleAfter || d < -staleAfter {
		return true
	}
	loc := m.repLoc()
	y1, m1, d1 := m.now.In(loc).Date()
	y2, m2, d2 := m.loadedAt.In(loc).Date()
	return y1 != y2 || m1 != m2 || d1 != d2
}

// repLoc is the rep's zone (cached in locs), else the clock's own.
func (m today) repLoc() *time.Location {
	z := m.env.settings.RepZone
	if z == "" {
		return m.now.Location()
	}
	key := "rep:" + z
	if loc, ok := m.locs[key]; ok && loc != nil {
		return loc
	}
	loc, err := time.LoadLocation(z)
	if err != nil {
		return m.now.Location()
	}
	m.locs[key] = loc
	return loc
}
