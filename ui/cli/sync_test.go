package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// fakeSyncer sends its progress reports, then returns its report and error.
// With block set it waits for ctx to end after the reports, as a sync
// interrupted by Ctrl+C does.
type fakeSyncer struct {
	steps []model.SyncProgress
	rep   model.SyncReport
	err   error
	block bool
	calls int
	// blocked, when set, is closed once Sync has sent its steps and blocks.
	blocked chan struct{}
}

func (s *fakeSyncer) Sync(ctx context.Context, ch chan<- model.SyncProgress) (model.SyncReport, error) {
	s.calls++
	for _, p := range s.steps {
		select {
		case ch <- p:
		case <-ctx.Done():
			return s.rep, ctx.Err()
		}
	}
	if s.block {
		if s.blocked != nil {
			close(s.blocked)
		}
		<-ctx.Done()
		return s.rep, fmt.Errorf("push touches: %w", ctx.Err())
	}
	return s.rep, s.err
}

// withSyncer makes every book the fixture opens carry s.
func (f *fixture) withSyncer(s model.Syncer) {
	open := f.env.Open
	f.env.Open = func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
		b, err := open(ctx, g)
		if err != nil {
			return nil, err
		}
		b.Syncer = s
		return b, nil
	}
}

var syncStart = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func goodSync() *fakeSyncer {
	return &fakeSyncer{
		steps: []model.SyncProgress{
			{Phase: model.PhaseConnect, What: "owner"},
			{Phase: model.PhasePull, What: "companies", Done: 100},
			{Phase: model.PhasePull, What: "companies", Done: 200},
			{Phase: model.PhasePull, What: "companies", Done: 276},
			{Phase: model.PhasePull, What: "contacts", Done: 900, Total: 1000},
			{Phase: model.PhasePull, What: "contacts", Done: 1000, Total: 1000},
			{Phase: model.PhasePush, What: "touches", Done: 3, Total: 3},
			{Phase: model.PhaseDone},
		},
		rep: model.SyncReport{
			Started: syncStart, Finished: syncStart.Add(1500 * time.Millisecond),
			Pulled: 1276, Pushed: 3, HeldBack: 1, Pending: 1,
			Errors: []string{"task 12: the CRM refused the due date\x1b[31m"},
			Conflicts: []model.SyncConflict{{Record: "Acme GmbH", Field: "status",
				CRM: "customer", Local: "working\x1b]0;pwned\x07"}},
			Held: []model.OutboxItem{{ID: 12, Kind: model.OutboxTaskUpdate, State: model.OutboxWaiting, What: `task "Call Ann" done`,
				Account: "Demo Ltd\x1b[2J", Reason: "the task is not in the CRM", Fix: "drop it (shortlist outbox drop 12)"}},
			Changes: []model.SyncChange{
				{Kind: model.ChangeArrived, Account: "Beta AG", CRMID: "11"},
				{Kind: model.ChangeReassigned, Account: "Gamma", CRMID: "12", To: "Olaf Other"},
				{Kind: model.ChangeDeleted, Account: "Delta", CRMID: "13"},
				{Kind: model.ChangeRenamed, Account: "Acme GmbH", CRMID: "14", From: "Acme"},
				{Kind: model.ChangeTaskClosed, Account: "Beta AG", Task: "Call the CFO\x1b[2J", CRMID: "21"},
				{Kind: model.ChangeTaskReopened, Account: "Beta AG", Task: "Send the deck", CRMID: "22"},
				{Kind: model.ChangeTaskMoved, Account: "Acme GmbH", Task: "Book the demo", CRMID: "23", From: "2026-12-04", To: "2026-12-11 14:00"},
				{Kind: model.ChangeTaskDeleted, Account: "Acme GmbH", Task: "Chase the PO", CRMID: "24"},
			},
			ChangesMore: 7,
		},
	}
}

func TestSyncPlainProgressAndSummary(t *testing.T) {
	f := newFixture(t)
	s := goodSync()
	f.withSyncer(s)
	out := f.ok("sync")
	want := strings.Join([]string{
		"sync: connect owner",
		"sync: pull companies 100",
		"sync: pull companies 276",
		"sync: pull contacts 900/1000",
		"sync: pull contacts 1000/1000",
		"sync: push touches 3/3",
		"sync: done",
		"sync in 1.5s: pulled 1276, pushed 3, 1 conflict, 1 held back, 1 error, 1 still queued",
		"  + Beta AG arrived in your book",
		"  - Gamma left your book: reassigned to Olaf Other",
		"  - Delta left your book: deleted in the CRM",
		`  ~ Acme GmbH renamed (was "Acme")`,
		`  ✓ task "Call the CFO" (Beta AG) completed in the CRM: done here`,
		`  + task "Send the deck" (Beta AG) reopened in the CRM: open here`,
		`  ~ task "Book the demo" (Acme GmbH) moved in the CRM: due 2026-12-11 14:00, was 2026-12-04`,
		`  - task "Chase the PO" (Acme GmbH) deleted in the CRM: off your list, kept in its history`,
		"  and 7 more (shortlist sync --json lists them)",
		`  conflict Acme GmbH status: kept the CRM's "customer"; yours was "working"`,
		"  error: task 12: the CRM refused the due date",
		`  waiting 12: task "Call Ann" done (Demo Ltd): the task is not in the CRM; drop it (shortlist outbox drop 12)`,
	}, "\n") + "\n"
	if out != want {
		t.Errorf("sync printed\n%s\nwant\n%s", out, want)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("CRM text reached the terminal unsanitised: %q", out)
	}
	if s.calls != 1 {
		t.Errorf("syncer called %d times", s.calls)
	}
}

func TestSyncTerminalLineRewrittenInPlace(t *testing.T) {
	f := newFixture(t)
	f.env.Width = 30
	f.withSyncer(goodSync())
	out := f.ok("sync")
	// The progress frames share one line; the last clears it and the
	// summary starts there.
	cut := strings.LastIndex(out, "\r\x1b[K")
	if cut < 0 || strings.Contains(out[:cut], "\n") {
		t.Fatalf("progress is not one line rewritten in place:\n%q", out)
	}
	progress, summary := out[:cut], out[cut+len("\r\x1b[K"):]
	if !strings.HasPrefix(progress, "\r\x1b[Ksync: connect owner") || !strings.HasPrefix(summary, "sync in 1.5s: pulled 1276") {
		t.Errorf("progress %q, then summary %q", progress, summary)
	}
	for _, frame := range strings.Split(progress, "\r\x1b[K") {
		if len([]rune(frame)) > 29 {
			t.Errorf("progress frame %q is wider than the 30-column terminal", frame)
		}
	}
	for _, l := range strings.Split(summary, "\n") {
		if len([]rune(l)) > 30 && !strings.HasPrefix(l, "sync in") {
			t.Errorf("summary line %q is not clipped to 30 columns", l)
		}
	}
}

func TestSyncJSONAndQuiet(t *testing.T) {
	f := newFixture(t)
	f.withSyncer(goodSync())
	out := f.ok("sync", "--json")
	var rep model.SyncReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("sync --json is not a report: %v\n%s", err, out)
	}
	if rep.Pulled != 1276 || rep.Pushed != 3 || rep.Pending != 1 || len(rep.Conflicts) != 1 || rep.Conflicts[0].CRM != "customer" {
		t.Errorf("sync --json = %+v", rep)
	}
	if len(rep.Changes) != 8 || rep.Changes[6].To != "2026-12-11 14:00" || rep.Changes[7].Task != "Chase the PO" || rep.Changes[1].To != "Olaf Other" || rep.ChangesMore != 7 || len(rep.Held) != 1 ||
		rep.Held[0].State != model.OutboxWaiting || rep.Held[0].Fix == "" || strings.ContainsAny(rep.Held[0].Account, "\x1b") {
		t.Errorf("sync --json changes %+v (%d more), held %+v", rep.Changes, rep.ChangesMore, rep.Held)
	}
	if strings.Contains(out, "sync: ") || strings.ContainsAny(rep.Conflicts[0].Local+rep.Errors[0], "\x1b\x07") {
		t.Errorf("sync --json carries progress or unsanitised text:\n%s", out)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"started", "finished", "pulled", "pushed", "held_back", "errors", "conflicts", "pending", "held", "changes", "changes_more"} {
		if _, ok := top[k]; !ok {
			t.Errorf("sync --json has no %q", k)
		}
	}

	// An empty report still has lists, not nulls, for jq.
	f2 := newFixture(t)
	f2.withSyncer(&fakeSyncer{rep: model.SyncReport{Started: syncStart, Finished: syncStart}})
	if out := f2.ok("sync", "--json"); !strings.Contains(out, `"errors": []`) || !strings.Contains(out, `"conflicts": []`) ||
		!strings.Contains(out, `"held": []`) || !strings.Contains(out, `"changes": []`) {
		t.Errorf("empty report JSON has null lists:\n%s", out)
	}

	if out := f.ok("sync", "--quiet"); out != "" {
		t.Errorf("sync --quiet printed %q", out)
	}
	if code, _, errOut := f.run("sync", "--quiet", "--json"); code != cli.ExitUsage || !strings.Contains(errOut, "choose one") {
		t.Errorf("--quiet --json: exit %d %q", code, errOut)
	}
	if code, _, errOut := f.run("sync", "now"); code != cli.ExitUsage || !strings.Contains(errOut, `sync takes flags only, got "now"`) {
		t.Errorf("sync now: exit %d %q", code, errOut)
	}
}

func TestSyncErrorsAreOneLine(t *testing.T) {
	offline := fmt.Errorf("push touches: post https://api.hubapi.com/crm/v3/objects/calls/batch/upsert: %w", model.ErrOffline)
	cases := []struct {
		name    string
		rep     model.SyncReport
		err     error
		wantErr string
		summary bool // the partial report is still printed
	}{
		{
			name: "offline before anything", err: offline,
			rep:     model.SyncReport{Pending: 12},
			wantErr: "shortlist: offline: 12 changes queued; they go with the next sync\n",
		},
		{
			name: "offline mid-push", err: offline,
			rep:     model.SyncReport{Started: syncStart, Finished: syncStart.Add(time.Second), Pushed: 100, Pending: 1},
			wantErr: "shortlist: offline: 1 change queued; they go with the next sync\n", summary: true,
		},
		{
			name:    "daily limit",
			err:     errors.New("HubSpot's daily API limit is reached: 40 changes stay queued; sync again tomorrow"),
			rep:     model.SyncReport{Started: syncStart, Finished: syncStart, Pulled: 5000, Pending: 40},
			wantErr: "shortlist: HubSpot's daily API limit is reached: 40 changes stay queued; sync again tomorrow\n", summary: true,
		},
		{
			name:    "auth",
			err:     errors.New("HubSpot refused the token: run shortlist auth hubspot to store a new one"),
			wantErr: "shortlist: HubSpot refused the token: run shortlist auth hubspot to store a new one\n",
		},
		{
			name:    "config missing",
			err:     errors.New("sync needs [crm] owner_email in config.toml or SHORTLIST_HUBSPOT_OWNER_EMAIL"),
			wantErr: "shortlist: sync needs [crm] owner_email in config.toml or SHORTLIST_HUBSPOT_OWNER_EMAIL\n",
		},
		{
			name:    "crm text is sanitised",
			err:     errors.New("connect: no owner \x1b[2Jrep@x.io\nin HubSpot"),
			wantErr: "shortlist: connect: no owner rep@x.io in HubSpot\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.withSyncer(&fakeSyncer{steps: []model.SyncProgress{{Phase: model.PhaseConnect}}, rep: tc.rep, err: tc.err})
			code, out, errOut := f.run("sync")
			if code != cli.ExitFailure || errOut != tc.wantErr {
				t.Errorf("exit %d, stderr %q; want 1, %q", code, errOut, tc.wantErr)
			}
			if got := strings.Contains(out, "still queued"); got != tc.summary {
				t.Errorf("summary printed = %v, want %v:\n%s", got, tc.summary, out)
			}
		})
	}
}

func TestSyncCtrlCCancelsCleanly(t *testing.T) {
	f := newFixture(t)
	s := &fakeSyncer{
		steps: []model.SyncProgress{{Phase: model.PhasePush, What: "touches", Done: 100, Total: 250}},
		rep:   model.SyncReport{Started: syncStart, Finished: syncStart.Add(time.Second), Pushed: 100, Pending: 150},
		block: true, blocked: make(chan struct{}),
	}
	f.withSyncer(s)
	ctx, cancel := context.WithCancel(context.Background())
	// Ctrl+C once the sync is under way (a fixed delay could fall while
	// the book is still opening on a loaded machine).
	go func() { <-s.blocked; cancel() }()
	f.out.Reset()
	f.err.Reset()
	code := cli.Run(ctx, []string{"sync"}, f.env)
	if code != cli.ExitFailure || f.err.String() != "shortlist: sync cancelled: nothing is lost; 150 changes queued for the next sync\n" {
		t.Errorf("Ctrl+C: exit %d, stderr %q", code, f.err.String())
	}
	if !strings.Contains(f.out.String(), "sync: push touches 100/250\n") || !strings.Contains(f.out.String(), "pushed 100") {
		t.Errorf("Ctrl+C lost the progress or the partial summary:\n%s", f.out.String())
	}
}
