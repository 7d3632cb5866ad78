package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

var _ crmsync.Store = (*storage.DB)(nil)

// book is a local store and a raw read-only handle on its file for
// assertions.
type book struct {
	*storage.DB
	raw *sql.DB
}

func openBook(t testing.TB) book {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	s := model.DefaultSettings()
	s.RepZone = "America/New_York"
	db, err := storage.Open(context.Background(), path, storage.Options{Settings: s, Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close(); db.Close() })
	return book{db, raw}
}

func (b book) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := b.raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (b book) id(t testing.TB, table, crmID string) int64 {
	t.Helper()
	var id int64
	if err := b.raw.QueryRow("SELECT id FROM "+table+" WHERE crm_id = ?", crmID).Scan(&id); err != nil {
		t.Fatalf("%s %s: %v", table, crmID, err)
	}
	return id
}

func engine(b book, f *fakeCRM, batch int) *crmsync.Engine {
	return crmsync.New(b.DB, f, crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: batch})
}

func syncOK(t testing.TB, e *crmsync.Engine) model.SyncReport {
	t.Helper()
	rep, err := e.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	return rep
}

// seeded is a fake CRM with three companies, five contacts and an open task.
type seeded struct {
	f                      *fakeCRM
	acme, globex, initech  string
	ann, bob, cy, dee, eve string
	task                   string
}

func seed() seeded {
	f := newFake()
	s := seeded{f: f}
	s.acme = f.addCompany("Acme", "Software", 400, "US")
	s.globex = f.addCompany("Globex", "Manufacturing", 5000, "DE")
	s.initech = f.addCompany("Initech", "Software", 120, "US")
	s.ann = f.addContact(s.acme, "Ann", "Ames", "VP Sales")
	s.bob = f.addContact(s.acme, "Bob", "Bell", "Sales Manager")
	s.cy = f.addContact(s.globex, "Cy", "Cole", "CEO")
	s.dee = f.addContact(s.initech, "Dee", "Dunn", "Head of Revenue Operations")
	s.eve = f.addContact(s.initech, "Eve", "Eads", "Account Executive")
	s.task = f.addTask(s.acme, s.ann, "Call Ann about the pilot", time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC))
	return s
}

func TestFirstSyncPullsEverythingScoredAndClassified(t *testing.T) {
	b, s := openBook(t), seed()
	rep := syncOK(t, engine(b, s.f, 0))
	if got := b.count(t, "SELECT count(*) FROM accounts"); got != 3 {
		t.Fatalf("%d accounts", got)
	}
	if got := b.count(t, "SELECT count(*) FROM contacts"); got != 5 {
		t.Fatalf("%d contacts", got)
	}
	if got := b.count(t, "SELECT count(*) FROM tasks WHERE crm_id = ? AND status = 'open' AND origin = 'crm'", s.task); got != 1 {
		t.Fatalf("the CRM task was not pulled")
	}
	if rep.Pulled != 3+5+1 {
		t.Errorf("pulled %d, want 9", rep.Pulled)
	}
	// Scored on apply exactly as a fresh score of the stored account.
	d, err := b.AccountDetail(context.Background(), b.id(t, "accounts", s.acme))
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.Fit != d.Fit.Score || d.Account.Tier != d.Fit.Tier || d.Fit.Score == 0 {
		t.Errorf("stored fit %d/%s, scored %d/%s", d.Account.Fit, d.Account.Tier, d.Fit.Score, d.Fit.Tier)
	}
	c, _, err := b.Contact(context.Background(), b.id(t, "contacts", s.ann))
	if err != nil {
		t.Fatal(err)
	}
	if c.Persona == model.PersonaUnknown || c.Seniority != model.SeniorityVP {
		t.Errorf("Ann classified %s/%s", c.Persona, c.Seniority)
	}
	// Nothing local to push; a second sync pulls nothing.
	if s.f.count("PushTouches")+s.f.count("PushTasks") != 0 {
		t.Errorf("pushed on a first sync with an empty outbox")
	}
	rep = syncOK(t, engine(b, s.f, 0))
	if rep.Pulled != 0 || rep.Pushed != 0 {
		t.Errorf("second sync pulled %d, pushed %d", rep.Pulled, rep.Pushed)
	}
	st, err := b.SyncState(context.Background())
	if err != nil || st.LastSync.IsZero() || st.LastErr != "" {
		t.Errorf("sync state %+v, %v", st, err)
	}
}

// logAll writes one change of every outbox kind.
func logAll(t *testing.T, b book, s seeded) (touchIDs []int64) {
	t.Helper()
	ctx := context.Background()
	ann, bob, cy := b.id(t, "contacts", s.ann), b.id(t, "contacts", s.bob), b.id(t, "contacts", s.cy)
	task := b.id(t, "tasks", s.task)
	// touch.create + task.update (worked task closed) + account.update
	// (a booked meeting moves the account on) + task.create (next action).
	r1, err := b.LogTouch(ctx, model.LogRequest{ContactID: ann, Channel: model.ChannelCall, Outcome: model.OutcomeMeetingBooked,
		Note: "pilot in Q1", TaskID: task, Duration: 4 * time.Minute,
		Next: model.NextChoice{Mode: model.NextAt, Due: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	// contact.update: wrong number flags the phone.
	r2, err := b.LogTouch(ctx, model.LogRequest{ContactID: bob, Channel: model.ChannelCall, Outcome: model.OutcomeWrongNumber})
	if err != nil {
		t.Fatal(err)
	}
	// contact.update: an opt-out.
	r3, err := b.LogTouch(ctx, model.LogRequest{ContactID: cy, Channel: model.ChannelEmail, Outcome: model.OutcomeOptedOut})
	if err != nil {
		t.Fatal(err)
	}
	return []int64{r1.Touch.ID, r2.Touch.ID, r3.Touch.ID}
}

func TestPushEveryKindOnceAndRerunPushesNothing(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	touches := logAll(t, b, s)
	kinds := map[string]int{}
	rows, err := b.raw.Query("SELECT kind, count(*) FROM outbox WHERE pushed_at IS NULL GROUP BY kind")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var n int
		rows.Scan(&k, &n)
		kinds[k] = n
	}
	rows.Close()
	for _, k := range []string{"touch.create", "task.create", "task.update", "account.update", "contact.update"} {
		if kinds[k] == 0 {
			t.Fatalf("setup wrote no %s (outbox %v)", k, kinds)
		}
	}
	rep := syncOK(t, e)
	if rep.Pending != 0 || rep.HeldBack != 0 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	want := map[string]int{"PushTouches": 3, "PushTasks": 1, "UpdateTasks": 1, "UpdateCompanies": 1, "UpdateContacts": 2}
	for m, n := range want {
		if got := s.f.count(m); got != n {
			t.Errorf("%s sent %d items, want %d", m, got, n)
		}
	}
	if rep.Pushed != 3+1+1+kinds["account.update"]+2 {
		t.Errorf("pushed %d (outbox %v)", rep.Pushed, kinds)
	}
	if got := b.count(t, "SELECT count(*) FROM touches WHERE origin = 'local' AND (crm_id IS NULL OR synced = 0)"); got != 0 {
		t.Errorf("%d local touches without a CRM id", got)
	}
	if got := b.count(t, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL"); got != 0 {
		t.Errorf("%d outbox rows left", got)
	}
	// The CRM holds what was pushed: the worked task completed, the new
	// task once, the company's status, the contacts' flags.
	if s.f.tasks[s.task].Task.Status != model.TaskDone {
		t.Errorf("CRM task %s", s.f.tasks[s.task].Task.Status)
	}
	if st := s.f.companies[s.acme].rc.Account.Status; st == "" || st == model.StatusTarget {
		t.Errorf("CRM company status %q", st)
	}
	if !s.f.contacts[s.bob].Contact.PhoneBad || !s.f.contacts[s.cy].Contact.Consent.Email.OptedOut() {
		t.Errorf("contact flags not pushed")
	}
	for _, ot := range s.f.touches {
		if ot.CompanyID == "" || ot.ContactID == "" || ot.OwnerID != "o1" {
			t.Errorf("touch pushed without associations: %+v", ot)
		}
	}
	// Undo refuses once pushed.
	if err := b.UndoLog(ctx, touches[0]); !errors.Is(err, model.ErrSynced) {
		t.Errorf("undo after push: %v, want ErrSynced", err)
	}
	// Re-runs push nothing (the first may pull back what the push changed).
	before := s.f.count("PushTouches") + s.f.count("PushTasks") + s.f.count("UpdateTasks") + s.f.count("UpdateCompanies") + s.f.count("UpdateContacts")
	syncOK(t, e)
	rep = syncOK(t, e)
	after := s.f.count("PushTouches") + s.f.count("PushTasks") + s.f.count("UpdateTasks") + s.f.count("UpdateCompanies") + s.f.count("UpdateContacts")
	if after != before || rep.Pushed != 0 || rep.Pulled != 0 || len(rep.Conflicts) != 0 {
		t.Errorf("re-run pushed %d items, report %+v", after-before, rep)
	}
	// The pushed task pulled back is the same task, not a second one.
	if got := b.count(t, "SELECT count(*) FROM tasks WHERE title = 'Prepare for the meeting'"); got != 1 {
		t.Errorf("%d copies of the pushed task", got)
	}
	// A note edited after the push reaches the CRM's engagement.
	if err := b.EditTouchNote(ctx, touches[0], "pilot in Q2"); err != nil {
		t.Fatal(err)
	}
	rep = syncOK(t, e)
	id := b.count(t, "SELECT crm_id FROM touches WHERE id = ?", touches[0])
	if rep.Pending != 0 || rep.Pushed != 1 || s.f.touches[strconv.Itoa(id)].Touch.Note != "pilot in Q2" {
		t.Errorf("note edit: report %+v, CRM note %q", rep, s.f.touches[strconv.Itoa(id)].Touch.Note)
	}
}

func TestPulledTaskMatchingAnOpIDIsThatTask(t *testing.T) {
	// A task pushed before a crash whose result was never recorded: the
	// next pull finds it by its operation id; no duplicate, no second push.
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	k, err := b.AddTask(ctx, model.Task{ContactID: b.id(t, "contacts", s.dee), Kind: model.TaskTodo, Title: "Research Initech",
		Due: time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var op string
	b.raw.QueryRow("SELECT op_id FROM outbox WHERE kind = 'task.create' AND entity_id = ?", k.ID).Scan(&op)
	// The CRM has it (as if pushed just before a kill), and its company
	// changed so the pull looks at its tasks.
	s.f.mu.Lock()
	id := s.f.id()
	s.f.created[op] = id
	s.f.tasks[id] = &model.PulledTask{Task: model.Task{CRMID: id, Kind: model.TaskTodo, Title: "Research Initech", Due: k.Due,
		Priority: model.PriorityMedium, Status: model.TaskOpen}, CompanyID: s.initech, OpID: op, Modified: s.f.tick()}
	s.f.mu.Unlock()
	s.f.editCompany(s.initech, func(c *fakeCompany) {})
	syncOK(t, e)
	if got := b.count(t, "SELECT count(*) FROM tasks WHERE title = 'Research Initech'"); got != 1 {
		t.Fatalf("%d local copies", got)
	}
	if got := b.count(t, "SELECT count(*) FROM tasks WHERE id = ? AND crm_id = ?", k.ID, id); got != 1 {
		t.Errorf("the local task did not take the CRM id")
	}
	if s.f.count("PushTasks") != 0 {
		t.Errorf("pushed again: %d", s.f.count("PushTasks"))
	}
}

func TestItemErrorsHoldRetryAndGone(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	ann, bob, cy := b.id(t, "contacts", s.ann), b.id(t, "contacts", s.bob), b.id(t, "contacts", s.cy)
	log := func(c int64, note string) (int64, string) {
		r, err := b.LogTouch(ctx, model.LogRequest{ContactID: c, Channel: model.ChannelNote, Outcome: model.OutcomeSent, Note: note})
		if err != nil {
			t.Fatal(err)
		}
		return r.Touch.ID, r.Touch.OpID
	}
	refused, refusedOp := log(ann, "refused")
	_, retryOp := log(bob, "retry")
	_, goneOp := log(cy, "gone")
	okID, _ := log(ann, "fine")
	s.f.itemErr[refusedOp] = &crmsync.ItemError{Message: "property hs_note_body is too long"}
	s.f.itemErr[retryOp] = &crmsync.ItemError{Retry: true, Message: "try later"}
	s.f.itemErr[goneOp] = &crmsync.ItemError{Gone: true, Message: "contact was deleted"}

	rep, err := e.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("item errors stopped the sync: %v", err)
	}
	if rep.Pushed != 1 || rep.HeldBack != 2 || rep.Pending != 1 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(heldText(rep), "too long") {
		t.Errorf("held-back reason not reported: %+v", rep.Held)
	}
	if b.count(t, "SELECT count(*) FROM touches WHERE id = ? AND crm_id IS NOT NULL", okID) != 1 {
		t.Errorf("the good touch in the batch was not recorded")
	}
	// Held entries are not sent again; the retryable one is.
	sent := s.f.count("PushTouches")
	rep = syncOK(t, e)
	if got := s.f.count("PushTouches") - sent; got != 1 {
		t.Errorf("second sync sent %d touches, want only the retryable one", got)
	}
	if b.count(t, "SELECT attempts FROM outbox WHERE op_id = ?", retryOp) != 2 {
		t.Errorf("attempts not counted")
	}
	// The rep changes the refused touch: it goes back in the queue.
	delete(s.f.itemErr, refusedOp)
	if err := b.EditTouchNote(ctx, refused, "shorter"); err != nil {
		t.Fatal(err)
	}
	delete(s.f.itemErr, retryOp)
	rep = syncOK(t, e)
	if rep.Pending != 0 || rep.HeldBack != 1 {
		t.Errorf("after the fix: %+v", rep)
	}
	if s.f.touches[s.f.created[refusedOp]].Touch.Note != "shorter" {
		t.Errorf("the edited note was not what got pushed")
	}
}

func TestOfflineMidPushThenResume(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 2)
	syncOK(t, e)
	ann := b.id(t, "contacts", s.ann)
	for i := 0; i < 7; i++ {
		if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: ann, Channel: model.ChannelEmail, Outcome: model.OutcomeSent}); err != nil {
			t.Fatal(err)
		}
	}
	s.f.fail["PushTouches"] = failure{call: 2, err: &net{}, sticky: true}
	rep, err := e.Sync(ctx, nil)
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v, want offline", err)
	}
	if !strings.HasPrefix(err.Error(), "offline: 5 change(s) queued") {
		t.Errorf("message %q", err)
	}
	if rep.Pushed != 2 || rep.Pending != 5 {
		t.Errorf("report %+v", rep)
	}
	st, _ := b.SyncState(ctx)
	if !strings.Contains(st.LastErr, "offline") || st.Pending != 5 {
		t.Errorf("state %+v", st)
	}
	delete(s.f.fail, "PushTouches")
	rep = syncOK(t, e)
	if rep.Pushed != 5 || rep.Pending != 0 || len(s.f.touches) != 7 || len(s.f.created) != 7 {
		t.Errorf("resume: %+v, CRM holds %d", rep, len(s.f.touches))
	}
}

// net is a network failure as an adapter reports it.
type net struct{}

func (*net) Error() string { return "offline: dial tcp: connection refused" }
func (*net) Unwrap() error { return model.ErrOffline }

func TestDailyLimitStops(t *testing.T) {
	b, s := openBook(t), seed()
	s.f.fail["Contacts"] = failure{call: 1, err: crmsync.ErrDailyLimit}
	_, err := engine(b, s.f, 0).Sync(context.Background(), nil)
	if !errors.Is(err, crmsync.ErrDailyLimit) || !strings.Contains(err.Error(), "tomorrow") {
		t.Fatalf("error %v", err)
	}
	// The companies were applied, their contacts are still owed: the next
	// sync pulls them although the company cursor moved on.
	delete(s.f.fail, "Contacts")
	syncOK(t, engine(b, s.f, 0))
	if got := b.count(t, "SELECT count(*) FROM contacts"); got != 5 {
		t.Errorf("%d contacts after the resumed sync", got)
	}
}

func TestConflictsKeepTheCRMValue(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	syncOK(t, e)
	acme := b.id(t, "accounts", s.acme)
	// Locally: a booked meeting moves Acme on (account.update pending) and the
	// CRM task is snoozed (task.update pending).
	if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.bob), Channel: model.ChannelCall,
		Outcome: model.OutcomeMeetingBooked}); err != nil {
		t.Fatal(err)
	}
	task := b.id(t, "tasks", s.task)
	if err := b.SetTaskStatus(ctx, task, model.TaskSnoozed, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var local string
	b.raw.QueryRow("SELECT status FROM accounts WHERE id = ?", acme).Scan(&local)
	// Meanwhile in the CRM: Acme set to nurture, the task completed, and
	// Globex renamed (firmographics: no conflict, the CRM's value).
	s.f.editCompany(s.acme, func(c *fakeCompany) { c.rc.Account.Status = model.StatusNurture })
	s.f.editTask(s.task, func(k *model.PulledTask) { k.Task.Status = model.TaskDone })
	s.f.editCompany(s.globex, func(c *fakeCompany) { c.rc.Account.Name = "Globex Corp" })

	rep := syncOK(t, e)
	if len(rep.Conflicts) != 2 {
		t.Fatalf("conflicts %+v", rep.Conflicts)
	}
	got := map[string]model.SyncConflict{}
	for _, c := range rep.Conflicts {
		got[c.Field+" "+c.Record] = c
	}
	if c := got["status account Acme"]; c.CRM != "nurture" || c.Local != local {
		t.Errorf("account conflict %+v (local was %s)", c, local)
	}
	if c := got["status task Call Ann about the pilot"]; c.CRM != "closed" || c.Local != "snoozed" {
		t.Errorf("task conflict %+v", c)
	}
	var status, taskStatus, name string
	b.raw.QueryRow("SELECT status FROM accounts WHERE id = ?", acme).Scan(&status)
	b.raw.QueryRow("SELECT status FROM tasks WHERE id = ?", task).Scan(&taskStatus)
	b.raw.QueryRow("SELECT name FROM accounts WHERE crm_id = ?", s.globex).Scan(&name)
	if status != "nurture" || taskStatus != "done" || name != "Globex Corp" {
		t.Errorf("local now %s / %s / %s", status, taskStatus, name)
	}
	// The dropped local changes were not pushed over the CRM's values.
	if s.f.companies[s.acme].rc.Account.Status != model.StatusNurture || s.f.count("UpdateCompanies") != 0 || s.f.count("UpdateTasks") != 0 {
		t.Errorf("a dropped change reached the CRM")
	}
	// The touch itself is never dropped.
	if len(s.f.touches) != 1 {
		t.Errorf("touch not pushed")
	}
}

func TestDepartedAccounts(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 0)
	// The first sync (and its sweep) ran yesterday, so today's first sync
	// sweeps: ownership is read at the daily sweep (see
	// TestOwnershipIsReadAtTheSweepOnly).
	syncOK(t, crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com",
		Now: func() time.Time { return time.Now().Add(-25 * time.Hour) }}))
	// Globex: reassigned, no local work → leaves the book at once.
	// Acme: reassigned with an unsynced touch → the touch is still pushed,
	// then Acme leaves. Initech: deleted in the CRM with an unsynced touch
	// → kept, reported, out of the worklist.
	if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.ann), Channel: model.ChannelEmail, Outcome: model.OutcomeSent}); err != nil {
		t.Fatal(err)
	}
	r, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.dee), Channel: model.ChannelEmail, Outcome: model.OutcomeSent})
	if err != nil {
		t.Fatal(err)
	}
	s.f.itemErr[r.Touch.OpID] = &crmsync.ItemError{Gone: true, Message: "company 1003 was deleted"}
	s.f.editCompany(s.globex, func(c *fakeCompany) { c.rc.OwnerID = "o2" })
	s.f.editCompany(s.acme, func(c *fakeCompany) { c.rc.OwnerID = "o2" })
	s.f.editCompany(s.initech, func(c *fakeCompany) { c.deleted = true })

	rep := syncOK(t, e)
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ?", s.globex) != 0 {
		t.Errorf("the reassigned account without work is still in the book")
	}
	// Acme was touched today: it stays (off the worklist) until a sync on
	// a later day, so the rep's done-today does not drop mid-day.
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND departed <> 0", s.acme) != 1 {
		t.Errorf("the reassigned account touched today left the book the same day")
	}

	if len(s.f.touches) != 1 {
		t.Errorf("the reassigned account's touch was not pushed (%d)", len(s.f.touches))
	}
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND departed = 2", s.initech) != 1 {
		t.Fatalf("the deleted account with local work was not kept")
	}
	if !strings.Contains(strings.Join(rep.Errors, "\n"), "Initech was deleted in the CRM") || rep.HeldBack != 1 {
		t.Errorf("not reported: %+v", rep)
	}
	wl, err := b.Worklist(ctx, model.WorklistQuery{Now: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC), Limit: 50, IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range wl.Rows {
		if row.Account.CRMID == s.initech {
			t.Errorf("the deleted account is on the worklist")
		}
	}
	// Synced again, it stays (its work is not in the CRM).
	syncOK(t, e)
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ?", s.initech) != 1 {
		t.Errorf("kept account dropped on the next sync")
	}
	// A sync on a later day removes the reassigned account touched today.
	syncOK(t, crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com",
		Now: func() time.Time { return time.Now().Add(36 * time.Hour) }}))
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ?", s.acme) != 0 {
		t.Errorf("the reassigned account is still in the book a day later")
	}
}

func TestCursorAdvancesOnlyWithCommittedPages(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	// Page 1 (Acme, Globex) is applied; the CRM goes away on page 2.
	s.f.fail["Companies"] = failure{call: 2, err: &net{}}
	_, err := engine(b, s.f, 0).Sync(ctx, nil)
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v", err)
	}
	cur, err := b.SyncCursor(ctx, "companies.o1")
	if err != nil {
		t.Fatal(err)
	}
	if want := s.f.companies[s.globex].rc.Modified; !cur.Equal(want) {
		t.Errorf("cursor %v, want page 1's last %v", cur, want)
	}
	if b.count(t, "SELECT count(*) FROM accounts") != 2 {
		t.Errorf("page 1 not applied")
	}
	// A store that fails to apply page 2 leaves the cursor on page 1.
	s.f.editCompany(s.acme, func(c *fakeCompany) { c.rc.Account.City = "Boston" })
	fs := &failingStore{Store: b.DB, failOn: 2}
	_, err = crmsync.New(fs, s.f, crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v", err)
	}
	cur2, _ := b.SyncCursor(ctx, "companies.o1")
	if want := s.f.companies[s.initech].rc.Modified; !cur2.Equal(want) {
		t.Errorf("cursor %v, want %v (Initech's, page 1 of this pull)", cur2, want)
	}
	delete(s.f.fail, "Companies")
	syncOK(t, engine(b, s.f, 0))
	if b.count(t, "SELECT count(*) FROM accounts") != 3 || b.count(t, "SELECT count(*) FROM accounts WHERE city = 'Boston'") != 1 ||
		b.count(t, "SELECT count(*) FROM contacts") != 5 {
		t.Errorf("resume did not complete the pull")
	}
}

// failingStore fails the failOn-th ApplyCompanies (before writing).
type failingStore struct {
	crmsync.Store
	failOn, n int
}

func (f *failingStore) ApplyCompanies(ctx context.Context, page []model.PulledCompany, key string, cursor time.Time) (model.SyncApplied, error) {
	f.n++
	if f.n == f.failOn {
		return model.SyncApplied{}, errors.New("apply pulled companies: disk full")
	}
	return f.Store.ApplyCompanies(ctx, page, key, cursor)
}

func TestCancelStopsBetweenBatchesOutboxConsistent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, s := openBook(t), seed()
	e := engine(b, s.f, 2)
	syncOK(t, e)
	ann := b.id(t, "contacts", s.ann)
	for i := 0; i < 6; i++ {
		if _, err := b.LogTouch(context.Background(), model.LogRequest{ContactID: ann, Channel: model.ChannelEmail, Outcome: model.OutcomeSent}); err != nil {
			t.Fatal(err)
		}
	}
	// Esc pressed while the first batch is in flight: the CRM applies it,
	// the engine records it and stops before the next.
	s.f.onPush = cancel
	progress := make(chan model.SyncProgress)
	done := make(chan error, 1)
	var rep model.SyncReport
	go func() {
		var err error
		rep, err = e.Sync(ctx, progress)
		done <- err
	}()
	// The reader stops reading at the push phase: the sync must still end.
	for p := range progress {
		if p.Phase == model.PhasePush {
			break
		}
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sync blocked on a full progress channel")
	}
	pushed := b.count(t, "SELECT count(*) FROM outbox WHERE kind = 'touch.create' AND pushed_at IS NOT NULL")
	if pushed != 2 || rep.Pending != 4 || len(s.f.touches) != 2 {
		t.Errorf("pushed %d, report %+v, CRM %d", pushed, rep, len(s.f.touches))
	}
	if b.count(t, "SELECT count(*) FROM touches t JOIN outbox o ON o.entity_id = t.id AND o.kind = 'touch.create' WHERE (o.pushed_at IS NULL) <> (t.crm_id IS NULL)") != 0 {
		t.Errorf("outbox and touches disagree")
	}
}

func TestDailySweepCatchesAContactOnlyOptOut(t *testing.T) {
	ctx := context.Background()
	b, s := openBook(t), seed()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	e := crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com", Now: func() time.Time { return now }})
	syncOK(t, e)
	now = now.Add(time.Minute)
	syncOK(t, e) // the contact search's cursor moves past every contact
	// The CRM records an opt-out on Ann; Acme itself does not change, and
	// the contact search does not see it either: the change kept a modified
	// time the search's cursor has passed (as when HubSpot's search index
	// lags behind a write).
	s.f.mu.Lock()
	c := s.f.contacts[s.ann]
	c.Contact.Consent.Email = model.Consent{State: model.ConsentOptedOut}
	s.f.contacts[s.ann] = c
	s.f.mu.Unlock()
	optedOut := func() bool {
		return b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ? AND consent_email = 'opted-out'", s.ann) == 1
	}
	now = now.Add(time.Hour)
	syncOK(t, e)
	if optedOut() {
		t.Fatalf("pulled without a company change, a contact search hit or a sweep: the test proves nothing")
	}
	now = now.Add(24 * time.Hour)
	syncOK(t, e)
	if !optedOut() {
		t.Errorf("the daily sweep did not bring the CRM's opt-out")
	}
	// The local opt-out is never reopened by a CRM that still says allowed.
	if _, err := b.LogTouch(ctx, model.LogRequest{ContactID: b.id(t, "contacts", s.bob), Channel: model.ChannelCall, Outcome: model.OutcomeOptedOut}); err != nil {
		t.Fatal(err)
	}
	s.f.fail["UpdateContacts"] = failure{call: 1, err: &net{}, sticky: true}
	now = now.Add(25 * time.Hour)
	if _, err := e.Sync(ctx, nil); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v", err)
	}
	if b.count(t, "SELECT count(*) FROM contacts WHERE crm_id = ? AND consent_call = 'opted-out'", s.bob) != 1 {
		t.Errorf("a pull reopened a local opt-out")
	}
}

// TestProgressCarriesTotals checks that the contact pull says how far it has
// to go, so the TUI's bar moves during a pull instead of resting at 0%, and
// that its counts end at the total.
func TestProgressCarriesTotals(t *testing.T) {
	b, s := openBook(t), seed()
	progress := make(chan model.SyncProgress, 256)
	if _, err := engine(b, s.f, 1).Sync(context.Background(), progress); err != nil {
		t.Fatal(err)
	}
	close(progress)
	var contacts []model.SyncProgress
	for p := range progress {
		if p.Phase == model.PhasePull && p.What == "contacts" {
			contacts = append(contacts, p)
		}
	}
	if len(contacts) < 2 {
		t.Fatalf("contact pull reported %d times: %+v", len(contacts), contacts)
	}
	for _, p := range contacts {
		if p.Total != 3 || p.Done > p.Total {
			t.Errorf("contacts progress %+v, want a total of 3 companies", p)
		}
	}
	if last := contacts[len(contacts)-1]; last.Done != last.Total {
		t.Errorf("the contact pull ended at %d of %d", last.Done, last.Total)
	}
}

// A sync between sweeps does not read every company's owner (106 requests
// on a 10,600-company book): a company newly the rep's comes with the
// owner-filtered search, and one reassigned away or deleted leaves the book
// at the daily sweep.
func TestOwnershipIsReadAtTheSweepOnly(t *testing.T) {
	b, s := openBook(t), seed()
	now := time.Now()
	e := crmsync.New(b.DB, s.f, crmsync.Options{OwnerEmail: "rep@example.com", Now: func() time.Time { return now }})
	syncOK(t, e)
	before := s.f.count("Departed")
	s.f.editCompany(s.globex, func(c *fakeCompany) { c.rc.OwnerID = "o2" })
	now = now.Add(time.Hour)
	syncOK(t, e)
	if n := s.f.count("Departed") - before; n != 0 {
		t.Errorf("a sync an hour after the sweep read %d companies' owners", n)
	}
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND departed = 0", s.globex) != 1 {
		t.Errorf("left before the sweep")
	}
	now = now.Add(24 * time.Hour)
	syncOK(t, e)
	if s.f.count("Departed") == before {
		t.Errorf("the daily sweep read no owners")
	}
	if b.count(t, "SELECT count(*) FROM accounts WHERE crm_id = ? AND departed = 0", s.globex) != 0 {
		t.Errorf("the reassigned company is still in the book after the sweep")
	}
}

// heldText is the held-back changes a report lists, one line each: kind,
// state, reason and the way out.
func heldText(rep model.SyncReport) string {
	var lines []string
	for _, it := range rep.Held {
		lines = append(lines, strings.Join([]string{string(it.Kind), string(it.State), it.What, it.Reason, it.Fix}, " | "))
	}
	return strings.Join(lines, "\n")
}
