package ui

import (
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestSearchDebouncesAndCancels: a burst of keys asks the store once, for
// the text it ends on; a search still running when newer text is searched
// is cancelled, and its late reply is dropped.
func TestSearchDebouncesAndCancels(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.hits = []model.SearchHit{{AccountID: 1, AccountName: "Acme"}, {AccountID: 2, AccountName: "Acme Labs"}}
	h := newHarness(t, testOptions(st))
	m, _ := h.m.search.open()

	m, waitA := m.Update(keyMsg("a"))
	m, waitAC := m.Update(keyMsg("c"))
	if waitA == nil || waitAC == nil {
		t.Fatal("a key that changes the text schedules a search")
	}
	m, cmd := m.Update(waitA()) // "a" rested, but "ac" came after it
	if cmd != nil {
		t.Fatal("the timer of text typed over started a search")
	}
	m, runAC := m.Update(waitAC())
	if runAC == nil {
		t.Fatal("the text that rested was not searched")
	}
	// The rep types on before the search for "ac" has run.
	m, waitACM := m.Update(keyMsg("m"))
	m, runACM := m.Update(waitACM())
	late := runAC()
	m, _ = m.Update(late)
	m, _ = m.Update(runACM())

	var asked []string
	for _, c := range st.searches {
		asked = append(asked, c.query)
		if c.query == "ac" && !c.cancelled {
			t.Error(`the search for "ac" was not cancelled when "acm" was searched`)
		}
	}
	if got := strings.Join(asked, ","); got != "ac,acm" {
		t.Errorf("the store was asked %q, want ac,acm (one search per rested text)", got)
	}
	if m.query != "acm" || len(m.hits) != 2 {
		t.Errorf("screen holds %d hits for %q, want 2 for acm", len(m.hits), m.query)
	}
	if v := m.View(); strings.Contains(v, "search:") {
		t.Errorf("the cancelled search's error reached the screen:\n%s", v)
	}
}

// TestHitCount: a page cut short says of how many; a search of part of the
// book says there may be more.
func TestHitCount(t *testing.T) {
	for _, tc := range []struct {
		shown, total int
		partial      bool
		want         string
	}{
		{50, 1144, false, "50 of 1,144"},
		{50, 50, false, "50 hits"},
		{1, 1, false, "1 hit"},
		{50, 812, true, "50+ hits"},
		{7, 7, true, "7+ hits"},
		{50, 1234567, false, "50 of 1,234,567"},
	} {
		if got := hitCount(tc.shown, tc.total, tc.partial); got != tc.want {
			t.Errorf("hitCount(%d, %d, %v) = %q, want %q", tc.shown, tc.total, tc.partial, got, tc.want)
		}
	}
}
