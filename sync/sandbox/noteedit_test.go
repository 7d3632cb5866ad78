package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/sandbox"
)

// engagementText is what the sandbox CRM holds as a touch's text.
func engagementText(t *testing.T, sb *sandbox.Sandbox, tc model.Touch) string {
	t.Helper()
	e := hubspot.TouchEngagement(tc, 0)
	o, ok := sb.Server().Get(e.Type, tc.CRMID)
	if !ok || o.Archived {
		t.Fatalf("%s %s is not in the demo CRM", e.Type, tc.CRMID)
	}
	return o.Properties[bodyProp(e)]
}

// bodyProp is the property an engagement's text is shown from.
func bodyProp(e hubspot.Engagement) string {
	for _, prop := range []string{"hs_call_body", "hs_email_html", "hs_communication_body", "hs_meeting_body", "hs_note_body"} {
		if _, ok := e.Text[prop]; ok {
			return prop
		}
	}
	return ""
}

// bodyOf is an engagement's text as the push writes it.
func bodyOf(e hubspot.Engagement) string { return e.Text[bodyProp(e)] }

func touchNow(t *testing.T, db *storage.DB, accountID, touchID int64) model.Touch {
	t.Helper()
	d, err := db.AccountDetail(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range d.Touches {
		if tc.ID == touchID {
			return tc
		}
	}
	t.Fatalf("touch %d not on account %d", touchID, accountID)
	return model.Touch{}
}

// The demo flow of issue 4: log, sync, edit the note, sync: the edit reaches
// the CRM and nothing is held back; a second sync pushes nothing. A later
// run (a sandbox seeded afresh from the book) still finds the engagement,
// and so does an edit of a touch from the demo book's own history.
func TestDemoNoteEditReachesTheCRM(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	sb, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, db, sb)

	var contact model.Contact
	var history model.Touch
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
			if c.CRMID != "" && contact.ID == 0 {
				contact = c
			}
		}
		for _, tc := range d.Touches {
			if tc.CRMID != "" && tc.Channel != model.ChannelCall && history.ID == 0 {
				history = tc
			}
		}
	}
	if contact.ID == 0 || history.ID == 0 {
		t.Fatal("the demo book has no contact or history touch to work with")
	}
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contact.ID, Channel: model.ChannelEmail, Direction: model.Outbound,
		Outcome: model.OutcomeSent, Note: "sent the deck", At: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, db, sb)
	logged := touchNow(t, db, contact.AccountID, res.Touch.ID)
	if logged.CRMID == "" {
		t.Fatal("the logged touch was not pushed")
	}

	if err := db.EditTouchNote(ctx, logged.ID, "sent the deck and the pricing sheet"); err != nil {
		t.Fatal(err)
	}
	if err := db.EditTouchNote(ctx, history.ID, "history, corrected"); err != nil {
		t.Fatal(err)
	}
	rep := syncOnce(t, db, sb) // fails on any error or held-back change
	if rep.Pushed != 2 || rep.Pending != 0 {
		t.Errorf("note-edit sync: pushed %d, %d queued; want 2 and 0", rep.Pushed, rep.Pending)
	}
	logged = touchNow(t, db, contact.AccountID, logged.ID)
	if got := engagementText(t, sb, logged); got != "sent the deck and the pricing sheet" {
		t.Errorf("CRM text of the edited touch %q", got)
	}
	history = touchNow(t, db, history.AccountID, history.ID)
	if want := bodyOf(hubspot.TouchEngagement(history, 0)); engagementText(t, sb, history) != want {
		t.Errorf("CRM text of the edited history touch %q, want %q", engagementText(t, sb, history), want)
	}
	if rep := syncOnce(t, db, sb); rep.Pushed != 0 || rep.Pending != 0 {
		t.Errorf("sync after the edit: pushed %d, %d queued; want nothing", rep.Pushed, rep.Pending)
	}

	// A later run: the sandbox is seeded from the book, edited notes and all.
	sb2, err := sandbox.New(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := engagementText(t, sb2, logged); got != "sent the deck and the pricing sheet" {
		t.Errorf("re-seeded CRM text %q", got)
	}
	if err := db.EditTouchNote(ctx, logged.ID, "deck, pricing and the case study"); err != nil {
		t.Fatal(err)
	}
	if rep := syncOnce(t, db, sb2); rep.Pushed != 1 || rep.Pending != 0 {
		t.Errorf("edit against a re-seeded sandbox: pushed %d, %d queued", rep.Pushed, rep.Pending)
	}
	if got := engagementText(t, sb2, logged); got != "deck, pricing and the case study" {
		t.Errorf("CRM text after the later run's edit %q", got)
	}
}
