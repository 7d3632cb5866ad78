package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// fakeStore is a small in-memory model.Store that records what the UI asks.
type fakeStore struct {
	mu      sync.Mutex
	rows    []model.Row
	queries []model.WorklistQuery
	logs    []model.LogRequest
	results []model.LogResult // what each log did, as the plan decided
	touched []time.Time       // every contact's touches in the budget window
	undone  []int64
	undoErr error
	// undoneStatus are the UndoTaskStatus calls ("id:prior status"),
	// undoneAdds the UndoAddTask calls.
	undoneStatus []string
	undoneAdds   []int64
	statuses     []string
	added        []model.Task
	notes        map[int64]string
	nextID       int64
	detail       model.AccountDetail
	hits         []model.SearchHit
	searches     []searchCall // every Search asked, in order
	logErr       error
	signals      []model.Signal // RecordSignal calls, in order
	undoneSigs   []int64
}

func newFakeStore(n int, now time.Time) *fakeStore {
	f := &fakeStore{notes: map[int64]string{}, nextID: 1000}
	for i := 0; i < n; i++ {
		id := int64(i + 1)
		emp := int64(100 + i)
		f.rows = append(f.rows, model.Row{
			Kind:    model.RowTask,
			Task:    model.Task{ID: id, AccountID: id, ContactID: id, Kind: model.TaskCall, Title: fmt.Sprintf("Call contact %d", id), Due: now.Add(-time.Duration(i) * time.Hour), Status: model.TaskOpen},
			Account: model.Account{ID: id, Name: fmt.Sprintf("Account %03d", id), Tier: model.TierA, Fit: 80 - i%50, Employees: &emp, TimeZone: "America/New_York", CRMURL: fmt.Sprintf("https://app.hubspot.com/contacts/1/company/%d", id)},
			Contact: model.Contact{ID: id, AccountID: id, FirstName: "Pat", LastName: fmt.Sprintf("Lee%d", id), Title: "VP Sales", Phone: "+1 212 555 0100", Email: fmt.Sprintf("pat%d@example.com", id)},
			Rank:    float64(100 - i),
			Why:     []model.Term{{Name: "tier", Value: 30}, {Name: "overdue", Value: 2, Detail: "1d"}},
			Zone:    "America/New_York", CallableNow: true,
		})
	}
	return f
}

func (f *fakeStore) Worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	var rows []model.Row
	for _, r := range f.rows {
		if q.Tier != "" && r.Account.Tier != q.Tier {
			continue
		}
		rows = append(rows, r)
	}
	wl := model.Worklist{}
	if q.Counts {
		wl.Due = len(rows)
		if len(f.rows) > 0 { // an empty book holds nothing back
			wl.HeldBack, wl.Held = 2, map[model.HoldReason]int{model.HoldOptedOut: 2}
		}
	}
	if q.Offset < len(rows) {
		rows = rows[q.Offset:]
	} else {
		rows = nil
	}
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	wl.Rows = append([]model.Row(nil), rows...)
	return wl, nil
}

func (f *fakeStore) Accounts(ctx context.Context, af model.AccountFilter) ([]model.Account, error) {
	return nil, nil
}

func (f *fakeStore) AccountDetail(ctx context.Context, id int64) (model.AccountDetail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rows {
		if r.Account.ID == id {
			d := f.detail
			d.Account = r.Account
			d.Contacts = []model.Contact{r.Contact}
			d.Tasks = []model.Task{r.Task}
			return d, nil
		}
	}
	return model.AccountDetail{}, model.ErrNotFound
}

func (f *fakeStore) Contact(ctx context.Context, id int64) (model.Contact, model.Account, error) {
	return model.Contact{}, model.Account{}, model.ErrNotFound
}

// searchCall is one Search asked of the fake: the text, and whether its
// context was already cancelled when the store got it.
type searchCall struct {
	query     string
	cancelled bool
}

func (f *fakeStore) Search(ctx context.Context, q string, limit int) (model.SearchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches = append(f.searches, searchCall{query: q, cancelled: ctx.Err() != nil})
	if err := ctx.Err(); err != nil {
		return model.SearchResult{}, err
	}
	return model.SearchResult{Hits: f.hits, Total: len(f.hits)}, nil
}

func (f *fakeStore) Stats(ctx context.Context, now time.Time) (model.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := model.Stats{Today: map[model.Outcome]int{}, Week: map[model.Outcome]int{}}
	for _, l := range f.logs {
		s.Today[l.Outcome]++
		s.Week[l.Outcome]++
	}
	for _, st := range f.statuses {
		if strings.Contains(st, ":done:") {
			s.TasksDoneToday++
		}
	}
	return s, nil
}

// DoneToday counts the fake's logs and tasks marked done, as the header's
// "done today".
func (f *fakeStore) DoneToday(ctx context.Context, now time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.logs)
	for _, s := range f.statuses {
		if strings.Contains(s, ":done:") {
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) SyncState(ctx context.Context) (model.SyncState, error) {
	return model.SyncState{Pending: len(f.logs)}, nil
}

func (f *fakeStore) LogTouch(ctx context.Context, req model.LogRequest) (model.LogResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logErr != nil {
		return model.LogResult{}, f.logErr
	}
	f.logs = append(f.logs, req)
	f.nextID++
	st := f.logState(req.ContactID, req.TaskID)
	p := model.DefaultSettings().PlanLog(st, req, req.At)
	p.Touch.ID = f.nextID
	if p.Next != nil {
		f.nextID++
		n := *p.Next
		n.ID = f.nextID
		p.Next = &n
	}
	if req.TaskID != 0 {
		for i, r := range f.rows {
			if r.Task.ID == req.TaskID {
				f.rows = append(f.rows[:i:i], f.rows[i+1:]...)
				break
			}
		}
	}
	res := model.LogResult{Touch: p.Touch, Next: p.Next, Plan: p}
	f.results = append(f.results, res)
	return res, nil
}

// LogState is the row's contact and account with the fake's open tasks
// on that contact.
func (f *fakeStore) LogState(ctx context.Context, contactID, taskID int64, now time.Time) (model.LogState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logState(contactID, taskID), nil
}

func (f *fakeStore) logState(contactID, taskID int64) model.LogState {
	var st model.LogState
	for _, r := range f.rows {
		if r.Contact.ID != contactID {
			continue
		}
		st.Contact, st.Account = r.Contact, r.Account
		if r.Task.ID != 0 {
			if r.Task.ID == taskID {
				k := r.Task
				st.Worked = &k
			}
			st.Open = append(st.Open, r.Task)
		}
	}
	if st.Contact.ID == 0 {
		st.Contact.ID = contactID
	}
	st.ContactTouches = append([]time.Time(nil), f.touched...)
	st.AccountTouches = st.ContactTouches
	return st
}

func (f *fakeStore) UndoLog(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.undoErr != nil {
		return f.undoErr
	}
	f.undone = append(f.undone, id)
	return nil
}

func (f *fakeStore) AddTask(ctx context.Context, t model.Task) (model.Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	t.ID = f.nextID
	f.added = append(f.added, t)
	return t, nil
}

func (f *fakeStore) SetTaskStatus(ctx context.Context, id int64, s model.TaskStatus, until time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, fmt.Sprintf("%d:%s:%s", id, s, until.Format("2006-01-02")))
	return nil
}

func (f *fakeStore) EditTouchNote(ctx context.Context, id int64, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes[id] = note
	return nil
}

func (f *fakeStore) UndoTaskStatus(ctx context.Context, id int64, prior model.TaskState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.undoErr != nil {
		return f.undoErr
	}
	f.undoneStatus = append(f.undoneStatus, fmt.Sprintf("%d:%s", id, prior.Status))
	return nil
}

func (f *fakeStore) UndoAddTask(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.undoErr != nil {
		return f.undoErr
	}
	f.undoneAdds = append(f.undoneAdds, id)
	return nil
}

func (f *fakeStore) UndoNoteEdit(ctx context.Context, id int64, prior string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.undoErr != nil {
		return f.undoErr
	}
	f.notes[id] = prior
	return nil
}

func (f *fakeStore) lastQuery() model.WorklistQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

// fakeSyncer reports two progress steps and returns report/err.
type fakeSyncer struct {
	report model.SyncReport
	err    error
	block  bool // wait for cancellation
}

func (s fakeSyncer) Sync(ctx context.Context, ch chan<- model.SyncProgress) (model.SyncReport, error) {
	ch <- model.SyncProgress{Phase: model.PhasePull, What: "companies", Done: 5, Total: 10}
	ch <- model.SyncProgress{Phase: model.PhasePush, What: "touches", Done: 2, Total: 2}
	if s.block {
		<-ctx.Done()
		return s.report, ctx.Err()
	}
	return s.report, s.err
}

func (f *fakeStore) RecordSignal(ctx context.Context, sig model.Signal) (model.Signal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	sig.ID = f.nextID
	f.signals = append(f.signals, sig)
	return sig, nil
}

func (f *fakeStore) UndoSignal(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.undoneSigs = append(f.undoneSigs, id)
	return nil
}
