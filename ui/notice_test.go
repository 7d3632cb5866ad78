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
