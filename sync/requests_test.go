package sync_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// requestsByRoute counts requests by method and path, ids folded to {id}.
func requestsByRoute(rs []hubspottest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range rs {
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if p != "" && strings.Trim(p, "0123456789") == "" {
				parts[i] = "{id}"
			}
		}
		out[r.Method+" "+strings.Join(parts, "/")]++
	}
	return out
}

func routes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %3d %s", m[k], k)
	}
	return b.String()
}

// seedTasks gives the first n companies an open task each.
func seedTasks(tb testing.TB, srv *hubspottest.Server, n int) {
	tb.Helper()
	due := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	for i, co := range srv.List("companies")[:n] {
		id := srv.Put("tasks", map[string]string{"hs_task_subject": fmt.Sprintf("Task %d", i), "hs_task_status": "NOT_STARTED",
			"hs_task_type": "CALL", "hs_task_priority": "MEDIUM", "hs_timestamp": due})
		if err := srv.Associate("tasks", id, "companies", co.ID); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestNoChangeSyncRequests: a sync with nothing new, between daily sweeps,
// costs what finding the rep's changes needs and no more: the owner, the
// company, contact and task searches, and a read of the book's open CRM
// tasks (100 a request) to see which were deleted — not a request per 100
// companies to re-check ownership, nor one per custom property. Within 2×
// that minimum, whatever the size of the book.
func TestNoChangeSyncRequests(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 1200, 1)
	seedTasks(t, srv, 150)
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "shortlist.db"), bookOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := crmsync.New(db, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email})
	// The first sync pulls the book; the second reads again what changed
	// after the first one's company cursor (the contacts and tasks seeded
	// after the last company).
	for range 2 {
		if _, err := e.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	before := len(srv.Requests())
	rep, err := e.Sync(ctx, nil)
	if err != nil || rep.Pulled != 0 || rep.Pushed != 0 {
		t.Fatalf("no-change sync: %+v, %v", rep, err)
	}
	got := srv.Requests()[before:]
	// owners, companies search, contacts search, tasks search, the signal
	// searches (emails, calls, meetings), 2 task reads
	minimum := 7 + (150+99)/100
	if len(got) > 2*minimum {
		t.Errorf("a no-change sync on 1,200 companies made %d requests, minimum %d:%s", len(got), minimum, routes(requestsByRoute(got)))
	}
	if n := requestsByRoute(got)["POST /crm/v3/objects/companies/batch/read"]; n != 0 {
		t.Errorf("%d company batch reads (ownership) between sweeps", n)
	}
	t.Logf("no-change sync: %d requests (minimum %d):%s", len(got), minimum, routes(requestsByRoute(got)))
}

// TestPullReadsCompanyContactsOnce: a batch of companies' contacts and
// tasks read the companies' contact associations once, not once for the
// contacts and again for the tasks.
func TestPullReadsCompanyContactsOnce(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 250, 2)
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "shortlist.db"), bookOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := crmsync.New(db, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	by := requestsByRoute(srv.Requests())
	if n := by["POST /crm/v4/associations/companies/contacts/batch/read"]; n != 3 {
		t.Errorf("%d company → contact association reads for 3 batches of companies, want 3:%s", n, routes(by))
	}
}
