package sync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestOptOutsReachHubSpot: opt-outs logged on email and on a call, and a
// wrong number, reach hubspottest (strict like HubSpot: v3 unsubscribe
// without a subscriptionId is refused) through the real adapter: the
// contact reads hs_email_optout true (v4 unsubscribe-all), the call opt-out
// and the phone flag are Shortlist's properties, nothing is held back and
// the sync succeeds (shortlist sync exits 0). One contact whose address
// HubSpot refuses is held back alone, with HubSpot's reason, while the
// others go. A second book syncing the same portal reads every one back.
func TestOptOutsReachHubSpot(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 3, 2)
	b := openFaultBook(t)
	e := crmsync.New(b.db, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email})
	if _, err := e.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	contactByEmail := func(addr string) (local int64, crmID string) {
		t.Helper()
		if err := b.raw.QueryRow("SELECT id, crm_id FROM contacts WHERE email = ?", addr).Scan(&local, &crmID); err != nil {
			t.Fatalf("contact %s: %v", addr, err)
		}
		return local, crmID
	}
	mailOut, mailCRM := contactByEmail("c0.0@example.com")
	callOut, callCRM := contactByEmail("c1.0@example.com")
	wrong, wrongCRM := contactByEmail("c1.1@example.com")
	log := func(id int64, ch model.Channel, o model.Outcome) {
		t.Helper()
		if _, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: id, Channel: ch, Outcome: o}); err != nil {
			t.Fatal(err)
		}
	}
	log(mailOut, model.ChannelEmail, model.OutcomeOptedOut)
	log(callOut, model.ChannelCall, model.OutcomeOptedOut)
	log(wrong, model.ChannelCall, model.OutcomeWrongNumber)
	rep, err := e.Sync(ctx, nil)
	if err != nil || rep.HeldBack != 0 || rep.Pending != 0 {
		t.Fatalf("sync: %v, %d held back, %d pending: %v", err, rep.HeldBack, rep.Pending, rep.Errors)
	}
	check := func(id, prop, want string) {
		t.Helper()
		o, _ := srv.Get("contacts", id)
		if o.Properties[prop] != want {
			t.Errorf("contact %s: %s = %q, want %q", id, prop, o.Properties[prop], want)
		}
	}
	check(mailCRM, "hs_email_optout", "true")
	check(mailCRM, "shortlist_do_not_call", "false")
	check(callCRM, "shortlist_do_not_call", "true")
	check(callCRM, "hs_email_optout", "")
	check(wrongCRM, "shortlist_phone_bad", "true")
	if !srv.UnsubscribedFromAll("c0.0@example.com") {
		t.Error("the v4 read-back does not show the address unsubscribed")
	}

	// An address HubSpot refuses holds back that contact alone.
	badLocal, badCRM := contactByEmail("c2.0@example.com")
	okLocal, okCRM := contactByEmail("c2.1@example.com")
	if err := srv.Update("contacts", badCRM, map[string]string{"email": "c2.0 at example"}); err != nil {
		t.Fatal(err)
	}
	log(badLocal, model.ChannelEmail, model.OutcomeOptedOut)
	log(okLocal, model.ChannelEmail, model.OutcomeOptedOut)
	rep, err = e.Sync(ctx, nil)
	if err != nil || rep.HeldBack != 1 || rep.Pending != 0 {
		t.Fatalf("sync with a refused address: %v, %d held back, %d pending", err, rep.HeldBack, rep.Pending)
	}
	check(okCRM, "hs_email_optout", "true")
	check(badCRM, "hs_email_optout", "")
	var held string
	if err := b.raw.QueryRow("SELECT last_error FROM outbox WHERE held <> 0 AND kind = 'contact.update' AND entity_id = ?", badLocal).Scan(&held); err != nil {
		t.Fatalf("the refused contact's change is not the one held: %v", err)
	}
	if !strings.Contains(held, "not a valid email address") || len(rep.Held) != 1 || rep.Held[0].Reason != held ||
		rep.Held[0].State != model.OutboxHeld || !strings.Contains(rep.Held[0].Fix, "shortlist outbox drop") {
		t.Errorf("held reason %q (report %+v)", held, rep.Held)
	}

	// Another book on the same portal pulls the opt-outs back.
	b2 := openFaultBook(t)
	if _, err := crmsync.New(b2.db, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT count(*) FROM contacts WHERE email = 'c0.0@example.com' AND consent_email = 'opted-out'",
		"SELECT count(*) FROM contacts WHERE email = 'c1.0@example.com' AND consent_call = 'opted-out' AND consent_email <> 'opted-out'",
		"SELECT count(*) FROM contacts WHERE email = 'c1.1@example.com' AND phone_bad = 1",
	} {
		if b2.count(t, q) != 1 {
			t.Errorf("not read back: %s", q)
		}
	}
}
