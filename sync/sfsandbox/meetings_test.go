package sfsandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestMeetingMovedOrCancelledInSalesforce: a meeting the rep booked and
// Shortlist pushed as an Event is rescheduled in Salesforce, then deleted
// there; each next sync brings it to the book (the touch's meeting time
// moves, then the meeting is marked cancelled with its time kept) and names
// the change. An Event Shortlist did not write changes nothing.
func TestMeetingMovedOrCancelledInSalesforce(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 20)
	sb, eng := sandboxEngine(t, db)
	mustSync(t, eng)
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var contact model.Contact
	for _, a := range accts {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts {
			if a.CRMID != "" && a.CRMID != sb.Changes().ReassignedID && c.CRMID != "" && !c.Consent.Call.OptedOut() {
				contact = c
			}
		}
		if contact.ID != 0 {
			break
		}
	}
	if contact.ID == 0 {
		t.Fatal("no contact in Salesforce to call")
	}
	at := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contact.ID, Channel: model.ChannelCall, Outcome: model.OutcomeMeetingBooked,
		At: time.Now(), MeetingAt: at})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, eng)
	touch := func() model.Touch {
		t.Helper()
		tc, err := db.Touch(ctx, res.Touch.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tc
	}
	eventID := touch().CRMID
	srv := sb.Server()
	if ev, ok := srv.Get(eventID); !ok || ev.Str(sft.OpIDField) == "" {
		t.Fatalf("the booked meeting is not an Event Shortlist wrote: %q %v", eventID, ev)
	}

	// A manager's Event on the same contact, moved: not the rep's touch.
	other := srv.Put("Event", sft.Record{"Subject": "Lunch", "StartDateTime": at.UTC().Format("2006-01-02T15:04:05.000+0000"), "WhoId": contact.CRMID})
	srv.Update(other, sft.Record{"StartDateTime": at.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000+0000")})

	moved := at.Add(26 * time.Hour)
	srv.Update(eventID, sft.Record{"StartDateTime": moved.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"EndDateTime": moved.Add(30 * time.Minute).UTC().Format("2006-01-02T15:04:05.000+0000")})
	rep := mustSync(t, eng)
	if got := touch(); !got.MeetingAt.Equal(moved) || got.MeetingCancelled {
		t.Fatalf("after the move in Salesforce the meeting is at %v (cancelled %v), want %v", got.MeetingAt, got.MeetingCancelled, moved)
	}
	if c := findChange(rep, model.ChangeMeetingMoved); c == nil || c.CRMID != eventID || c.To != moved.In(time.Local).Format("2006-01-02 15:04") {
		t.Fatalf("the report does not name the move: %+v", rep.Changes)
	}
	if rep.Pushed != 0 {
		t.Fatalf("taking the CRM's new time pushed %d changes back", rep.Pushed)
	}

	srv.Delete(eventID)
	rep = mustSync(t, eng)
	if got := touch(); !got.MeetingCancelled || !got.MeetingAt.Equal(moved) {
		t.Fatalf("after the delete in Salesforce: cancelled %v at %v", got.MeetingCancelled, got.MeetingAt)
	}
	c := findChange(rep, model.ChangeMeetingCancelled)
	if c == nil || c.Account == "" {
		t.Fatalf("the report does not name the cancellation: %+v", rep.Changes)
	}
	t.Log(c.Text())
	if rep = mustSync(t, eng); findChange(rep, model.ChangeMeetingCancelled) != nil {
		t.Fatalf("the cancellation is named again: %+v", rep.Changes)
	}
}

func findChange(rep model.SyncReport, k model.SyncChangeKind) *model.SyncChange {
	for i := range rep.Changes {
		if rep.Changes[i].Kind == k {
			return &rep.Changes[i]
		}
	}
	return nil
}
