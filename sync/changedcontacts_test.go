package sync_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// editContact changes a contact in the CRM, bumping its modified time, as
// HubSpot does for any property change; its companies do not change.
func (f *fakeCRM) editContact(id string, fn func(*model.PulledContact)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.contacts[id]
	fn(&c)
	c.Modified = f.tick()
	f.contacts[id] = c
}

// emailRowFor finds the worklist's email row for a contact, held rows
// included.
func emailRowFor(t *testing.T, b book, contactID int64, now time.Time) (model.Row, bool) {
	t.Helper()
	wl, err := b.Worklist(context.Background(), model.WorklistQuery{Now: now, IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range wl.Rows {
		if r.Contact.ID == contactID && r.Task.Kind == model.TaskEmail {
			return r, true
		}
	}
	return model.Row{}, false
}

func TestContactOnlyOptOutReachesTheBookOnTheNextSync(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	s.f.editTask(s.task, func(rt *model.PulledTask) {
		rt.Task.Kind, rt.Task.Title = model.TaskEmail, "Email Ann the pilot plan"
	})
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	e := crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com", Now: func() time.Time { return now }})
	syncOK(t, e)
	// A first sync reads every contact through its companies: no search,
	// but the cursor is set, to a CRM time (the companies cursor).
	if n := s.f.count("ContactsModifiedSince"); n != 0 {
		t.Errorf("a first sync searched changed contacts (%d)", n)
	}
	cur, err := b.SyncCursor(ctx, "contacts.o1")
	if err != nil {
		t.Fatal(err)
	}
	if co, _ := b.SyncCursor(ctx, "companies.o1"); cur.IsZero() || !cur.Equal(co) {
		t.Errorf("contacts cursor %v after a first sync, want the companies cursor %v", cur, co)
	}
	ann := b.id(t, "contacts", s.ann)
	if r, ok := emailRowFor(t, b, ann, now); !ok || r.Held {
		t.Fatalf("before the opt-out the worklist does not suggest emailing Ann (%+v, %v): the test proves nothing", r, ok)
	}

	// Ann unsubscribes in HubSpot; nothing else changes.
	s.f.editContact(s.ann, func(c *model.PulledContact) {
		c.Contact.Consent.Email = model.Consent{State: model.ConsentOptedOut, Source: "crm"}
	})
	contactPulls := s.f.count("Contacts")
	now = now.Add(time.Hour) // well inside the daily sweep
	rep := syncOK(t, e)
	if s.f.count("Contacts") != contactPulls {
		t.Fatalf("the contacts were pulled through their companies: the test proves nothing")
	}
	if rep.Pulled == 0 {
		t.Errorf("the report pulled nothing")
	}
	c, _, err := b.Contact(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Consent.Email.OptedOut() || c.Consent.Email.Source != "crm" {
		t.Errorf("Ann's email consent %+v, want opted out by the CRM", c.Consent.Email)
	}
	r, ok := emailRowFor(t, b, ann, now)
	if !ok || !r.Held || r.HeldReason != model.HoldOptedOut {
		t.Errorf("the worklist still suggests emailing Ann: %+v (found %v)", r, ok)
	}
	if wl, err := b.Worklist(ctx, model.WorklistQuery{Now: now}); err != nil {
		t.Fatal(err)
	} else {
		for _, r := range wl.Rows {
			if r.Contact.ID == ann && r.Task.Kind == model.TaskEmail {
				t.Errorf("an email to Ann is on the worklist: %+v", r)
			}
		}
	}
	cur2, _ := b.SyncCursor(ctx, "contacts.o1")
	if want := s.f.contacts[s.ann].Modified; !cur2.Equal(want) {
		t.Errorf("contacts cursor %v, want Ann's change %v", cur2, want)
	}
	// A further sync finds nothing new.
	now = now.Add(time.Minute)
	if rep := syncOK(t, e); rep.Pulled != 0 {
		t.Errorf("a sync with nothing changed pulled %d", rep.Pulled)
	}
}

func TestChangedContactOfACompanyOutsideTheBookIsIgnored(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	other := s.f.addCompany("Umbrella", "Software", 300, "US")
	s.f.editCompany(other, func(c *fakeCompany) { c.rc.OwnerID = "o2" }) // a colleague's
	zed := s.f.addContact(other, "Zed", "Zane", "VP Sales")
	e := engine(b, s.f, 0)
	syncOK(t, e)
	syncOK(t, e) // the search's cursor moves past the seed
	// Zed changes, and so does Cy (of Globex, in the book), who also
	// works with Umbrella.
	s.f.editContact(zed, func(c *model.PulledContact) { c.Contact.Title = "CEO" })
	s.f.editContact(s.cy, func(c *model.PulledContact) {
		c.Contact.Title = "Chief Executive"
		c.CompanyIDs = []string{other, s.globex}
	})
	seen := s.f.count("ContactsModifiedSince")
	rep := syncOK(t, e)
	if got := s.f.count("ContactsModifiedSince") - seen; got != 2 {
		t.Fatalf("the search returned %d contacts, want Zed and Cy", got)
	}
	if b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ?", zed) != 0 {
		t.Errorf("a contact of a company outside the book was added")
	}
	if b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ? AND title = 'Chief Executive' AND account_id = ?", s.cy, b.id(t, "accounts", s.globex)) != 1 {
		t.Errorf("Cy's change did not reach Globex in the book")
	}
	if rep.Pulled != 1 {
		t.Errorf("pulled %d, want 1 (Cy)", rep.Pulled)
	}
	if cur, _ := b.SyncCursor(ctx, "contacts.o1"); !cur.Equal(s.f.contacts[s.cy].Modified) {
		t.Errorf("cursor %v, want past both (%v)", cur, s.f.contacts[s.cy].Modified)
	}
}

func TestContactsCursorAdvancesOnlyWithCommittedPages(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	syncOK(t, e)
	// Five contacts change: pages of two.
	for _, id := range []string{s.ann, s.bob, s.cy, s.dee, s.eve} {
		s.f.editContact(id, func(c *model.PulledContact) { c.Contact.Title += " (interim)" })
	}
	fs := &failingContactsStore{Store: b.DB, failOn: 2}
	_, err := crmsync.New(fs, s.f, crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v", err)
	}
	cur, _ := b.SyncCursor(ctx, "contacts.o1")
	if want := s.f.contacts[s.bob].Modified; !cur.Equal(want) {
		t.Errorf("cursor %v, want page 1's last %v", cur, want)
	}
	if n := b.count(t, "SELECT count(*) FROM contacts WHERE title LIKE '% (interim)'"); n != 2 {
		t.Errorf("%d contacts changed, want page 1's 2", n)
	}
	// The CRM goes away on the next sync's first page: the cursor stays.
	s.f.fail["ContactsModifiedSince"] = failure{call: s.f.calls["ContactsModifiedSince"] + 1, err: &net{}}
	if _, err := e.Sync(ctx, nil); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v", err)
	}
	if cur2, _ := b.SyncCursor(ctx, "contacts.o1"); !cur2.Equal(cur) {
		t.Errorf("cursor moved to %v without a committed page", cur2)
	}
	delete(s.f.fail, "ContactsModifiedSince")
	syncOK(t, e)
	if n := b.count(t, "SELECT count(*) FROM contacts WHERE title LIKE '% (interim)'"); n != 5 {
		t.Errorf("%d contacts changed after the resume, want 5", n)
	}
	if cur3, _ := b.SyncCursor(ctx, "contacts.o1"); !cur3.Equal(s.f.contacts[s.eve].Modified) {
		t.Errorf("cursor %v, want the last change %v", cur3, s.f.contacts[s.eve].Modified)
	}
}

// failingContactsStore fails the failOn-th ApplyContacts (before writing).
type failingContactsStore struct {
	crmsync.Store
	failOn, n int
}

func (f *failingContactsStore) ApplyContacts(ctx context.Context, page []model.PulledContact, key string, cursor time.Time) (model.SyncApplied, error) {
	f.n++
	if f.n == f.failOn {
		return model.SyncApplied{}, errors.New("apply changed contacts: disk full")
	}
	return f.Store.ApplyContacts(ctx, page, key, cursor)
}

func TestSweepDropsContactsGoneFromTheCRM(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	e := crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com", Now: func() time.Time { return now }})
	syncOK(t, e)
	outside := s.f.addCompany("Umbrella", "Software", 300, "US")
	s.f.editCompany(outside, func(c *fakeCompany) { c.rc.OwnerID = "o2" })
	// Bob is deleted in the CRM; Eve, Dee and Cy move to a company outside
	// the book. Dee has a touch not yet pushed (from a month ago), Cy one of
	// today, already pushed.
	s.f.mu.Lock()
	delete(s.f.contacts, s.bob)
	s.f.mu.Unlock()
	for _, id := range []string{s.eve, s.dee, s.cy} {
		s.f.editContact(id, func(c *model.PulledContact) { c.CompanyIDs = []string{outside} })
	}
	if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.cy), Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: now}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	syncOK(t, e) // pushes Cy's touch; no sweep yet
	if n := b.count(t, "SELECT count(*) FROM contacts"); n != 5 {
		t.Fatalf("%d contacts before the sweep, want 5", n)
	}
	if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.dee), Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer, At: now.Add(-30 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.f.fail["PushTouches"] = failure{call: s.f.calls["PushTouches"] + 1, err: &net{}}
	now = now.Add(24 * time.Hour)
	rep, err := e.Sync(ctx, nil)
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v", err)
	}
	has := func(crmID string) bool {
		return b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ?", crmID) == 1
	}
	if has(s.bob) || has(s.eve) {
		t.Errorf("the sweep kept Bob (deleted) %v or Eve (detached) %v", has(s.bob), has(s.eve))
	}
	if !has(s.ann) || !has(s.dee) || !has(s.cy) {
		t.Errorf("the sweep dropped Ann %v, Dee %v (unsynced work) or Cy %v (touched today)", has(s.ann), has(s.dee), has(s.cy))
	}
	noted := false
	for _, m := range rep.Errors {
		noted = noted || strings.Contains(m, "Dee Dunn") && strings.Contains(m, "kept here with 1 unsynced change")
		if strings.Contains(m, "Cy Cole") {
			t.Errorf("Cy reported: %q", m)
		}
	}
	if !noted {
		t.Errorf("Dee was kept without a word: %q", rep.Errors)
	}
	if b.count(t, "SELECT count(*) FROM tasks WHERE crm_id = ?", s.task) != 1 {
		t.Errorf("Ann's task went with the others")
	}
	// Dee's touch is pushed by a sync that does not sweep: Dee stays.
	delete(s.f.fail, "PushTouches")
	now = now.Add(time.Hour)
	syncOK(t, e)
	if !has(s.dee) {
		t.Errorf("Dee dropped outside a sweep")
	}
	// Past the budget window, the next sweep takes Dee and Cy out.
	now = now.Add(15 * 24 * time.Hour)
	syncOK(t, e)
	if has(s.dee) || has(s.cy) || !has(s.ann) {
		t.Errorf("after the window: Dee %v, Cy %v, Ann %v", has(s.dee), has(s.cy), has(s.ann))
	}
	if n := b.count(t, "SELECT count(*) FROM touches t LEFT JOIN contacts c ON c.id = t.contact_id WHERE c.id IS NULL"); n != 0 {
		t.Errorf("%d touches of dropped contacts left", n)
	}
}

// A sweep cut short drops nothing: only a pull of the whole book in one
// sync sees every contact.
func TestInterruptedSweepDropsNothing(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	e := crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com", Now: func() time.Time { return now }, BatchSize: 1})
	syncOK(t, e)
	s.f.mu.Lock()
	delete(s.f.contacts, s.bob)
	s.f.mu.Unlock()
	now = now.Add(25 * time.Hour)
	s.f.fail["Contacts"] = failure{call: s.f.calls["Contacts"] + 2, err: &net{}}
	if _, err := e.Sync(ctx, nil); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v", err)
	}
	delete(s.f.fail, "Contacts")
	now = now.Add(time.Hour)
	syncOK(t, e) // finishes the sweep's pull, in another sync
	if b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ?", s.bob) != 1 {
		t.Errorf("Bob dropped on a sweep split across syncs")
	}
	now = now.Add(24 * time.Hour)
	syncOK(t, e)
	if b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ?", s.bob) != 0 {
		t.Errorf("the next whole sweep kept Bob, deleted in the CRM")
	}
}
