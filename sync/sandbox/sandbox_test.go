package sandbox_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
	"github.com/shortlisthq/shortlist/sync/sandbox"
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

// syncOnce runs one sync against sb, draining progress.
func syncOnce(t *testing.T, db *storage.DB, sb *sandbox.Sandbox) model.SyncReport {
	t.Helper()
	crm, err := sb.CRM()
	if err != nil {
		t.Fatal(err)
	}
	eng := crmsync.New(db, crm, crmsync.Options{OwnerEmail: sandbox.OwnerEmail})
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
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	if len(rep.Errors) > 0 || rep.HeldBack > 0 {
		t.Errorf("sync reported errors %q, %d held back", rep.Errors, rep.HeldBack)
	}
	t.Logf("pulled %d, pushed %d, %d conflicts, %d queued in %s", rep.Pulled, rep.Pushed, len(rep.Conflicts), rep.Pending, rep.Finished.Sub(rep.Started))
	return rep
}

func TestSeedMirrorsTheBook(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	sb, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv := sb.Server()
	withCRM, optedOut := 0, 0
	for _, a := range accts {
		if a.CRMID == "" {
			if _, ok := srv.Get("companies", a.CRMID); ok {
				t.Errorf("local-only account %d is in the CRM", a.ID)
			}
			continue
		}
		withCRM++
		o, ok := srv.Get("companies", a.CRMID)
		if !ok {
			t.Fatalf("company %s (%s) not seeded", a.CRMID, a.Name)
		}
		if a.CRMID != sb.Changes().RenamedID && o.Properties["name"] != a.Name {
			t.Errorf("company %s name %q, book %q", a.CRMID, o.Properties["name"], a.Name)
		}
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range d.Contacts {
			want = append(want, c.CRMID)
			co, ok := srv.Get("contacts", c.CRMID)
			if !ok {
				t.Fatalf("contact %s not seeded", c.CRMID)
			}
			if c.Consent.Email.State == model.ConsentOptedOut {
				optedOut++
				if co.Properties["hs_email_optout"] != "true" {
					t.Errorf("contact %s opted out of email in the book, not in the CRM", c.CRMID)
				}
			}
		}
		got := srv.AssociatedIDs("companies", a.CRMID, "contacts")
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("company %s contacts %v, book %v", a.CRMID, got, want)
		}
	}
	if n := len(srv.List("companies")); n != withCRM {
		t.Errorf("CRM holds %d companies; the book has %d with CRM ids", n, withCRM)
	}
	ch := sb.Changes()
	if ch.RenamedID == "" || ch.NewTaskID == "" || ch.ReassignedID == "" {
		t.Fatalf("a never-synced book got no CRM-side changes: %+v", ch)
	}
	if o, _ := srv.Get("companies", ch.ReassignedID); o.Properties["hubspot_owner_id"] == "" ||
		o.Properties["hubspot_owner_id"] == srvOwner(t, sb) {
		t.Errorf("company %s not reassigned: owner %q", ch.ReassignedID, o.Properties["hubspot_owner_id"])
	}
	t.Logf("%d companies, %d email opt-outs seeded", withCRM, optedOut)
}

// srvOwner is the demo rep's owner id in the sandbox: the owner of any
// company not reassigned.
func srvOwner(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	o, ok := sb.Server().Get("companies", sb.Changes().RenamedID)
	if !ok {
		t.Fatal("renamed company missing")
	}
	return o.Properties["hubspot_owner_id"]
}

func TestDemoSyncPullsPushesThenNothingNew(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	sb, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ch := sb.Changes()

	// The rep's own work since the book was written: a connected call with
	// a follow-up, on a contact the CRM knows.
	var contact model.Contact
	accts, _ := db.Accounts(ctx, model.AccountFilter{})
	for _, a := range accts {
		if a.CRMID == "" || a.CRMID == ch.ReassignedID {
			continue
		}
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts {
			if c.CRMID != "" && c.Consent.Call.State != model.ConsentOptedOut {
				contact = c
			}
		}
		if contact.ID != 0 {
			break
		}
	}
	if contact.ID == 0 {
		t.Fatal("no contact to log against")
	}
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contact.ID, Channel: model.ChannelCall, Direction: model.Outbound,
		Outcome: model.OutcomeConnected, Note: "asked for pricing", At: time.Now().Add(-time.Hour), Duration: 4 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	first := syncOnce(t, db, sb)
	if first.Pulled == 0 || first.Pushed == 0 {
		t.Errorf("first demo sync: pulled %d, pushed %d; want both > 0", first.Pulled, first.Pushed)
	}
	if first.Pending != 0 {
		t.Errorf("first demo sync left %d queued", first.Pending)
	}
	// The book's history is seeded as engagements the CRM already had;
	// the push added the one call carrying an operation id.
	calls := slices.DeleteFunc(sb.Server().List("calls"), func(o hubspottest.Object) bool {
		return o.Properties["shortlist_op_id"] == "" || strings.HasPrefix(o.Properties["shortlist_op_id"], "seed-")
	})
	if len(calls) != 1 || calls[0].Properties["hs_call_body"] == "" {
		t.Fatalf("CRM calls after the sync: %+v", calls)
	}
	callsAfterFirst := len(sb.Server().List("calls"))
	if got := sb.Server().AssociatedIDs("calls", calls[0].ID, "contacts"); !slices.Equal(got, []string{contact.CRMID}) {
		t.Errorf("the call is associated with contacts %v, want %s", got, contact.CRMID)
	}
	if res.Next != nil && len(sb.Server().List("tasks")) == 0 {
		t.Errorf("the follow-up task was not pushed")
	}

	// The CRM-side changes reached the book.
	found := map[string]model.Account{}
	accts, _ = db.Accounts(ctx, model.AccountFilter{})
	for _, a := range accts {
		found[a.CRMID] = a
	}
	if a := found[ch.RenamedID]; a.Name != ch.NewName {
		t.Errorf("renamed company is %q in the book, want %q", a.Name, ch.NewName)
	}
	newTask := false
	if a, ok := found[ch.NewTaskCompanyID]; ok {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range d.Tasks {
			newTask = newTask || k.CRMID == ch.NewTaskID
		}
	}
	if !newTask {
		t.Errorf("the task created in the CRM (%s) is not in the book", ch.NewTaskID)
	}
	wl, err := db.Worklist(ctx, model.WorklistQuery{Now: time.Now(), IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range wl.Rows {
		if r.Account.CRMID == ch.ReassignedID {
			t.Errorf("the reassigned company %s is still in the worklist", ch.ReassignedID)
			break
		}
	}

	// Again, in the same process: nothing new either way.
	second := syncOnce(t, db, sb)
	if pulledBesidesSignals(second) != 0 || second.Pushed != 0 || len(second.Conflicts) != 0 || second.Pending != 0 {
		t.Errorf("second sync: %+v; want nothing new", second)
	}
	if n := len(sb.Server().List("calls")); n != callsAfterFirst {
		t.Errorf("CRM holds %d calls after a second sync, %d after the first", n, callsAfterFirst)
	}

	// And in a new process: a fresh sandbox seeded from the synced book.
	sb2, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if sb2.Changes() != (sandbox.Changes{}) {
		t.Errorf("a synced book got CRM-side changes again: %+v", sb2.Changes())
	}
	third := syncOnce(t, db, sb2)
	if pulledBesidesSignals(third) != 0 || third.Pushed != 0 || len(third.Conflicts) != 0 {
		t.Errorf("sync against a re-seeded sandbox: %+v; want nothing new", third)
	}
}

// demoWork is a rep's morning on the demo book: a task done, one skipped,
// one snoozed, a connected call that closes a fourth task, an email that
// opts its contact out, a new contact imported and called. It returns the
// done, skipped and snoozed tasks' CRM ids.
func demoWork(t *testing.T, db *storage.DB) (done, skipped, snoozed string) {
	t.Helper()
	ctx := context.Background()
	var open []model.Task
	var reachable []model.Contact
	var company model.Account
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.CRMID == "" {
			continue
		}
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range d.Tasks {
			if k.CRMID != "" && k.Status == model.TaskOpen && k.ContactID != 0 {
				open = append(open, k)
			}
		}
		for _, c := range d.Contacts {
			if c.CRMID != "" && c.Consent.Call.State != model.ConsentOptedOut && c.Consent.Email.State != model.ConsentOptedOut {
				reachable = append(reachable, c)
				company = a
			}
		}
	}
	if len(open) < 4 || len(reachable) < 2 {
		t.Fatalf("the demo book has %d open CRM tasks on contacts and %d reachable contacts", len(open), len(reachable))
	}
	now := time.Now()
	for _, st := range []struct {
		k      model.Task
		status model.TaskStatus
		until  time.Time
	}{{open[0], model.TaskDone, time.Time{}}, {open[1], model.TaskSkipped, time.Time{}}, {open[2], model.TaskSnoozed, now.Add(48 * time.Hour)}} {
		if err := db.SetTaskStatus(ctx, st.k.ID, st.status, st.until); err != nil {
			t.Fatal(err)
		}
	}
	logs := []model.LogRequest{
		{ContactID: open[3].ContactID, TaskID: open[3].ID, Channel: model.ChannelCall, Outcome: model.OutcomeConnected, Note: "pricing next week"},
		{ContactID: reachable[0].ID, Channel: model.ChannelEmail, Outcome: model.OutcomeOptedOut},
		{ContactID: reachable[1].ID, Channel: model.ChannelCall, Outcome: model.OutcomeWrongNumber},
	}
	csv := "First Name,Last Name,Email,Job Title,Company Name\nNew,Person,new.person@example.com,VP Sales," + company.Name + "\n"
	rep, err := db.Import(ctx, model.ImportRequest{Kind: model.KindContacts, Source: "new.csv", Input: strings.NewReader(csv), Now: now})
	if err != nil || rep.Added != 1 {
		t.Fatalf("import a new contact: %+v, %v", rep, err)
	}
	d, err := db.AccountDetail(ctx, company.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Contacts {
		if c.Email == "new.person@example.com" {
			logs = append(logs, model.LogRequest{ContactID: c.ID, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer})
		}
	}
	if len(logs) != 4 {
		t.Fatal("the imported contact is not in its company")
	}
	for i, l := range logs {
		l.Direction, l.At = model.Outbound, now.Add(-time.Duration(len(logs)-i)*time.Minute)
		if _, err := db.LogTouch(ctx, l); err != nil {
			t.Fatalf("log %+v: %v", l, err)
		}
	}
	return open[0].CRMID, open[1].CRMID, open[2].CRMID
}

// taskStatus is a task's hs_task_status in the sandbox CRM.
func taskStatus(t *testing.T, sb *sandbox.Sandbox, id string) string {
	t.Helper()
	o, ok := sb.Server().Get("tasks", id)
	if !ok {
		t.Fatalf("task %s is not in the demo CRM", id)
	}
	return o.Properties["hs_task_status"]
}

// A task closed, skipped or snoozed since the last sync, in a new process
// (a new sandbox seeded from the book), pushes cleanly: no held-back
// "may be deleted" warning, no conflict, and the CRM shows it closed.
func TestClosedTasksPushCleanly(t *testing.T) {
	ctx := context.Background()
	for _, synced := range []bool{true, false} {
		name := "after a sync"
		if !synced {
			name = "before the first sync"
		}
		t.Run(name, func(t *testing.T) {
			db := openDemo(t, 30)
			if synced {
				sb, err := sandbox.New(ctx, db, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				syncOnce(t, db, sb)
			}
			done, skipped, snoozed := demoWork(t, db)

			sb, err := sandbox.New(ctx, db, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if synced {
				if s := taskStatus(t, sb, done); s != "NOT_STARTED" {
					t.Errorf("before the sync the demo CRM has task %s %s; it has not heard it was done", done, s)
				}
			}
			first := syncOnce(t, db, sb)
			if len(first.Conflicts) != 0 {
				t.Errorf("first sync: conflicts %+v", first.Conflicts)
			}
			// 3 status changes, the closed task, 4 touches and their follow-ups,
			// opt-out and wrong-number contact updates.
			if first.Pushed < 8 || first.Pending != 0 {
				t.Errorf("first sync pushed %d, left %d queued", first.Pushed, first.Pending)
			}
			for id, want := range map[string]string{done: "COMPLETED", skipped: "COMPLETED", snoozed: "NOT_STARTED"} {
				if got := taskStatus(t, sb, id); got != want {
					t.Errorf("task %s is %s in the demo CRM, want %s", id, got, want)
				}
			}

			second := syncOnce(t, db, sb)
			if second.Pushed != 0 || pulledBesidesSignals(second) != 0 || len(second.Conflicts) != 0 {
				t.Errorf("second sync, same process: %+v; want nothing", second)
			}
			sb2, err := sandbox.New(ctx, db, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]string{done: "COMPLETED", skipped: "COMPLETED", snoozed: "NOT_STARTED"} {
				if got := taskStatus(t, sb2, id); got != want {
					t.Errorf("a new process's demo CRM has task %s %s, want %s", id, got, want)
				}
			}
			third := syncOnce(t, db, sb2)
			if third.Pushed != 0 || pulledBesidesSignals(third) != 0 || len(third.Conflicts) != 0 {
				t.Errorf("sync in a new process: %+v; want nothing", third)
			}
		})
	}
}
