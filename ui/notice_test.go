package ui

import (
	"strings"
	"testing"
)

// TestNoticeShownAtStart: the book's notice (an edited ICP profile
// re-scored the book) is on the first screen's status line, sanitised, and
// a key's own status replaces it.
func TestNoticeShownAtStart(t *testing.T) {
	opts := testOptions(newFakeStore(5, testNow()))
	opts.Notice = "ICP or rank weights changed: re-scored, 3 accounts changed\x1b[2J fit or tier"
	h := newHarness(t, opts)
	v := h.m.View()
	if !strings.Contains(v, "re-scored, 3 accounts changed") {
		t.Fatalf("notice not on the first screen:\n%s", v)
	}
	if strings.Contains(v, "\x1b[2J") {
		t.Errorf("the notice reached the screen raw")
	}
	h.keys("S") // sync is not configured in testOptions: its own message replaces the notice
	if v := h.m.View(); strings.Contains(v, "re-scored,") {
		t.Errorf("the notice outlived the next status:\n%s", v)
	}
}

// TestReadOnlyBookSaysSo: a book opened read-only says so on the status
// line, and logging or syncing is refused at the key with the reason.
func TestReadOnlyBookSaysSo(t *testing.T) {
	st := newFakeStore(5, testNow())
	opts := testOptions(st)
	opts.ReadOnly, opts.DBPath = "its file system is read-only", "/mnt/ro/book.db"
	h := newHarness(t, opts)
	if v := h.m.View(); !strings.Contains(v, "read-only (its file system is read-only)") {
		t.Fatalf("no read-only line on the first screen:\n%s", v)
	}
	h.keys("l")
	h.wantScreen(scrToday)
	h.wantStatus("cannot log a touch: the book is read-only (its file system is read-only)")
	if len(st.logs) != 0 {
		t.Fatalf("%d logs on a read-only book", len(st.logs))
	}
	h.keys("S")
	h.wantStatus("cannot sync: the book is read-only")
}
