package cli

import (
	"strings"
	"testing"
)

// TestOpenProgress: a counted step rewrites its line and ends it when
// done; a step said once is one line, with what it covers.
func TestOpenProgress(t *testing.T) {
	var b strings.Builder
	OpenProgress(&b, "building the search index", "accounts", 40_000, 100_000, false)
	OpenProgress(&b, "building the search index", "accounts", 100_000, 100_000, false)
	OpenProgress(&b, "computing the touch budgets", "contacts", 0, 400_120, true)
	OpenProgress(&b, "backing up the book to b.db.bak-v4 before its upgrade", "", 0, 0, true)
	want := "\rbuilding the search index: 40,000 of 100,000 accounts" +
		"\rbuilding the search index: 100,000 of 100,000 accounts\n" +
		"computing the touch budgets of 400,120 contacts…\n" +
		"backing up the book to b.db.bak-v4 before its upgrade…\n"
	if b.String() != want {
		t.Errorf("progress\n%q\nwant\n%q", b.String(), want)
	}
}
