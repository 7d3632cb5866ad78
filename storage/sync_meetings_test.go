package storage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// TestApplyMeetingsMovesAndCancels: a meeting the CRM moved moves the
// booked-meeting touch it came from (found by CRM id, else by operation
// id), one deleted marks it cancelled with its time kept, one restored is
// on again; each move and cancellation is named once; a meeting that is no
// booked touch of the book changes nothing; the cursor moves with the page.
func TestApplyMeetingsMovesAndCancels(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db := openDB(t, path)
	mod := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.ApplyCompanies(ctx, []model.PulledCompany{{Account: model.Account{CRMID: "c1", Name: "Acme"}, Modified: mod}}, "companies.o1", mod); err != nil {
		t.Fatal(err)
	}
	pending, _ := db.PullPending(ctx, 10)
	if _, err := db.ApplyContactsTasks(ctx, pending, []model.PulledContact{{Contact: model.Contact{CRMID: "p1", FirstName: "Ann", LastName: "Lee"}, CompanyIDs: []string{"c1"}}}, nil); err != nil {
		t.Fatal(err)
	}
	accts, _ := db.Accounts(ctx, model.AccountFilter{})
	d, err := db.AccountDetail(ctx, accts[0].ID)
	if err != nil || len(d.Contacts) != 1 {
		t.Fatalf("book: %+v %v", d, err)
	}
	at := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	logTouch := func(req model.LogRequest) model.Touch {
		t.Helper()
		req.ContactID, req.At, req.Next = d.Contacts[0].ID, mod.Add(time.Hour), model.NextChoice{Mode: model.NextNone}
		res, err := db.LogTouch(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res.Touch
	}
	pushed := logTouch(model.LogRequest{Channel: model.ChannelCall, Outcome: model.OutcomeMeetingBooked, MeetingAt: at})
	inFlight := logTouch(model.LogRequest{Channel: model.ChannelEmail, Outcome: model.OutcomeMeetingBooked, MeetingAt: at.Add(time.Hour)})
	held := logTouch(model.LogRequest{Channel: model.ChannelMeeting, Outcome: model.OutcomeConnected})
	r := raw(t, path)
	for crmID, id := range map[string]int64{"ev1": pushed.ID, "ev3": held.ID} {
		if _, err := r.Exec(`UPDATE touches SET crm_id = ? WHERE id = ?`, crmID, id); err != nil {
			t.Fatal(err)
		}
	}
	touch := func(id int64) model.Touch {
		t.Helper()
		tc, err := db.Touch(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return tc
	}

	page := []model.PulledMeeting{
		{CRMID: "ev1", OpID: pushed.OpID, Start: at.Add(24 * time.Hour), Modified: mod.Add(time.Minute)},
		{CRMID: "ev2", OpID: inFlight.OpID, Start: at.Add(2 * time.Hour), Modified: mod.Add(2 * time.Minute)},
		{CRMID: "ev3", Start: at, Modified: mod.Add(3 * time.Minute)},                 // a meeting held: not booked
		{CRMID: "ev9", OpID: "nobody", Start: at, Modified: mod.Add(4 * time.Minute)}, // not the book's
	}
	out, err := db.ApplyMeetings(ctx, page, "meetings.o1", mod.Add(4*time.Minute))
	if err != nil || out.Changed != 2 || len(out.Changes) != 2 {
		t.Fatalf("apply: %+v %v", out, err)
	}
	if c := out.Changes[0]; c.Kind != model.ChangeMeetingMoved || c.Account != "Acme" || c.Task != "meeting with Ann Lee" || c.CRMID != "ev1" {
		t.Errorf("the move is named %+v", c)
	}
	if got := touch(pushed.ID); !got.MeetingAt.Equal(at.Add(24 * time.Hour)) {
		t.Errorf("the pushed meeting is at %v", got.MeetingAt)
	}
	if got := touch(inFlight.ID); !got.MeetingAt.Equal(at.Add(2 * time.Hour)) {
		t.Errorf("the meeting found by its operation id is at %v", got.MeetingAt)
	}
	if got := touch(held.ID); !got.MeetingAt.IsZero() || got.MeetingCancelled {
		t.Errorf("a held meeting changed: %+v", got)
	}
	if cur, _ := db.SyncCursor(ctx, "meetings.o1"); !cur.Equal(mod.Add(4 * time.Minute)) {
		t.Errorf("cursor %v", cur)
	}
	if again, err := db.ApplyMeetings(ctx, page, "meetings.o1", mod.Add(4*time.Minute)); err != nil || again.Changed != 0 || len(again.Changes) != 0 {
		t.Errorf("the same page again: %+v %v", again, err)
	}

	gone := []model.PulledMeeting{{CRMID: "ev1", Deleted: true, Start: at.Add(24 * time.Hour), Modified: mod.Add(5 * time.Minute)}}
	out, err = db.ApplyMeetings(ctx, gone, "meetings.o1", mod.Add(5*time.Minute))
	if err != nil || out.Changed != 1 || len(out.Changes) != 1 || out.Changes[0].Kind != model.ChangeMeetingCancelled {
		t.Fatalf("a deleted meeting: %+v %v", out, err)
	}
	if got := touch(pushed.ID); !got.MeetingCancelled || !got.MeetingAt.Equal(at.Add(24*time.Hour)) {
		t.Errorf("cancelled: %+v", got)
	}
	if again, _ := db.ApplyMeetings(ctx, gone, "meetings.o1", mod.Add(5*time.Minute)); again.Changed != 0 || len(again.Changes) != 0 {
		t.Errorf("the cancellation is named again: %+v", again)
	}
	back := []model.PulledMeeting{{CRMID: "ev1", Start: at.Add(48 * time.Hour), Modified: mod.Add(6 * time.Minute)}}
	if out, err = db.ApplyMeetings(ctx, back, "meetings.o1", mod.Add(6*time.Minute)); err != nil || out.Changed != 1 {
		t.Fatalf("restored: %+v %v", out, err)
	}
	if got := touch(pushed.ID); got.MeetingCancelled || !got.MeetingAt.Equal(at.Add(48*time.Hour)) {
		t.Errorf("a meeting restored in the CRM: %+v", got)
	}
}
