package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// UpdateTouches rewrites the note of an engagement the fake created; a
// deleted one (f.deletedTouch) is Gone.
func (f *fakeCRM) UpdateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in) > 100 {
		return nil, errors.New("update touches: more than 100")
	}
	if err := f.call("UpdateTouches", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, u := range in {
		out[i].OpID = u.OpID
		if err := f.itemErr[u.OpID]; err != nil {
			out[i].Err = err
			continue
		}
		t, ok := f.touches[u.CRMID]
		if !ok {
			out[i].Err = &crmsync.ItemError{Gone: true, Message: "engagement " + u.CRMID + " was deleted"}
			continue
		}
		t.Touch.Note = u.Touch.Note
		f.touches[u.CRMID] = t
		f.noteEdits = append(f.noteEdits, u)
		out[i].CRMID = u.CRMID
	}
	return out, nil
}

// pushedTouch logs a call on Ann, syncs it to the fake CRM and returns the
// touch's local id and its engagement's CRM id.
func pushedTouch(t *testing.T, b book, s seeded, e *crmsync.Engine, note string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	r, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.ann), Channel: model.ChannelCall,
		Outcome: model.OutcomeConnected, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	syncOK(t, e)
	var crmID string
	if err := b.raw.QueryRow("SELECT crm_id FROM touches WHERE id = ?", r.Touch.ID).Scan(&crmID); err != nil || crmID == "" {
		t.Fatalf("touch %d not pushed: %q %v", r.Touch.ID, crmID, err)
	}
	return r.Touch.ID, crmID
}

func edit(t *testing.T, b book, touchID int64, note string) {
	t.Helper()
	if err := b.EditTouchNote(context.Background(), touchID, note); err != nil {
		t.Fatal(err)
	}
}

func queued(t *testing.T, b book) int {
	t.Helper()
	return b.count(t, "SELECT count(*) FROM outbox WHERE kind = 'touch.update' AND pushed_at IS NULL")
}

func TestNoteEditedAfterPushReachesTheCRM(t *testing.T) {
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	touch, crmID := pushedTouch(t, b, s, e, "pilot in Q1")
	creates := s.f.count("PushTouches")

	edit(t, b, touch, "pilot in Q2")
	rep := syncOK(t, e)
	if rep.Pushed != 1 || rep.Pending != 0 || rep.HeldBack != 0 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if got := s.f.touches[crmID].Touch.Note; got != "pilot in Q2" {
		t.Errorf("CRM note %q, want the edited one", got)
	}
	if s.f.count("UpdateTouches") != 1 || s.f.count("PushTouches") != creates {
		t.Errorf("updates sent %d, creates %d → %d", s.f.count("UpdateTouches"), creates, s.f.count("PushTouches"))
	}
	u := s.f.noteEdits[0]
	if u.CRMID != crmID || u.Touch.Channel != model.ChannelCall || u.Touch.Outcome != model.OutcomeConnected {
		t.Errorf("update sent %+v", u)
	}
	if n := b.count(t, "SELECT count(*) FROM outbox WHERE kind = 'touch.update' AND pushed_at IS NOT NULL AND last_error = ''"); n != 1 {
		t.Errorf("%d touch.update rows marked pushed, want 1", n)
	}
	// Nothing is left: a second sync sends nothing.
	rep = syncOK(t, e)
	if rep.Pushed != 0 || s.f.count("UpdateTouches") != 1 {
		t.Errorf("re-run: report %+v, %d updates sent", rep, s.f.count("UpdateTouches"))
	}
}

func TestTwoNoteEditsSendOneUpdateWithTheLatest(t *testing.T) {
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	touch, crmID := pushedTouch(t, b, s, e, "first")
	other, otherID := pushedTouch(t, b, s, e, "other")

	edit(t, b, touch, "second")
	edit(t, b, other, "other, edited")
	edit(t, b, touch, "third")
	if queued(t, b) != 3 {
		t.Fatalf("setup: %d note edits queued, want 3", queued(t, b))
	}
	rep := syncOK(t, e)
	if rep.Pending != 0 || rep.HeldBack != 0 || rep.Pushed != 3 {
		t.Errorf("report %+v", rep)
	}
	if got := s.f.count("UpdateTouches"); got != 2 {
		t.Errorf("%d engagement updates sent, want 2 (one per touch)", got)
	}
	if s.f.touches[crmID].Touch.Note != "third" || s.f.touches[otherID].Touch.Note != "other, edited" {
		t.Errorf("CRM notes %q, %q", s.f.touches[crmID].Touch.Note, s.f.touches[otherID].Touch.Note)
	}
}

func TestNoteEditOfADeletedEngagementIsReportedAndKept(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	touch, crmID := pushedTouch(t, b, s, e, "before")
	delete(s.f.touches, crmID) // a colleague deleted the call in the CRM

	edit(t, b, touch, "after")
	rep, err := e.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("a gone engagement stopped the sync: %v", err)
	}
	if rep.HeldBack != 1 || rep.Pending != 0 || rep.Pushed != 0 {
		t.Errorf("report %+v", rep)
	}
	msgs := heldText(rep)
	if !strings.Contains(msgs, "touch.update") || !strings.Contains(msgs, "deleted in the CRM") || !strings.Contains(msgs, "note is kept here") {
		t.Errorf("gone edit not reported: %q", msgs)
	}
	if b.count(t, "SELECT count(*) FROM touches WHERE id = ? AND note = 'after'", touch) != 1 {
		t.Errorf("the local note was not kept")
	}
	// Held as gone: not sent again.
	rep = syncOK(t, e)
	if s.f.count("UpdateTouches") != 1 || rep.HeldBack != 1 {
		t.Errorf("gone edit sent again: %d updates, report %+v", s.f.count("UpdateTouches"), rep)
	}
}

func TestNoteEditRetriedAfterTransportErrorIsSafe(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	touch, crmID := pushedTouch(t, b, s, e, "before")
	edit(t, b, touch, "after")

	s.f.fail["UpdateTouches"] = failure{call: 1, err: &net{}}
	rep, err := e.Sync(ctx, nil)
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v, want offline", err)
	}
	if rep.Pending != 1 || queued(t, b) != 1 || s.f.touches[crmID].Touch.Note != "before" {
		t.Fatalf("after the failure: report %+v, queued %d, CRM note %q", rep, queued(t, b), s.f.touches[crmID].Touch.Note)
	}
	rep = syncOK(t, e)
	if rep.Pushed != 1 || rep.Pending != 0 || s.f.touches[crmID].Touch.Note != "after" || queued(t, b) != 0 {
		t.Errorf("retry: report %+v, CRM note %q", rep, s.f.touches[crmID].Touch.Note)
	}
	if len(s.f.touches) != 1 {
		t.Errorf("the retry created engagements: CRM holds %d", len(s.f.touches))
	}
}

// A note edit queued while its touch is not yet in the CRM (its create
// still queued) waits, and goes in the sync that pushes the create, after
// it. Storage folds an edit into a queued create today, so the queued edit
// is written here as a storage that queued every edit would write it.
func TestNoteEditWaitsForItsTouchCreate(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	r, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.bob), Channel: model.ChannelEmail,
		Outcome: model.OutcomeSent, Note: "intro"})
	if err != nil {
		t.Fatal(err)
	}
	// An edit before the push rides with the queued create.
	edit(t, b, r.Touch.ID, "intro, edited")
	if queued(t, b) != 0 {
		t.Fatalf("an edit before the push queued an update of its own")
	}
	rw, err := sql.Open("sqlite", "file:"+b.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.Exec(`INSERT INTO outbox(op_id, kind, entity_id, payload, created_at) VALUES('edit-1', 'touch.update', ?, '{}', 0)`,
		r.Touch.ID); err != nil {
		t.Fatal(err)
	}

	s.f.itemErr[r.Touch.OpID] = &crmsync.ItemError{Retry: true, Message: "try later"}
	rep := syncOK(t, e)
	if rep.Pending != 2 || rep.HeldBack != 0 || queued(t, b) != 1 || s.f.count("UpdateTouches") != 0 {
		t.Fatalf("create refused for now: report %+v, %d updates sent", rep, s.f.count("UpdateTouches"))
	}
	delete(s.f.itemErr, r.Touch.OpID)
	rep = syncOK(t, e)
	if rep.Pending != 0 || rep.Pushed != 2 || queued(t, b) != 0 || s.f.count("UpdateTouches") != 1 {
		t.Errorf("report %+v, %d updates sent", rep, s.f.count("UpdateTouches"))
	}
	id := s.f.created[r.Touch.OpID]
	if got := s.f.touches[id].Touch.Note; got != "intro, edited" || s.f.noteEdits[0].CRMID != id {
		t.Errorf("CRM note %q, update %+v", got, s.f.noteEdits)
	}
}

// A touch the CRM never had (history loaded without CRM ids) has nothing
// to update: the edit is marked done with the reason, not queued forever.
func TestNoteEditOfATouchTheCRMNeverHadIsNotQueuedForever(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	ann := b.id(t, "contacts", s.ann)
	var touch int64
	err := b.Load(ctx, func(l *storage.Loader) error {
		var err error
		touch, err = l.Touch(model.Touch{ContactID: ann, AccountID: b.id(t, "accounts", s.acme), Channel: model.ChannelEmail,
			Direction: model.Outbound, Outcome: model.OutcomeSent, Note: "old", At: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
			Origin: model.OriginCRM})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	edit(t, b, touch, "new")
	rep := syncOK(t, e)
	if rep.Pending != 0 || rep.HeldBack != 0 || s.f.count("UpdateTouches") != 0 {
		t.Errorf("report %+v, %d updates sent", rep, s.f.count("UpdateTouches"))
	}
	if b.count(t, "SELECT count(*) FROM outbox WHERE kind = 'touch.update' AND pushed_at IS NOT NULL AND last_error LIKE 'the touch is not in the CRM%'") != 1 {
		t.Errorf("the edit was not marked done with its reason")
	}
}

// TestNoteEditedDuringPushReachesCRM: the rep edits a note while its touch
// is being pushed (the TUI keeps working during a sync). The edit lands in
// the pending create after the sync read it, so the CRM got the old note;
// recording the push queues the new one as an update, and the CRM ends
// with the rep's note. Before, the create was marked pushed and the edit
// was lost without a trace.
func TestNoteEditedDuringPushReachesCRM(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	r, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.ann), Channel: model.ChannelCall,
		Outcome: model.OutcomeConnected, Note: "first words"})
	if err != nil {
		t.Fatal(err)
	}
	s.f.onPush = func() {
		s.f.onPush = nil
		if err := b.EditTouchNote(ctx, r.Touch.ID, "what was really said"); err != nil {
			t.Errorf("edit during the push: %v", err)
		}
	}
	syncOK(t, e)
	syncOK(t, e)
	var crmID string
	if err := b.raw.QueryRow("SELECT crm_id FROM touches WHERE id = ?", r.Touch.ID).Scan(&crmID); err != nil || crmID == "" {
		t.Fatalf("touch not pushed: %q %v", crmID, err)
	}
	if got := s.f.touches[crmID].Touch.Note; got != "what was really said" {
		t.Errorf("the CRM holds %q, want the note edited during the push", got)
	}
	if n := b.count(t, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL"); n != 0 {
		t.Errorf("%d entries still queued", n)
	}
	if len(s.f.noteEdits) != 1 {
		t.Errorf("%d note updates, want 1", len(s.f.noteEdits))
	}
}
