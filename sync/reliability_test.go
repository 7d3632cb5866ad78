package sync_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// faultToken is the token every reliability test uses, so the secrets
// checks know what to look for.
const faultToken = "pat-na1-5ec2e7-70ken-do-not-leak-0123456789"

// faultAdapter is the real HubSpot adapter with a short timeout, few retries
// and instant backoff, so a fault storm ends in seconds.
func faultAdapter(tb testing.TB, url string) *hubspot.Client {
	tb.Helper()
	c, err := hubspot.New(hubspot.Options{BaseURL: url, Token: faultToken, RequestsPer10s: -1, SearchPerSecond: -1,
		PortalID: "1", Timeout: 300 * time.Millisecond, MaxRetries: 2,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// faultBook is a book on disk with a raw read-only handle for checks.
type faultBook struct {
	path string
	db   *storage.DB
	raw  *sql.DB
}

func openFaultBook(t *testing.T) faultBook {
	t.Helper()
	path := t.TempDir() + "/shortlist.db"
	db, err := storage.Open(context.Background(), path, bookOptions())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close(); db.Close() })
	return faultBook{path, db, raw}
}

func (b faultBook) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := b.raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// logTouches logs n touches of mixed channels on the book's contacts, a
// third with a next task.
func (b faultBook) logTouches(t *testing.T, n int, seed int) {
	t.Helper()
	rows, err := b.raw.Query("SELECT id FROM contacts ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		t.Fatal("no contacts to log touches on")
	}
	channels := []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelNote, model.ChannelMeeting}
	for i := 0; i < n; i++ {
		ch := channels[(seed+i)%len(channels)]
		out := model.OutcomeSent
		switch ch {
		case model.ChannelCall:
			out = model.OutcomeNoAnswer
		case model.ChannelMeeting:
			out = model.OutcomeConnected
		}
		req := model.LogRequest{ContactID: ids[(seed*7+i)%len(ids)], Channel: ch, Outcome: out, Note: fmt.Sprintf("fault run %d/%d", seed, i)}
		if i%3 == 0 {
			req.Next = model.NextChoice{Mode: model.NextAt, Due: time.Now().Add(48 * time.Hour)}
		}
		if _, err := b.db.LogTouch(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOnePerOp checks that every local touch and every pushed task is in
// the CRM exactly once under its operation id and recorded locally, the
// outbox is empty and integrity_check is ok. It returns the records checked,
// lost and duplicated.
func (b faultBook) checkOnePerOp(t *testing.T, srv *hubspottest.Server) (checked, lost, dup int) {
	t.Helper()
	perOp := map[string]int{}
	for _, typ := range []string{"calls", "emails", "communications", "notes", "meetings", "tasks"} {
		for _, o := range srv.List(typ) {
			if op := o.Properties["shortlist_op_id"]; op != "" {
				perOp[op]++
			}
		}
	}
	q := func(query string) {
		rows, err := b.raw.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var op, crmID string
			rows.Scan(&op, &crmID)
			checked++
			switch n := perOp[op]; {
			case n == 0 || crmID == "":
				lost++
				t.Errorf("op %s: %d CRM records, local crm_id %q", op, n, crmID)
			case n > 1:
				dup += n - 1
				t.Errorf("op %s: %d CRM records", op, n)
			}
		}
	}
	q("SELECT op_id, coalesce(crm_id, '') FROM touches WHERE origin = 'local'")
	q("SELECT o.op_id, coalesce(k.crm_id, '') FROM outbox o JOIN tasks k ON k.id = o.entity_id WHERE o.kind = 'task.create'")
	if n := b.count(t, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL"); n != 0 {
		t.Errorf("outbox holds %d unpushed rows", n)
	}
	var check string
	if err := b.raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
	return checked, lost, dup
}

// faultCase is one kind of fault storm.
type faultCase struct {
	name   string
	faults []hubspottest.Fault
}

func faultCases() []faultCase {
	push := "/crm/v3/objects/"
	var cs []faultCase
	add := func(name string, fs ...hubspottest.Fault) { cs = append(cs, faultCase{name, fs}) }
	for _, after := range []int{0, 4, 9} {
		add(fmt.Sprintf("reset/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultReset, After: after, Times: 4})
		add(fmt.Sprintf("5xx/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 503, After: after, Times: 6},
			hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 500, After: after + 3, Times: 2})
		add(fmt.Sprintf("429-ten-secondly/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultRateLimit, Policy: "TEN_SECONDLY_ROLLING", After: after, Times: 40})
		add(fmt.Sprintf("429-daily/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultRateLimit, Policy: "DAILY", After: after, Times: -1})
		add(fmt.Sprintf("truncated/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultTruncated, After: after, Times: 1})
		add(fmt.Sprintf("malformed/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultMalformed, After: after, Times: 1})
		add(fmt.Sprintf("stall/after=%d", after), hubspottest.Fault{Kind: hubspottest.FaultSlow, Delay: 3 * time.Second, After: after, Times: 4})
	}
	for _, typ := range []string{"calls", "emails", "communications", "notes", "meetings", "tasks"} {
		add("reset-after-apply/"+typ, hubspottest.Fault{Method: "POST", Path: push + typ + "/batch/", Kind: hubspottest.FaultResetAfterApply, Times: 2})
		add("truncated-after-apply/"+typ, hubspottest.Fault{Method: "POST", Path: push + typ + "/batch/", Kind: hubspottest.FaultTruncated, Times: 1})
		add("503-on-push/"+typ, hubspottest.Fault{Method: "POST", Path: push + typ + "/", Kind: hubspottest.FaultStatus, Code: 502, Times: 5})
	}
	return cs
}

// TestSyncUnderFaults runs a sync through the real adapter against
// hubspottest with each fault storm injected (resets, resets after a write
// was applied, 429 storms, 5xx storms, truncated and malformed JSON, a
// stalled server): each faulted sync succeeds or fails with a clear error;
// re-runs without faults succeed; then the CRM holds exactly one record per
// operation id, every local touch is pushed and the book passes
// integrity_check.
func TestSyncUnderFaults(t *testing.T) {
	ctx := context.Background()
	var runs, injected, failed, checked, lost, dup int
	for i, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1, UniqueOnEngagements: i%2 == 0})
			defer srv.Close()
			seedServer(srv, 6, 3)
			b := openFaultBook(t)
			e := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: 4})
			if _, err := e.Sync(ctx, nil); err != nil {
				t.Fatalf("first sync: %v", err)
			}
			b.logTouches(t, 14, i)
			// Something to pull as well as to push.
			for _, co := range srv.List("companies")[:2] {
				srv.Update("companies", co.ID, map[string]string{"industry": "Retail " + fc.name})
			}
			before := len(srv.Requests())
			for _, f := range fc.faults {
				srv.Inject(f)
			}
			rep, err := e.Sync(ctx, nil)
			runs++
			reqs := srv.Requests()[before:]
			injected += countFaulted(reqs, fc.faults)
			if err != nil {
				failed++
				assertClearError(t, err)
				t.Logf("faulted sync: %v", err)
			} else if rep.Pending != 0 {
				t.Logf("faulted sync left %d pending", rep.Pending)
			}
			srv.ClearFaults()
			ok := false
			for k := 0; k < 4 && !ok; k++ {
				rep, err = e.Sync(ctx, nil)
				runs++
				ok = err == nil && rep.Pending == 0 && rep.HeldBack == 0
				if err != nil {
					assertClearError(t, err)
				}
			}
			if !ok {
				t.Fatalf("sync without faults keeps failing: %v (%+v)", err, rep)
			}
			c, l, d := b.checkOnePerOp(t, srv)
			checked, lost, dup = checked+c, lost+l, dup+d
			if n := b.count(t, "SELECT count(*) FROM accounts WHERE industry LIKE 'Retail %'"); n < 2 {
				t.Errorf("the CRM's changes were not pulled after the fault: %d", n)
			}
		})
	}
	t.Logf("fault runs: %d syncs (%d cases), %d faults injected, %d faulted syncs failed with a clear error; %d records checked, %d lost, %d duplicated",
		runs, len(faultCases()), injected, failed, checked, lost, dup)
}

// countFaulted estimates the requests a fault hit: per fault, the matching
// requests past After, up to Times.
func countFaulted(reqs []hubspottest.Request, fs []hubspottest.Fault) int {
	n := 0
	for _, f := range fs {
		seen, hit := 0, 0
		for _, r := range reqs {
			if f.Method != "" && !strings.EqualFold(f.Method, r.Method) || !strings.HasPrefix(r.Path, f.Path) {
				continue
			}
			seen++
			if seen > f.After && (f.Times < 0 || hit < max(f.Times, 1)) {
				hit++
			}
		}
		n += hit
	}
	return n
}

// assertClearError checks a sync error says what happened in one printable
// line without the token.
func assertClearError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, faultToken) {
		t.Errorf("error carries the token: %q", msg)
	}
	if msg == "" || model.Sanitize(msg) != msg || strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one clean line: %q", msg)
	}
	if len(msg) > 600 {
		t.Errorf("error is %d bytes long: %.200q…", len(msg), msg)
	}
}

// TestMalformedPageAppliesNothing: a first sync whose company page is
// malformed or cut fails and leaves the book empty, not half-filled.
func TestMalformedPageAppliesNothing(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []hubspottest.FaultKind{hubspottest.FaultMalformed, hubspottest.FaultTruncated} {
		srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
		seedServer(srv, 5, 2)
		b := openFaultBook(t)
		srv.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies", Kind: kind, Times: -1})
		_, err := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil)
		if err == nil {
			t.Errorf("kind %d: a sync over a broken company page succeeded", kind)
		} else {
			assertClearError(t, err)
		}
		if n := b.count(t, "SELECT count(*) FROM accounts") + b.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Errorf("kind %d: %d rows applied from a broken page", kind, n)
		}
		srv.ClearFaults()
		if _, err := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil); err != nil {
			t.Fatalf("kind %d: clean re-run: %v", kind, err)
		}
		if n := b.count(t, "SELECT count(*) FROM accounts"); n != 5 {
			t.Errorf("kind %d: %d accounts after the clean run, want 5", kind, n)
		}
		srv.Close()
	}
}
