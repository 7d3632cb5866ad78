package storage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func TestApplyCompaniesIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "shortlist.db"))
	emp := int64(300)
	mod := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	page := []model.PulledCompany{{Account: model.Account{CRMID: "c1", Name: "Acme", Industry: "Software", Employees: &emp}, Modified: mod}}
	first, err := db.ApplyCompanies(ctx, page, "companies.o1", mod)
	if err != nil || first.Changed != 1 {
		t.Fatalf("first apply: %+v, %v", first, err)
	}
	again, err := db.ApplyCompanies(ctx, page, "companies.o1", mod)
	if err != nil || again.Changed != 0 {
		t.Errorf("the same page applied again: %+v, %v", again, err)
	}
	page[0].Account.Employees, page[0].Modified = nil, mod.Add(time.Minute)
	changed, err := db.ApplyCompanies(ctx, page, "companies.o1", mod.Add(time.Minute))
	if err != nil || changed.Changed != 1 {
		t.Errorf("a changed company: %+v, %v", changed, err)
	}
	accts, _ := db.Accounts(ctx, model.AccountFilter{})
	if len(accts) != 1 || accts[0].Employees != nil {
		t.Errorf("the CRM's value did not win: %+v", accts)
	}
}

func TestSyncStoreHoldsDepartsAndPurges(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "shortlist.db"))
	mod := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	page := []model.PulledCompany{
		{Account: model.Account{CRMID: "c1", Name: "Acme"}, Modified: mod},
		{Account: model.Account{CRMID: "c2", Name: "Globex\x1b[2J"}, Modified: mod},
	}
	if _, err := db.ApplyCompanies(ctx, page, "companies.o1", mod); err != nil {
		t.Fatal(err)
	}
	cur, err := db.SyncCursor(ctx, "companies.o1")
	if err != nil || !cur.Equal(mod) {
		t.Fatalf("cursor %v, %v", cur, err)
	}
	pending, err := db.PullPending(ctx, 10)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pull pending %v, %v", pending, err)
	}
	contacts := []model.PulledContact{
		{Contact: model.Contact{CRMID: "p1", FirstName: "Ann", Title: "VP Sales"}, CompanyIDs: []string{"c1"}},
		{Contact: model.Contact{CRMID: "p2", FirstName: "Gus", Title: "CEO"}, CompanyIDs: []string{"zz", "c2"}},
	}
	if _, err := db.ApplyContactsTasks(ctx, pending, contacts, nil); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.PullPending(ctx, 10); len(left) != 0 {
		t.Errorf("pull marks left: %v", left)
	}
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil || len(accts) != 2 {
		t.Fatalf("accounts %v, %v", accts, err)
	}
	for _, a := range accts {
		if a.CRMID == "c2" && a.Name != model.Sanitize("Globex\x1b[2J") {
			t.Errorf("name not sanitised: %q", a.Name)
		}
	}
	res, err := db.Search(ctx, "Ann", 5)
	hits := res.Hits
	if err != nil || len(hits) != 1 {
		t.Fatalf("contact not pulled: %v, %v", hits, err)
	}
	c, _, err := db.Contact(ctx, hits[0].ContactID)
	if err != nil || c.Persona == model.PersonaUnknown {
		t.Fatalf("contact not classified: %+v, %v", c, err)
	}

	// A touch queued for Ann, refused by the CRM: held, not offered again,
	// until the rep changes it.
	r, err := db.LogTouch(ctx, model.LogRequest{ContactID: c.ID, Channel: model.ChannelEmail, Outcome: model.OutcomeSent})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.PendingOutbox(ctx, model.OutboxTouchCreate, 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Contact.CRMID != "p1" || entries[0].Account.CRMID != "c1" {
		t.Fatalf("pending %+v, %v", entries, err)
	}
	if err := db.RecordPush(ctx, []model.PushOutcome{{EntryID: entries[0].ID, Held: true, Error: "too long"}}); err != nil {
		t.Fatal(err)
	}
	if e, _ := db.PendingOutbox(ctx, model.OutboxTouchCreate, 0, 10); len(e) != 0 {
		t.Errorf("held entry offered again")
	}
	if q, h, _ := db.OutboxCounts(ctx); q != 0 || h != 1 {
		t.Errorf("counts %d queued, %d held", q, h)
	}
	if err := db.EditTouchNote(ctx, r.Touch.ID, "shorter"); err != nil {
		t.Fatal(err)
	}
	if e, _ := db.PendingOutbox(ctx, model.OutboxTouchCreate, 0, 10); len(e) != 1 || e[0].Touch.Note != "shorter" {
		t.Fatalf("changed entry not back in the queue: %+v", e)
	}

	if _, err := db.AddTask(ctx, model.Task{ContactID: c.ID, Kind: model.TaskTodo, Title: "Research", Due: mod}); err != nil {
		t.Fatal(err)
	}
	before, err := db.Worklist(ctx, model.WorklistQuery{Now: mod.Add(30 * 24 * time.Hour), IncludeHeld: true})
	if err != nil || len(before.Rows) == 0 {
		t.Fatalf("the task is not on the worklist before the departure: %v", err)
	}

	// Both companies leave: Globex (no work) goes at once, Acme (a queued
	// touch) stays out of the worklist until the touch is pushed.
	if _, err := db.ApplyDepartures(ctx, []model.DepartedCompany{{CompanyID: "c1", Owner: "o2"}, {CompanyID: "c2", Owner: "o2"}}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.BookCompanyIDs(ctx); len(ids) != 0 {
		t.Errorf("book still holds %v", ids)
	}
	if accts, _ := db.Accounts(ctx, model.AccountFilter{}); len(accts) != 1 || accts[0].CRMID != "c1" {
		t.Fatalf("accounts after departures: %+v", accts)
	}
	wl, err := db.Worklist(ctx, model.WorklistQuery{Now: mod.Add(30 * 24 * time.Hour), IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(wl.Rows) != 0 {
		t.Errorf("a departed account is on the worklist: %+v", wl.Rows[0].Account.Name)
	}
	if n, err := db.PurgeDeparted(ctx, time.Now().Add(48*time.Hour)); err != nil || n != 0 {
		t.Errorf("purged %d with work queued (%v)", n, err)
	}
	e, _ := db.PendingOutbox(ctx, model.OutboxTouchCreate, 0, 10)
	k, _ := db.PendingOutbox(ctx, model.OutboxTaskCreate, 0, 10)
	if len(e) != 1 || len(k) != 1 {
		t.Fatalf("queued: %d touches, %d tasks", len(e), len(k))
	}
	if err := db.RecordPush(ctx, []model.PushOutcome{{EntryID: e[0].ID, CRMID: "call-9", Pushed: e[0].Touch.Note}, {EntryID: k[0].ID, CRMID: "task-9"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoLog(ctx, r.Touch.ID); err == nil {
		t.Errorf("undo after the push succeeded")
	}
	// Pushed, but touched today: kept, so the rep's done-today holds.
	if n, err := db.PurgeDeparted(ctx, time.Now()); err != nil || n != 0 {
		t.Errorf("purged %d touched today (%v)", n, err)
	}
	if st, err := db.Stats(ctx, time.Now()); err != nil || st.Today[model.OutcomeSent] != 1 {
		t.Errorf("done today after a same-day purge: %+v, %v", st, err)
	}
	if n, err := db.PurgeDeparted(ctx, time.Now().Add(48*time.Hour)); err != nil || n != 1 {
		t.Errorf("purged %d after the push, two days on (%v)", n, err)
	}
}

// TestPullKeepsWhatTheCRMDoesNotCarry checks that a first sync does not
// wipe what only the book knows: technologies (HubSpot has no such property,
// so the adapter leaves them nil) keep scoring the account, and a date-only
// due pulled back as the same instant stays a date rather than "00:00".
func TestPullKeepsWhatTheCRMDoesNotCarry(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "shortlist.db"))
	emp := int64(300)
	mod := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	acct := model.Account{CRMID: "c1", Name: "Acme", Industry: "Software", Employees: &emp, Technologies: []string{"Salesforce", "Snowflake"}}
	if _, err := db.ApplyCompanies(ctx, []model.PulledCompany{{Account: acct, Modified: mod}}, "companies.o1", mod); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Accounts(ctx, model.AccountFilter{})
	acct.Technologies = nil
	acct.Name = "Acme Holdings"
	if _, err := db.ApplyCompanies(ctx, []model.PulledCompany{{Account: acct, Modified: mod.Add(time.Hour)}}, "companies.o1", mod.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after, _ := db.Accounts(ctx, model.AccountFilter{})
	if len(after) != 1 || after[0].Name != "Acme Holdings" {
		t.Fatalf("the CRM's rename did not arrive: %+v", after)
	}
	if len(after[0].Technologies) != 2 || after[0].Fit != before[0].Fit || after[0].Tier != before[0].Tier {
		t.Errorf("technologies %v fit %d tier %s after a pull without them; before %v %d %s",
			after[0].Technologies, after[0].Fit, after[0].Tier, before[0].Technologies, before[0].Fit, before[0].Tier)
	}

	// A date-only task (midnight in the rep's zone), pulled back as an instant.
	loc, err := time.LoadLocation(testOptions().Settings.RepZone)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 11, 24, 0, 0, 0, 0, loc)
	task := model.PulledTask{Task: model.Task{CRMID: "t1", Kind: model.TaskCall, Title: "Call", Due: due, DueHasTime: true,
		Status: model.TaskOpen}, CompanyID: "c1"}
	if _, err := db.ApplyContactsTasks(ctx, []string{"c1"}, nil, []model.PulledTask{task}); err != nil {
		t.Fatal(err)
	}
	d, err := db.AccountDetail(ctx, after[0].ID)
	if err != nil || len(d.Tasks) != 1 {
		t.Fatalf("pulled task: %+v, %v", d.Tasks, err)
	}
	if d.Tasks[0].DueHasTime {
		t.Errorf("a due at midnight in the rep's zone came back timed: %v", d.Tasks[0].Due)
	}
}

// ApplyContacts writes contacts found by their own change with their cursor
// in one transaction: contacts of companies outside the book are left out,
// an opt-out from the CRM holds, an empty page just moves the cursor.
func TestApplyContactsWritesWithItsCursor(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "shortlist.db"))
	mod := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.ApplyCompanies(ctx, []model.PulledCompany{{Account: model.Account{CRMID: "c1", Name: "Acme"}, Modified: mod}}, "companies.o1", mod); err != nil {
		t.Fatal(err)
	}
	ann := model.Contact{CRMID: "p1", FirstName: "Ann", Title: "VP Sales", Email: "ann@acme.test"}
	if _, err := db.ApplyContactsTasks(ctx, []string{"c1"}, []model.PulledContact{{Contact: ann, CompanyIDs: []string{"c1"}, Modified: mod}}, nil); err != nil {
		t.Fatal(err)
	}
	ann.Consent.Email = model.Consent{State: model.ConsentOptedOut, Source: "crm"}
	at := mod.Add(time.Hour)
	page := []model.PulledContact{
		{Contact: ann, CompanyIDs: []string{"c9", "c1"}, Modified: at},
		{Contact: model.Contact{CRMID: "p2", FirstName: "Zed"}, CompanyIDs: []string{"c9"}, Modified: at},
	}
	got, err := db.ApplyContacts(ctx, page, "contacts.o1", at)
	if err != nil || got.Changed != 1 {
		t.Fatalf("apply: %+v, %v; want Ann changed", got, err)
	}
	if cur, err := db.SyncCursor(ctx, "contacts.o1"); err != nil || !cur.Equal(at) {
		t.Errorf("cursor %v, %v; want %v", cur, err, at)
	}
	d, err := db.AccountDetail(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 1 || !d.Contacts[0].Consent.Email.OptedOut() {
		t.Errorf("contacts %+v; want Ann alone, opted out of email", d.Contacts)
	}
	if again, err := db.ApplyContacts(ctx, page, "contacts.o1", at); err != nil || again.Changed != 0 {
		t.Errorf("the same page again: %+v, %v", again, err)
	}
	later := at.Add(time.Minute)
	if _, err := db.ApplyContacts(ctx, nil, "contacts.o1", later); err != nil {
		t.Fatal(err)
	}
	if cur, _ := db.SyncCursor(ctx, "contacts.o1"); !cur.Equal(later) {
		t.Errorf("an empty page left the cursor at %v", cur)
	}
	// A contact that cannot be written rolls the cursor back with it.
	bad := []model.PulledContact{{Contact: model.Contact{FirstName: "No id"}, CompanyIDs: []string{"c1"}, Modified: later.Add(time.Minute)}}
	if _, err := db.ApplyContacts(ctx, bad, "contacts.o1", later.Add(time.Minute)); err == nil {
		t.Fatal("a contact without a CRM id was applied")
	}
	if cur, _ := db.SyncCursor(ctx, "contacts.o1"); !cur.Equal(later) {
		t.Errorf("a failed page moved the cursor to %v", cur)
	}
}
