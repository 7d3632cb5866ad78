package salesforce_test

import (
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestSignalFromInboundCallTask: a call in logged in Salesforce (a Task,
// TaskSubtype Call, CallType Inbound) is a called signal on its contact,
// or on its account when it names none (or a lead); outbound calls, other tasks and a
// call Shortlist pushed (its operation id set) are not; a call changed
// before since is not read again.
func TestSignalFromInboundCallTask(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	c := newClient(t, srv, nil)
	acct := srv.Put("Account", sft.Record{"Name": "Acme"})
	ann := srv.Put("Contact", sft.Record{"AccountId": acct, "FirstName": "Ann", "LastName": "Lee"})
	call := func(fields sft.Record) string {
		f := sft.Record{"Subject": "Call", "Status": "Completed", "TaskSubtype": "Call", "WhatId": acct}
		for k, v := range fields {
			f[k] = v
		}
		return srv.Put("Task", f)
	}
	in := call(sft.Record{"CallType": "Inbound", "WhoId": ann, "Description": "\nAsked for the pricing sheet\nand a demo"})
	call(sft.Record{"CallType": "Outbound", "WhoId": ann})
	call(sft.Record{"CallType": "Inbound", "WhoId": ann, sft.OpIDField: "op-7"})
	srv.Put("Task", sft.Record{"Subject": "Send deck", "TaskSubtype": "Task", "WhoId": ann, "WhatId": acct})
	onAccount := call(sft.Record{"CallType": "Inbound", "Subject": "Switchboard transfer"})
	lead := call(sft.Record{"CallType": "Inbound", "WhoId": "00Q000000000042AAA"}) // a lead is no contact of the book

	var got []model.PulledSignal
	var covered time.Time
	err := c.SignalsModifiedSince(ctx, "calls", time.Time{}, func(page []model.PulledSignal, at time.Time) error {
		got, covered = append(got, page...), at
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("signals %+v, want the three calls in not pushed by Shortlist", got)
	}
	if l := got[2]; l.Signal.Key != "salesforce:calls:"+lead || l.ContactID != "" || l.CompanyID != acct || l.Signal.Detail != "called in" {
		t.Errorf("the call in from a lead: %+v", l)
	}
	a, b := got[0], got[1]
	if a.Signal.Key != "salesforce:calls:"+in || a.ContactID != ann || a.Signal.Kind != model.SignalCalled ||
		a.Signal.Detail != "called in: 'Asked for the pricing sheet'" || a.Signal.Channel != model.TaskCall || a.Signal.At.IsZero() {
		t.Errorf("the call in on Ann: %+v", a)
	}
	if b.Signal.Key != "salesforce:calls:"+onAccount || b.ContactID != "" || b.CompanyID != acct || b.Signal.Detail != "called in: 'Switchboard transfer'" {
		t.Errorf("the call in on the account: %+v", b)
	}
	if covered.IsZero() {
		t.Error("no cursor to resume from")
	}
	var again []model.PulledSignal
	if err := c.SignalsModifiedSince(ctx, "calls", covered.Add(time.Second), func(page []model.PulledSignal, _ time.Time) error {
		again = append(again, page...)
		return nil
	}); err != nil || len(again) != 0 {
		t.Errorf("after the cursor: %+v, %v", again, err)
	}
}

// TestSignalFromIncomingEmailMessage: an incoming EmailMessage is a reply
// on the contact its FromAddress relation names (its first line, quotes
// left out), or on its related account when a lead sent it; an outgoing
// one is not; an org without Enhanced Email has none and no error.
func TestSignalFromIncomingEmailMessage(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	c := newClient(t, srv, nil)
	acct := srv.Put("Account", sft.Record{"Name": "Acme"})
	ann := srv.Put("Contact", sft.Record{"AccountId": acct, "FirstName": "Ann", "LastName": "Lee"})
	mail := func(incoming bool, from, body string) string {
		id := srv.Put("EmailMessage", sft.Record{"Subject": "Re: pilot", "TextBody": body, "Incoming": incoming,
			"MessageDate": "2026-12-03T16:12:41.000+0000", "RelatedToId": acct})
		srv.Put("EmailMessageRelation", sft.Record{"EmailMessageId": id, "RelationId": from, "RelationType": "FromAddress"})
		return id
	}
	reply := mail(true, ann, "> earlier\nThursday works for us\n\nOn Tue, Rita wrote:\n> Would Thursday work?")
	mail(false, srv.UserID(), "Would Thursday work?")
	lead := mail(true, "00Q000000000042AAA", "")
	var got []model.PulledSignal
	if err := c.SignalsModifiedSince(ctx, "emails", time.Time{}, func(page []model.PulledSignal, _ time.Time) error {
		got = append(got, page...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("signals %+v, want the two incoming emails", got)
	}
	if a := got[0]; a.Signal.Key != "salesforce:emails:"+reply || a.ContactID != ann || a.Signal.Kind != model.SignalReplied ||
		a.Signal.Detail != "replied: 'Thursday works for us'" || a.Signal.Channel != model.TaskEmail ||
		!a.Signal.At.Equal(time.Date(2026, 12, 3, 16, 12, 41, 0, time.UTC)) {
		t.Errorf("Ann's reply: %+v", a)
	}
	if b := got[1]; b.Signal.Key != "salesforce:emails:"+lead || b.ContactID != "" || b.CompanyID != acct || b.Signal.Detail != "replied: 'Re: pilot'" {
		t.Errorf("a lead's reply: %+v", b)
	}

	off := sft.NewUnstarted(sft.Options{Missing: []string{"EmailMessage", "EmailMessageRelation"}})
	if err := newClient(t, off, nil).SignalsModifiedSince(ctx, "emails", time.Time{}, func([]model.PulledSignal, time.Time) error {
		t.Error("signals from an org without Enhanced Email")
		return nil
	}); err != nil {
		t.Errorf("an org without Enhanced Email: %v", err)
	}
}
