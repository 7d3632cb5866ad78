package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// TestWaitingChangesListedAndReleased: changes held as waiting (their
// account is not in the CRM) are listed with the way out; an update that
// waited for its task's create goes back in the queue when that create is
// pushed; DropOutbox removes one entry in one transaction and leaves the
// record as it is; an id that is not queued is ErrNotFound.
func TestWaitingChangesListedAndReleased(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db := openDB(t, path)
	r := raw(t, path)
	var acc, ct int64
	if err := db.Load(ctx, func(l *storage.Loader) error {
		var err error
		if acc, err = l.Account(model.Account{Name: "Local Co", Domain: "local.example"}); err != nil {
			return err
		}
		ct, err = l.Contact(model.Contact{AccountID: acc, FirstName: "Lou", LastName: "Local", Phone: "+1 212 555 0100"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: ct, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer,
		Next: model.NextChoice{Mode: model.NextAt, Due: clock.Add(24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetTaskStatus(ctx, res.Next.ID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	items, err := db.OutboxItems(ctx, false, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("items %+v, %v", items, err)
	}
	byKind := map[model.OutboxKind]model.OutboxItem{}
	var outcomes []model.PushOutcome
	for _, it := range items {
		if it.State != model.OutboxQueued || it.Account != "Local Co" {
			t.Errorf("queued item %+v", it)
		}
		byKind[it.Kind] = it
		outcomes = append(outcomes, model.PushOutcome{EntryID: it.ID, Waiting: true, Error: "the account Local Co is not in the CRM"})
	}
	if err := db.RecordPush(ctx, outcomes); err != nil {
		t.Fatal(err)
	}
	if q, h, _ := db.OutboxCounts(ctx); q != 0 || h != 3 {
		t.Fatalf("counts %d queued, %d held", q, h)
	}
	held, err := db.OutboxItems(ctx, true, 0)
	if err != nil || len(held) != 3 {
		t.Fatalf("held %+v, %v", held, err)
	}
	for _, it := range held {
		if it.State != model.OutboxWaiting || !strings.Contains(it.Fix, "create the company in the CRM with the domain local.example") ||
			!strings.Contains(it.Fix, "shortlist outbox drop ") || it.Reason != "the account Local Co is not in the CRM" {
			t.Errorf("waiting item %+v", it)
		}
	}
	// The task's create goes (put back by hand here, as linking does):
	// the update that waited for it is released with it.
	create, update := byKind[model.OutboxTaskCreate].ID, byKind[model.OutboxTaskUpdate].ID
	if _, err := r.Exec("UPDATE outbox SET held = 0 WHERE id = ?", create); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPush(ctx, []model.PushOutcome{{EntryID: create, CRMID: "9001"}}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, r, "SELECT count(*) FROM outbox WHERE id = ? AND held = 0 AND pushed_at IS NULL", update); n != 1 {
		t.Error("the task update still waits after its create was pushed")
	}
	// Drop the touch's create: gone from the queue, the touch stays.
	touch := byKind[model.OutboxTouchCreate].ID
	it, err := db.DropOutbox(ctx, touch)
	if err != nil || it.ID != touch || !strings.HasPrefix(it.What, "call (") || it.State != model.OutboxWaiting {
		t.Fatalf("drop: %+v, %v", it, err)
	}
	if n := count(t, r, "SELECT count(*) FROM outbox WHERE id = ?", touch); n != 0 {
		t.Error("the dropped entry is still there")
	}
	if n := count(t, r, "SELECT count(*) FROM touches WHERE id = ?", res.Touch.ID); n != 1 {
		t.Error("dropping the change removed the touch")
	}
	if _, err := db.DropOutbox(ctx, touch); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("drop again: %v, want ErrNotFound", err)
	}
	if _, err := db.DropOutbox(ctx, create); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("drop a pushed entry: %v, want ErrNotFound", err)
	}
}
