package sync_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/demo"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/sandbox"
)

// demoNow is the demo books' "now".
var demoNow = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)

// TestDemoBookFullSyncThroughHubSpot syncs a demo book against hubspottest
// through the real HubSpot adapter (the sandbox): the CRM-side changes
// arrive, a fresh book pulls the whole book, and every logged touch is
// pushed once with its operation id.
func TestDemoBookFullSyncThroughHubSpot(t *testing.T) {
	ctx := context.Background()
	b := openBook(t)
	if err := demo.Generate(ctx, b.DB, demo.Options{Accounts: 60, Seed: 7, Now: demoNow}); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(ctx, b.DB, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	crm, err := sb.CRM()
	if err != nil {
		t.Fatal(err)
	}
	ch := sb.Changes()
	e := crmsync.New(b.DB, crm, crmsync.Options{OwnerEmail: sandbox.OwnerEmail})
	rep, err := e.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, rep)
	}
	if ch.RenamedID != "" && b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND name = ?", ch.RenamedID, ch.NewName) != 1 {
		t.Errorf("rename %s → %q not pulled", ch.RenamedID, ch.NewName)
	}
	if ch.NewTaskID != "" && b.count(t, "SELECT count(*) FROM tasks WHERE crm_id = ?", ch.NewTaskID) != 1 {
		t.Errorf("new CRM task %s not pulled", ch.NewTaskID)
	}
	if ch.ReassignedID != "" && b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND departed = 0", ch.ReassignedID) != 0 {
		t.Errorf("reassigned company %s still in the book", ch.ReassignedID)
	}
	// The sandbox serves what has a CRM id (the demo book keeps a few
	// local-only records).
	books := b.count(t, "SELECT count(*) FROM accounts WHERE departed = 0 AND crm_id IS NOT NULL")
	contacts := b.count(t, `SELECT count(*) FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE a.departed = 0 AND a.crm_id IS NOT NULL AND c.crm_id IS NOT NULL`)

	// Log a touch of every channel on a few contacts, then push.
	rows, err := b.raw.Query(`SELECT c.id FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE a.departed = 0 AND c.crm_id IS NOT NULL ORDER BY c.id LIMIT 6`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var ops []string
	for i, ch := range []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelLinkedIn, model.ChannelMeeting, model.ChannelNote, model.ChannelCall} {
		out := model.OutcomeSent
		if ch == model.ChannelCall {
			out = model.OutcomeLeftVoicemail
		}
		if ch == model.ChannelMeeting {
			out = model.OutcomeConnected
		}
		r, err := b.LogTouch(ctx, model.LogRequest{ContactID: ids[i], Channel: ch, Outcome: out, Note: "e2e " + string(ch),
			Next: model.NextChoice{Mode: model.NextAt, Due: demoNow.AddDate(0, 0, 3)}})
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, r.Touch.OpID)
	}
	rep, err = e.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("push sync: %v (%+v)", err, rep)
	}
	if rep.Pending != 0 || rep.HeldBack != 0 {
		t.Fatalf("push left work: %+v", rep)
	}
	assertOnePerOp(t, sb, ops)
	if n := b.count(t, "SELECT count(*) FROM touches WHERE origin = 'local' AND crm_id IS NULL"); n != 0 {
		t.Errorf("%d local touches unpushed", n)
	}
	// Again: nothing to push, nothing new.
	rep, err = e.Sync(ctx, nil)
	if err != nil || rep.Pushed != 0 {
		t.Errorf("re-run: %v, %+v", err, rep)
	}
	assertOnePerOp(t, sb, ops)

	// A fresh book against the same CRM pulls the whole book.
	fresh := openBook(t)
	rep, err = crmsync.New(fresh.DB, crm, crmsync.Options{OwnerEmail: sandbox.OwnerEmail}).Sync(ctx, nil)
	if err != nil {
		t.Fatalf("fresh sync: %v", err)
	}
	if got := fresh.count(t, "SELECT count(*) FROM accounts"); got != books {
		t.Errorf("fresh book has %d accounts, want %d", got, books)
	}
	if got := fresh.count(t, "SELECT count(*) FROM contacts"); got != contacts {
		t.Errorf("fresh book has %d contacts, want %d", got, contacts)
	}
	// The tasks Shortlist pushed come back as tasks, once each.
	rows, err = b.raw.Query("SELECT crm_id FROM tasks WHERE origin = 'local' AND status = 'open'")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id string
		rows.Scan(&id)
		n++
		if got := fresh.count(t, "SELECT count(*) FROM tasks WHERE crm_id = ?", id); got != 1 {
			t.Errorf("pushed task %s: %d copies in a fresh book", id, got)
		}
	}
	rows.Close()
	if n < 6 {
		t.Errorf("only %d pushed tasks", n)
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// assertOnePerOp checks the CRM holds exactly one engagement per operation
// id among the engagement types a touch can become.
func assertOnePerOp(t *testing.T, sb *sandbox.Sandbox, ops []string) {
	t.Helper()
	seen := map[string]int{}
	for _, typ := range []string{"calls", "emails", "communications", "notes", "meetings"} {
		for _, o := range sb.Server().List(typ) {
			for k, v := range o.Properties {
				if v != "" && isOpProp(k) {
					seen[v]++
				}
			}
		}
	}
	for _, op := range ops {
		if seen[op] != 1 {
			t.Errorf("op %s: %d CRM records, want 1", op, seen[op])
		}
	}
}

// isOpProp names the property the HubSpot adapter writes the operation id
// to (shortlist_op_id).
func isOpProp(name string) bool { return name == "shortlist_op_id" }
