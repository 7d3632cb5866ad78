package sandbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/sandbox"
)

// A contact who unsubscribes in the demo CRM, with nothing else changed, is
// opted out in the book by the next sync, found by the contact search (not
// by a pull of their company's contacts).
func TestDemoContactOptOutInTheCRMReachesTheNextSync(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	sb, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, db, sb)
	var contact model.Contact
	accts, _ := db.Accounts(ctx, model.AccountFilter{})
	for _, a := range accts {
		if a.CRMID == "" || a.Owner != "Demo Rep" {
			continue
		}
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts {
			if c.CRMID != "" && !c.Consent.Email.OptedOut() && c.Email != "" {
				contact = c
				break
			}
		}
		if contact.ID != 0 {
			break
		}
	}
	if contact.ID == 0 {
		t.Fatal("no emailable contact in the demo book")
	}
	// A follow-up Shortlist made earlier, by email, still open.
	followUp, err := db.AddTask(ctx, model.Task{ContactID: contact.ID, Kind: model.TaskEmail, Title: "Send the deck", Due: time.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Server().Update("contacts", contact.CRMID, map[string]string{"hs_email_optout": "true"}); err != nil {
		t.Fatal(err)
	}
	before := len(sb.Server().Requests())
	rep := syncOnce(t, db, sb)
	c, _, err := db.Contact(ctx, contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Consent.Email.OptedOut() {
		t.Fatalf("%s unsubscribed in the CRM; the book still has email %+v", c.Name(), c.Consent.Email)
	}
	// The opt-out that arrived closes Shortlist's own email follow-up: it
	// never goes on to become outreach the buyer refused.
	d, err := db.AccountDetail(ctx, c.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range d.Tasks {
		if k.ID == followUp.ID {
			t.Errorf("the email follow-up %q is still open after the contact unsubscribed in the CRM", k.Title)
		}
	}
	if pulledBesidesSignals(rep) != 1 {
		t.Errorf("pulled %d besides signals, want the one contact", pulledBesidesSignals(rep))
	}
	searched := false
	for _, r := range sb.Server().Requests()[before:] {
		if strings.HasPrefix(r.Path, "/crm/v4/associations/companies/contacts") {
			t.Errorf("the company's contacts were pulled (%s): the search did not find the change", r.Path)
		}
		searched = searched || r.Path == "/crm/v3/objects/contacts/search"
	}
	if !searched {
		t.Errorf("no contact search in the second sync")
	}
	if again := syncOnce(t, db, sb); pulledBesidesSignals(again) != 0 {
		t.Errorf("a further sync pulled %d", again.Pulled)
	}
}
