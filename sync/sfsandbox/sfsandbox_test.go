package sfsandbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
	crmsync "github.com/shortlisthq/shortlist/sync"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
	"github.com/shortlisthq/shortlist/sync/sfsandbox"
)

func openDemo(t *testing.T, accounts int) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := demo.Generate(ctx, db, demo.Options{Accounts: accounts, Seed: 1, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return db
}

func syncOnce(t *testing.T, eng *crmsync.Engine) (model.SyncReport, error) {
	t.Helper()
	ch := make(chan model.SyncProgress, 8)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	rep, err := eng.Sync(context.Background(), ch)
	close(ch)
	<-done
	return rep, err
}

func mustSync(t *testing.T, eng *crmsync.Engine) model.SyncReport {
	t.Helper()
	rep, err := syncOnce(t, eng)
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	if len(rep.Errors) > 0 || rep.HeldBack > 0 {
		t.Fatalf("sync reported errors %q, %d held back", rep.Errors, rep.HeldBack)
	}
	return rep
}

// sandboxEngine starts the in-process Salesforce on the book and a sync
// engine against it, as the rep's demo sync does.
func sandboxEngine(t *testing.T, db *storage.DB) (*sfsandbox.Sandbox, *crmsync.Engine) {
	t.Helper()
	sb, err := sfsandbox.New(context.Background(), db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	crm, err := sb.CRM()
	if err != nil {
		t.Fatal(err)
	}
	return sb, crmsync.New(db, crm, crmsync.Options{OwnerEmail: sfsandbox.OwnerEmail})
}

// activities counts the Tasks and Events carrying each operation id.
func activities(srv *sft.Server) map[string]int {
	out := map[string]int{}
	for _, obj := range []string{"Task", "Event"} {
		for _, r := range srv.Records(obj) {
			if op := r.Str(sft.OpIDField); op != "" {
				out[op]++
			}
		}
	}
	return out
}

func TestDemoSyncsWithSalesforce(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	sb, err := sfsandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	crm, err := sb.CRM()
	if err != nil {
		t.Fatal(err)
	}
	eng := crmsync.New(db, crm, crmsync.Options{OwnerEmail: sfsandbox.OwnerEmail})
	rep := mustSync(t, eng)
	ch := sb.Changes()
	if ch.RenamedID == "" {
		t.Fatal("no CRM-side changes were made")
	}
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	renamed, reassigned := false, false
	for _, a := range accts {
		switch a.CRMID {
		case ch.RenamedID:
			renamed = a.Name == ch.NewName
		case ch.ReassignedID:
			reassigned = true
		}
	}
	if !renamed || reassigned {
		t.Fatalf("after the first sync: renamed %v, reassigned still in the worklist %v (report %+v)", renamed, reassigned, rep)
	}
	if rep.Pending != 0 {
		t.Fatalf("%d changes still queued", rep.Pending)
	}

	// A morning's work: calls and a booked meeting.
	var contactIDs []int64
	for _, a := range accts {
		if a.CRMID == "" || a.CRMID == ch.ReassignedID {
			continue
		}
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts {
			if c.CRMID != "" && !c.Consent.Call.OptedOut() && !c.PhoneBad {
				contactIDs = append(contactIDs, c.ID)
				break
			}
		}
		if len(contactIDs) == 3 {
			break
		}
	}
	now := time.Now()
	for i, id := range contactIDs {
		req := model.LogRequest{ContactID: id, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer, At: now, Duration: 40 * time.Second}
		if i == 2 {
			req.Outcome, req.MeetingAt = model.OutcomeMeetingBooked, now.Add(72*time.Hour).Truncate(time.Minute)
		}
		if _, err := db.LogTouch(ctx, req); err != nil {
			t.Fatalf("log touch: %v", err)
		}
	}
	srv := sb.Server()
	before := activities(srv)

	// Killed mid-push: every write applied, every reply lost.
	srv.Inject(sft.Fault{Path: "/composite/sobjects", Kind: sft.FaultResetAfterApply, Times: -1})
	if _, err := syncOnce(t, eng); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("a sync whose replies are all cut: %v", err)
	}
	srv.ClearFaults()
	rep = mustSync(t, eng)
	if rep.Pending != 0 {
		t.Fatalf("after the rerun %d changes still queued", rep.Pending)
	}
	after := activities(srv)
	for op, n := range after {
		if n != 1 {
			t.Errorf("operation %s is in Salesforce %d times", op, n)
		}
	}
	if len(after)-len(before) < 3 {
		t.Fatalf("%d new activities for 3 touches", len(after)-len(before))
	}
	events := 0
	for _, e := range srv.Records("Event") {
		if strings.HasPrefix(e.Str("StartDateTime"), now.Add(72*time.Hour).UTC().Format("2006-01-02T15:04")) {
			events++
		}
	}
	if events != 1 {
		t.Fatalf("the booked meeting is %d events at its time", events)
	}
	// And a sync with nothing new pushes nothing.
	rep = mustSync(t, eng)
	if rep.Pushed != 0 {
		t.Fatalf("a no-change sync pushed %d", rep.Pushed)
	}
	u := crm.Usage()
	t.Logf("requests spent by the Salesforce adapter over 4 syncs: %d", u.Spent)
}
