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
