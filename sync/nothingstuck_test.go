package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestChangesToRecordsTheCRMDoesNotHold: work on an account the CRM does
// not hold (a demo one: no CRM id) used to stay "still queued" forever with
// no reason (a task closed there), or went as an engagement linked to
// nothing. Now every such change is listed, with its reason and the way
// out, and none is counted as queued; once the company is created in the
// CRM under the same domain, the next sync links the account and its
// contact and the changes go; what can never go (an update of a task the
// CRM never had) is dropped with DropOutbox.
func TestChangesToRecordsTheCRMDoesNotHold(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 2, 1)
	b := openFaultBook(t)
	e := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email})
	if _, err := e.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var acc, lou, oldTask int64
	err := b.db.Load(ctx, func(l *storage.Loader) error {
		var err error
		if acc, err = l.Account(model.Account{Name: "Local Co", Domain: "local.example", Country: "US"}); err != nil {
			return err
		}
		if lou, err = l.Contact(model.Contact{AccountID: acc, FirstName: "Lou", LastName: "Local", Title: "VP Sales", Email: "lou@local.example", Phone: "+1 212 555 0199"}); err != nil {
			return err
		}
		oldTask, err = l.Task(model.Task{AccountID: acc, ContactID: lou, Kind: model.TaskCall, Title: "Call Lou", Due: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.db.SetTaskStatus(ctx, oldTask, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: lou, Channel: model.ChannelCall, Outcome: model.OutcomeConnected,
		Note: "spoke", Next: model.NextChoice{Mode: model.NextAt, Due: time.Now().Add(48 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: lou, Channel: model.ChannelEmail, Outcome: model.OutcomeOptedOut}); err != nil {
		t.Fatal(err)
	}
	entries := b.count(t, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL")
	calls := len(srv.List("calls"))
	for round := range 2 {
		rep, err := e.Sync(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Pending != 0 || rep.HeldBack != entries || len(rep.Held) != entries {
			t.Fatalf("round %d: %d pending, %d held back, %d listed; want 0, %d, %d", round, rep.Pending, rep.HeldBack, len(rep.Held), entries, entries)
		}
		for _, it := range rep.Held {
			// The update of a task never pushed can only be dropped; the
			// rest go once the company is in the CRM.
			way := "domain local.example"
			if it.Kind == model.OutboxTaskUpdate {
				way = "what you did stays in the book"
			}
			if it.State != model.OutboxWaiting || !strings.Contains(it.Reason, "is not in the CRM") || it.Account != "Local Co" ||
				!strings.Contains(it.Fix, way) || !strings.Contains(it.Fix, "shortlist outbox drop ") || it.What == "" {
				t.Errorf("round %d: held %+v", round, it)
			}
		}
	}
	if got := len(srv.List("calls")); got != calls {
		t.Errorf("%d calls created in the CRM for an account it does not hold", got-calls)
	}

	// The rep creates the company (and the contact) in HubSpot.
	owner := ""
	for _, co := range srv.List("companies") {
		owner = co.Properties["hubspot_owner_id"]
	}
	co := srv.Put("companies", map[string]string{"name": "Local Co Inc", "domain": "LOCAL.example", "hubspot_owner_id": owner})
	ct := srv.Put("contacts", map[string]string{"firstname": "Lou", "lastname": "Local", "email": "lou@local.example"})
	if err := srv.Associate("contacts", ct, "companies", co); err != nil {
		t.Fatal(err)
	}
	rep, err := e.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	linked := false
	for _, c := range rep.Changes {
		linked = linked || (c.Kind == model.ChangeLinked && c.CRMID == co)
	}
	if !linked || b.count(t, "SELECT count(*) FROM accounts WHERE id = ? AND crm_id = ?", acc, co) != 1 ||
		b.count(t, "SELECT count(*) FROM contacts WHERE id = ? AND crm_id = ?", lou, ct) != 1 {
		t.Fatalf("the account and its contact were not linked: changes %+v", rep.Changes)
	}
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ?", co) != 1 {
		t.Error("the company came in as a second account")
	}
	// Only the update of a task the CRM never had is left, with the way out.
	if rep.Pending != 0 || rep.HeldBack != 1 || len(rep.Held) != 1 || rep.Held[0].Kind != model.OutboxTaskUpdate ||
		strings.Contains(rep.Held[0].Fix, "create the company") || !strings.Contains(rep.Held[0].Fix, "shortlist outbox drop") {
		t.Fatalf("after linking: %d pending, %d held: %+v", rep.Pending, rep.HeldBack, rep.Held)
	}
	if got := len(srv.List("calls")); got != calls+1 {
		t.Errorf("%d calls pushed after linking, want 1", got-calls)
	}
	if o, _ := srv.Get("contacts", ct); o.Properties["hs_email_optout"] != "true" {
		t.Errorf("the opt-out did not reach the contact once linked: %v", o.Properties)
	}
	t.Logf("%d changes on an account the CRM does not hold: all waiting with their reason; linked by domain: %d pushed, 1 left to drop", entries, rep.Pushed)
	it, err := b.db.DropOutbox(ctx, rep.Held[0].ID)
	if err != nil || it.ID != rep.Held[0].ID {
		t.Fatalf("drop: %+v, %v", it, err)
	}
	if _, err := b.db.DropOutbox(ctx, it.ID); err == nil {
		t.Error("dropping it twice succeeded")
	}
	if rep, err := e.Sync(ctx, nil); err != nil || rep.Pending != 0 || rep.HeldBack != 0 {
		t.Fatalf("after the drop: %v, %d pending, %d held", err, rep.Pending, rep.HeldBack)
	}
	if b.count(t, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'done'", oldTask) != 1 {
		t.Error("dropping the change changed the task here")
	}
}

// TestSyncReportNamesChanges: the report names the accounts that arrived,
// left (reassigned to whom, or deleted) and were renamed, not only counts.
// The new owner is named (HubSpot's owners API, read once per owner); one
// HubSpot does not list (a deactivated user) is named by id.
func TestSyncReportNamesChanges(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 6, 1)
	b := openFaultBook(t)
	// The next sync is the next day's first, whose sweep finds companies
	// reassigned or deleted (between sweeps only the owner's search runs).
	now := time.Now()
	e := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email, Now: func() time.Time { return now }})
	rep, err := e.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(25 * time.Hour)
	// A first sync brings the whole book: counted, not named one by one.
	if len(rep.Changes) != 0 || rep.Pulled == 0 {
		t.Fatalf("first sync changes %+v, pulled %d", rep.Changes, rep.Pulled)
	}
	cos := srv.List("companies")
	other := srv.AddOwner("other@example.com", "Olga", "Other")
	srv.Update("companies", cos[0].ID, map[string]string{"name": "Company Zero Renamed"})
	srv.Update("companies", cos[1].ID, map[string]string{"hubspot_owner_id": other})
	srv.Update("companies", cos[4].ID, map[string]string{"hubspot_owner_id": other})
	srv.Update("companies", cos[5].ID, map[string]string{"hubspot_owner_id": "99999999"})
	srv.Archive("companies", cos[2].ID)
	owner := cos[3].Properties["hubspot_owner_id"]
	srv.Put("companies", map[string]string{"name": "Newcomer", "hubspot_owner_id": owner})
	before := len(srv.Requests())
	rep, err = e.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ownerReads := 0
	for _, r := range srv.Requests()[before:] {
		if strings.HasPrefix(r.Path, "/crm/v3/owners/") {
			ownerReads++
		}
	}
	if ownerReads != 2 {
		t.Errorf("%d reads of an owner by id, want 2 (Olga once, the unknown one once)", ownerReads)
	}
	want := map[model.SyncChange]bool{
		{Kind: model.ChangeRenamed, Account: "Company Zero Renamed", CRMID: cos[0].ID, From: "Company 00000"}: false,
		{Kind: model.ChangeReassigned, Account: "Company 00001", CRMID: cos[1].ID, To: "Olga Other"}:          false,
		{Kind: model.ChangeReassigned, Account: "Company 00004", CRMID: cos[4].ID, To: "Olga Other"}:          false,
		{Kind: model.ChangeReassigned, Account: "Company 00005", CRMID: cos[5].ID, To: "99999999"}:            false,
		{Kind: model.ChangeDeleted, Account: "Company 00002", CRMID: cos[2].ID}:                               false,
	}
	arrived := false
	for _, c := range rep.Changes {
		c.AccountID = 0 // compared apart: the book's ids
		if _, ok := want[c]; ok {
			want[c] = true
		}
		arrived = arrived || (c.Kind == model.ChangeArrived && c.Account == "Newcomer")
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("not reported: %+v (got %+v)", c, rep.Changes)
		}
	}
	if !arrived || len(rep.Changes) != 6 {
		t.Errorf("changes %+v", rep.Changes)
	}
}
