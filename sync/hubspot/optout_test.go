package hubspot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestUpdateContactsOptOutsV4 checks the consent push against hubspottest
// made strict like HubSpot: call and LinkedIn opt-outs and the phone flag
// are Shortlist's properties; email opt-outs go in one v4 batch
// unsubscribe-all for the EMAIL channel (never v3, which needs a
// subscriptionId), an address already opted out is not sent, a contact
// deleted in HubSpot is gone, and the 207's one refused address holds back
// only its contact, with HubSpot's reason.
func TestUpdateContactsOptOutsV4(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: -1, SearchPerSecond: -1}, Options{})
	ctx := context.Background()
	a := s.Put("contacts", map[string]string{"email": "a@x.io"})
	b := s.Put("contacts", map[string]string{"email": "b@x.io"})
	bad := s.Put("contacts", map[string]string{"email": "no-address"})
	already := s.Put("contacts", map[string]string{"email": "d@x.io", "hs_email_optout": "true"})
	noMail := s.Put("contacts", map[string]string{"firstname": "N"})
	out := model.Consent{State: model.ConsentOptedOut}
	before := len(s.Requests())
	res, err := c.UpdateContacts(ctx, []crmsync.ContactUpdate{
		{OpID: "1", CRMID: a, Consent: model.Consents{Email: out, Call: out}, PhoneBad: true},
		{OpID: "2", CRMID: b, Consent: model.Consents{Email: out, LinkedIn: out}},
		{OpID: "3", CRMID: bad, Consent: model.Consents{Email: out}},
		{OpID: "4", CRMID: already, Consent: model.Consents{Email: out}},
		{OpID: "5", CRMID: noMail, Consent: model.Consents{Email: out, Call: out}},
		{OpID: "6", CRMID: "31337", Consent: model.Consents{Email: out}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", "", "held", "", "", "gone"} {
		var ie *crmsync.ItemError
		got := ""
		switch {
		case res[i].Err == nil:
		case errors.As(res[i].Err, &ie) && ie.Gone:
			got = "gone"
		case errors.As(res[i].Err, &ie) && !ie.Retry:
			got = "held"
		default:
			got = "retry"
		}
		if got != want {
			t.Errorf("result %d: %q (%v), want %q", i, got, res[i].Err, want)
		}
	}
	if msg := res[2].Err.Error(); !strings.Contains(msg, "email opt-out") || !strings.Contains(msg, "not a valid email address") {
		t.Errorf("held reason %q does not say why", msg)
	}
	unsubs, v3 := 0, 0
	for _, r := range s.Requests()[before:] {
		switch {
		case r.Path == "/communication-preferences/v4/statuses/batch/unsubscribe-all" && r.Query == "channel=EMAIL":
			unsubs++
			if !strings.Contains(string(r.Body), `"inputs":["a@x.io","b@x.io","no-address"]`) {
				t.Errorf("unsubscribe-all body %s", r.Body)
			}
		case strings.HasPrefix(r.Path, "/communication-preferences/v3"):
			v3++
		}
	}
	if unsubs != 1 || v3 != 0 {
		t.Errorf("%d v4 batch unsubscribe-all calls and %d v3 calls, want 1 and 0", unsubs, v3)
	}
	want := map[string]map[string]string{
		a:      {"hs_email_optout": "true", propDoNotCall: "true", propNoLinkedIn: "false", propPhoneBad: "true"},
		b:      {"hs_email_optout": "true", propDoNotCall: "false", propNoLinkedIn: "true", propPhoneBad: "false"},
		bad:    {"hs_email_optout": "", propDoNotCall: "false"},
		noMail: {"hs_email_optout": "", propDoNotCall: "true"},
	}
	for id, props := range want {
		o, _ := s.Get("contacts", id)
		for k, v := range props {
			if o.Properties[k] != v {
				t.Errorf("contact %s: %s = %q, want %q", id, k, o.Properties[k], v)
			}
		}
	}
	if !s.UnsubscribedFromAll("a@x.io") || !s.UnsubscribedFromAll("b@x.io") {
		t.Error("the v4 read-back does not show a and b unsubscribed")
	}

	// The pull reads every opt-out back.
	co := s.Put("companies", map[string]string{"name": "Acme"})
	for _, id := range []string{a, b} {
		if err := s.Associate("contacts", id, "companies", co); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Contacts(ctx, []string{co}, time.Time{})
	if err != nil || len(got) != 2 {
		t.Fatalf("pull: %d contacts, %v", len(got), err)
	}
	for _, rc := range got {
		k, ch := rc.Contact.Consent, rc.Contact.CRMID
		switch {
		case !k.Email.OptedOut():
			t.Errorf("contact %s pulled without its email opt-out", ch)
		case ch == a && (!k.Call.OptedOut() || k.LinkedIn.OptedOut() || !rc.Contact.PhoneBad):
			t.Errorf("contact a pulled as %+v phone bad %v", k, rc.Contact.PhoneBad)
		case ch == b && (k.Call.OptedOut() || !k.LinkedIn.OptedOut() || rc.Contact.PhoneBad):
			t.Errorf("contact b pulled as %+v phone bad %v", k, rc.Contact.PhoneBad)
		}
	}
}
