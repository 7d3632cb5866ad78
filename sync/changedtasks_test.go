package sync_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestTasksChangedInHubSpotReachTheBook: a task a manager completed,
// rescheduled, renamed or deleted in HubSpot is closed, moved, renamed or
// taken off the list on the next sync (not at the daily sweep), through the
// HubSpot adapter and hubspottest; a deleted task the rep had changed
// locally is kept, and the report says so.
func TestTasksChangedInHubSpotReachTheBook(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 3, 2)
	companies, contacts := srv.List("companies"), srv.List("contacts")
	due := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	put := func(title, toType, toID string) string {
		id := srv.Put("tasks", map[string]string{"hs_task_subject": title, "hs_task_status": "NOT_STARTED", "hs_task_type": "CALL",
			"hs_task_priority": "MEDIUM", "hs_timestamp": due.UTC().Format(time.RFC3339)})
		if err := srv.Associate("tasks", id, toType, toID); err != nil {
			t.Fatal(err)
		}
		return id
	}
	completed := put("Call the CFO", "companies", companies[0].ID)
	moved := put("Send the deck", "contacts", contacts[2].ID)
	deleted := put("Book the demo", "companies", companies[1].ID)
	snoozedThenDeleted := put("Chase the PO", "contacts", contacts[4].ID)
	renamed := put("Follow up", "companies", companies[2].ID)
	stays := put("Untouched", "companies", companies[2].ID)
	reopened := put("Confirm the budget", "companies", companies[0].ID)

	b := openBook(t)
	e := crmsync.New(b.DB, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email})
	syncOK(t, e)
	if n := b.count(t, "SELECT count(*) FROM tasks WHERE status = 'open' AND crm_id IS NOT NULL"); n != 7 {
		t.Fatalf("%d open CRM tasks after the first sync, want 7", n)
	}
	// The rep closes one, which goes to HubSpot; a manager reopens it there.
	var closedHere int64
	if err := b.raw.QueryRow("SELECT id FROM tasks WHERE crm_id = ?", reopened).Scan(&closedHere); err != nil {
		t.Fatal(err)
	}
	if err := b.SetTaskStatus(ctx, closedHere, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rep := syncOK(t, e); rep.Pushed != 1 || len(rep.Changes) != 0 {
		t.Fatalf("the sync pushing a done task: pushed %d, changes %+v", rep.Pushed, rep.Changes)
	}
	// The rep snoozes one of them; a manager then deletes it in HubSpot.
	var local int64
	if err := b.raw.QueryRow("SELECT id FROM tasks WHERE crm_id = ?", snoozedThenDeleted).Scan(&local); err != nil {
		t.Fatal(err)
	}
	if err := b.SetTaskStatus(ctx, local, model.TaskSnoozed, time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}

	time.Sleep(5 * time.Millisecond) // changed after the first sync's cursor
	later := due.Add(7 * 24 * time.Hour)
	for id, p := range map[string]map[string]string{
		completed: {"hs_task_status": "COMPLETED"},
		moved:     {"hs_timestamp": later.UTC().Format(time.RFC3339)},
		renamed:   {"hs_task_subject": "Follow up on pricing", "hs_task_priority": "HIGH"},
		reopened:  {"hs_task_status": "NOT_STARTED"},
	} {
		if err := srv.Update("tasks", id, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{deleted, snoozedThenDeleted} {
		if err := srv.Archive("tasks", id); err != nil {
			t.Fatal(err)
		}
	}
	before := len(srv.Requests())
	rep := syncOK(t, e)

	state := func(crmID string) (status, title, priority string, due int64) {
		t.Helper()
		if err := b.raw.QueryRow("SELECT status, title, priority, due FROM tasks WHERE crm_id = ?", crmID).Scan(&status, &title, &priority, &due); err != nil {
			t.Fatalf("task %s: %v", crmID, err)
		}
		return
	}
	if st, _, _, _ := state(completed); st != "done" {
		t.Errorf("the task completed in HubSpot is %s here", st)
	}
	if st, _, _, d := state(moved); st != "open" || d != later.UnixMilli() {
		t.Errorf("the rescheduled task: %s, due %v, want open, %v", st, time.UnixMilli(d), later)
	}
	if _, title, pri, _ := state(renamed); title != "Follow up on pricing" || pri != "high" {
		t.Errorf("the renamed task: %q, %s", title, pri)
	}
	for _, id := range []string{deleted, snoozedThenDeleted} {
		if st, _, _, _ := state(id); st != "skipped" {
			t.Errorf("the task deleted in HubSpot is %s here, want off the list (kept, skipped)", st)
		}
	}
	if st, _, _, _ := state(stays); st != "open" {
		t.Errorf("the untouched task is %s", st)
	}
	if st, _, _, _ := state(reopened); st != "open" {
		t.Errorf("the task reopened in HubSpot is %s here", st)
	}
	// The summary names each: closed, reopened, moved (from and to) and
	// deleted, with the task's title and account; the rename is counted
	// in Pulled, not named. The deleted task the rep had snoozed also
	// says the snooze was kept and not sent.
	co := func(id string) string { o, _ := srv.Get("companies", id); return o.Properties["name"] }
	ct, _ := srv.Get("contacts", contacts[2].ID)
	movedAccount := co(ct.Properties["associatedcompanyid"])
	ct4, _ := srv.Get("contacts", contacts[4].ID)
	ny, err := time.LoadLocation("America/New_York") // the book's zone (openBook)
	if err != nil {
		t.Fatal(err)
	}
	dueText := func(d time.Time) string { return d.In(ny).Format("2006-01-02 15:04") }
	want := []model.SyncChange{
		{Kind: model.ChangeTaskClosed, Account: co(companies[0].ID), Task: "Call the CFO", CRMID: completed},
		{Kind: model.ChangeTaskReopened, Account: co(companies[0].ID), Task: "Confirm the budget", CRMID: reopened},
		{Kind: model.ChangeTaskMoved, Account: movedAccount, Task: "Send the deck", CRMID: moved, From: dueText(due), To: dueText(later)},
		{Kind: model.ChangeTaskDeleted, Account: co(companies[1].ID), Task: "Book the demo", CRMID: deleted},
		{Kind: model.ChangeTaskDeleted, Account: co(ct4.Properties["associatedcompanyid"]), Task: "Chase the PO", CRMID: snoozedThenDeleted},
	}
	named := make([]model.SyncChange, len(rep.Changes))
	for i, c := range rep.Changes {
		c.AccountID = 0 // the book's ids, compared apart
		named[i] = c
	}
	for _, w := range want {
		if !slices.Contains(named, w) {
			t.Errorf("the summary does not name %+v: %+v", w, rep.Changes)
		}
	}
	if len(rep.Changes) != len(want) {
		t.Errorf("the summary names %d changes, want %d: %+v", len(rep.Changes), len(want), rep.Changes)
	}
	msgs := strings.Join(rep.Errors, "\n")
	if !strings.Contains(msgs, `task "Chase the PO" was deleted in the CRM`) || !strings.Contains(msgs, "kept here") ||
		strings.Contains(msgs, "Book the demo") {
		t.Errorf("the deletion with a local change is not told (or a plain one is told as an error): %q", msgs)
	}
	if rep.Pending != 0 || rep.HeldBack != 0 {
		t.Errorf("the snooze of the deleted task is left queued: %+v", rep)
	}
	// Found by the task search, not by re-reading the book's companies.
	var searched, companyReads bool
	for _, r := range srv.Requests()[before:] {
		searched = searched || r.Path == "/crm/v3/objects/tasks/search"
		companyReads = companyReads || strings.HasPrefix(r.Path, "/crm/v4/associations/companies/")
	}
	if !searched || companyReads {
		t.Errorf("task search %v, company association reads %v: want the search alone", searched, companyReads)
	}
}

// TestSnoozeMovesTheTaskInHubSpot: HubSpot has no snooze, so a task the rep
// snoozes is due, there, when the snooze ends (the manager's view and
// HubSpot's reminders move with it), and the next sync's pull of that
// change leaves the book's task snoozed. The update writes the task's
// subject and priority as the book has them too.
func TestSnoozeMovesTheTaskInHubSpot(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 1, 1)
	co := srv.List("companies")[0].ID
	id := srv.Put("tasks", map[string]string{"hs_task_subject": "Call back", "hs_task_status": "NOT_STARTED", "hs_task_type": "CALL",
		"hs_task_priority": "LOW", "hs_timestamp": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	if err := srv.Associate("tasks", id, "companies", co); err != nil {
		t.Fatal(err)
	}
	b := openBook(t)
	e := crmsync.New(b.DB, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email})
	syncOK(t, e)
	var local int64
	if err := b.raw.QueryRow("SELECT id FROM tasks WHERE crm_id = ?", id).Scan(&local); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(5 * 24 * time.Hour).Truncate(time.Millisecond)
	if err := b.SetTaskStatus(ctx, local, model.TaskSnoozed, until); err != nil {
		t.Fatal(err)
	}
	if rep := syncOK(t, e); rep.Pushed != 1 {
		t.Fatalf("pushed %d", rep.Pushed)
	}
	o, _ := srv.Get("tasks", id)
	if got, _ := time.Parse(time.RFC3339Nano, o.Properties["hs_timestamp"]); !got.Equal(until) || o.Properties["hs_task_status"] != "NOT_STARTED" {
		t.Errorf("HubSpot holds due %s, status %s; want %s, NOT_STARTED", o.Properties["hs_timestamp"], o.Properties["hs_task_status"], until.UTC().Format(time.RFC3339Nano))
	}
	if o.Properties["hs_task_subject"] != "Call back" || o.Properties["hs_task_priority"] != "LOW" {
		t.Errorf("subject %q priority %q", o.Properties["hs_task_subject"], o.Properties["hs_task_priority"])
	}
	syncOK(t, e) // pulls its own change back
	var status string
	var snoozed int64
	b.raw.QueryRow("SELECT status, snoozed_until FROM tasks WHERE id = ?", local).Scan(&status, &snoozed)
	if status != "snoozed" || snoozed != until.UnixMilli() {
		t.Errorf("after the pull back: %s until %v", status, time.UnixMilli(snoozed))
	}
}
