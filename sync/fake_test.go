package sync_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// fakeCRM is an in-memory crmsync.CRM that keeps the contract: pages in
// modified order, creates idempotent per operation id, results in input
// order. Tests inject item errors per operation id and call failures per
// method.
type fakeCRM struct {
	mu        sync.Mutex
	owner     crmsync.Owner
	clock     time.Time
	seq       int
	pageSize  int
	companies map[string]*fakeCompany
	contacts  map[string]model.PulledContact
	tasks     map[string]*model.PulledTask
	created   map[string]string // op id → CRM id of the engagement or task it created
	touches   map[string]crmsync.OutTouch
	calls     map[string]int // method → calls
	items     map[string]int // method → items sent
	itemErr   map[string]error
	fail      map[string]failure
	onPush    func()                // called inside PushTouches, after the CRM applied the batch
	noteEdits []crmsync.TouchUpdate // what UpdateTouches applied, in order
}

type fakeCompany struct {
	rc      model.PulledCompany
	deleted bool
}

// failure makes the call-th call (1-based) of a method, and every one after
// it while sticky, return err.
type failure struct {
	call   int
	err    error
	sticky bool
}

func newFake() *fakeCRM {
	return &fakeCRM{
		owner:     crmsync.Owner{ID: "o1", Email: "rep@example.com", Name: "Rep"},
		clock:     time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		pageSize:  2,
		companies: map[string]*fakeCompany{},
		contacts:  map[string]model.PulledContact{},
		tasks:     map[string]*model.PulledTask{},
		created:   map[string]string{},
		touches:   map[string]crmsync.OutTouch{},
		calls:     map[string]int{},
		items:     map[string]int{},
		itemErr:   map[string]error{},
		fail:      map[string]failure{},
	}
}

// tick advances the CRM's clock: every write gets a later modified time.
func (f *fakeCRM) tick() time.Time {
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

func (f *fakeCRM) id() string {
	f.seq++
	return strconv.Itoa(1000 + f.seq)
}

func (f *fakeCRM) call(method string, n int) error {
	f.calls[method]++
	f.items[method] += n
	if fl, ok := f.fail[method]; ok && (f.calls[method] == fl.call || fl.sticky && f.calls[method] > fl.call) {
		return fl.err
	}
	return nil
}

// addCompany seeds a company owned by the rep.
func (f *fakeCRM) addCompany(name, industry string, employees int64, country string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id()
	f.companies[id] = &fakeCompany{rc: model.PulledCompany{
		Account: model.Account{CRMID: id, Name: name, Industry: industry, Employees: &employees, Country: country,
			TimeZone: "America/New_York"},
		OwnerID: f.owner.ID, Modified: f.tick()}}
	return id
}

func (f *fakeCRM) addContact(companyID, first, last, title string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id()
	f.contacts[id] = model.PulledContact{Contact: model.Contact{CRMID: id, FirstName: first, LastName: last, Title: title,
		Email: first + "@example.com", Phone: "+1 212 555 0100", TimeZone: "America/New_York"},
		CompanyIDs: []string{companyID}, Modified: f.tick()}
	return id
}

func (f *fakeCRM) addTask(companyID, contactID, title string, due time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id()
	f.tasks[id] = &model.PulledTask{Task: model.Task{CRMID: id, Kind: model.TaskCall, Title: title, Due: due,
		Priority: model.PriorityHigh, Status: model.TaskOpen}, CompanyID: companyID, ContactID: contactID, Modified: f.tick()}
	return id
}

// editCompany changes a company in the CRM (bumping its modified time).
func (f *fakeCRM) editCompany(id string, fn func(*fakeCompany)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.companies[id])
	f.companies[id].rc.Modified = f.tick()
}

func (f *fakeCRM) editTask(id string, fn func(*model.PulledTask)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.tasks[id])
	f.tasks[id].Modified = f.tick()
}

func (f *fakeCRM) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.items[method]
}

func (f *fakeCRM) Name() string { return "FakeCRM" }

func (f *fakeCRM) Connect(ctx context.Context, email string) (crmsync.Owner, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Connect", 0); err != nil {
		return crmsync.Owner{}, err
	}
	if email != f.owner.Email {
		return crmsync.Owner{}, fmt.Errorf("no FakeCRM user has the email %s", email)
	}
	return f.owner, nil
}

func (f *fakeCRM) Prepare(ctx context.Context) (crmsync.Capabilities, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return crmsync.Capabilities{UniqueOpID: map[string]bool{"calls": true, "notes": true, "tasks": true}}, f.call("Prepare", 0)
}

func (f *fakeCRM) Companies(ctx context.Context, ownerID string, since time.Time, fn func([]model.PulledCompany) error) error {
	f.mu.Lock()
	var all []model.PulledCompany
	for _, c := range f.companies {
		if !c.deleted && c.rc.OwnerID == ownerID && !c.rc.Modified.Before(since) {
			all = append(all, c.rc)
		}
	}
	slices.SortFunc(all, func(a, b model.PulledCompany) int {
		if c := a.Modified.Compare(b.Modified); c != 0 {
			return c
		}
		return compareIDs(a.Account.CRMID, b.Account.CRMID)
	})
	size := f.pageSize
	f.mu.Unlock()
	for i := 0; i < len(all); i += size {
		f.mu.Lock()
		err := f.call("Companies", 0)
		f.mu.Unlock()
		if err != nil {
			return err
		}
		if err := fn(all[i:min(i+size, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

func compareIDs(a, b string) int {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x - y
}

func (f *fakeCRM) Departed(ctx context.Context, ownerID string, ids []string) ([]model.DepartedCompany, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Departed", len(ids)); err != nil {
		return nil, err
	}
	var out []model.DepartedCompany
	for _, id := range ids {
		c, ok := f.companies[id]
		switch {
		case !ok || c.deleted:
			out = append(out, model.DepartedCompany{CompanyID: id, Deleted: true})
		case c.rc.OwnerID != ownerID:
			out = append(out, model.DepartedCompany{CompanyID: id, Owner: c.rc.OwnerID})
		}
	}
	return out, nil
}

func (f *fakeCRM) Contacts(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledContact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Contacts", len(companyIDs)); err != nil {
		return nil, err
	}
	var out []model.PulledContact
	for _, c := range f.contacts {
		if slices.ContainsFunc(c.CompanyIDs, func(id string) bool { return slices.Contains(companyIDs, id) }) && !c.Modified.Before(since) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b model.PulledContact) int { return compareIDs(a.Contact.CRMID, b.Contact.CRMID) })
	return out, nil
}

func (f *fakeCRM) ContactsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledContact) error) error {
	f.mu.Lock()
	var all []model.PulledContact
	for _, c := range f.contacts {
		if !c.Modified.Before(since) {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, func(a, b model.PulledContact) int {
		if c := a.Modified.Compare(b.Modified); c != 0 {
			return c
		}
		return compareIDs(a.Contact.CRMID, b.Contact.CRMID)
	})
	size := f.pageSize
	f.mu.Unlock()
	for i := 0; i < len(all); i += size {
		f.mu.Lock()
		err := f.call("ContactsModifiedSince", min(size, len(all)-i))
		f.mu.Unlock()
		if err != nil {
			return err
		}
		if err := fn(all[i:min(i+size, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeCRM) Tasks(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledTask, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Tasks", len(companyIDs)); err != nil {
		return nil, err
	}
	var out []model.PulledTask
	for _, t := range f.tasks {
		in := slices.Contains(companyIDs, t.CompanyID)
		if c, ok := f.contacts[t.ContactID]; ok && slices.ContainsFunc(c.CompanyIDs, func(id string) bool { return slices.Contains(companyIDs, id) }) {
			in = true
		}
		if in && !t.Modified.Before(since) {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b model.PulledTask) int { return compareIDs(a.Task.CRMID, b.Task.CRMID) })
	return out, nil
}

func (f *fakeCRM) PushTouches(ctx context.Context, in []crmsync.OutTouch) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in) > 100 {
		return nil, fmt.Errorf("batch of %d", len(in))
	}
	if err := f.call("PushTouches", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, t := range in {
		out[i].OpID = t.OpID
		if err := f.itemErr[t.OpID]; err != nil {
			out[i].Err = err
			continue
		}
		id, ok := f.created[t.OpID]
		if !ok {
			id = f.id()
			f.created[t.OpID] = id
		}
		f.touches[id] = t
		out[i].CRMID = id
	}
	if f.onPush != nil {
		f.onPush()
	}
	return out, nil
}

func (f *fakeCRM) PushTasks(ctx context.Context, in []crmsync.OutTask) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PushTasks", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, t := range in {
		out[i].OpID = t.OpID
		if err := f.itemErr[t.OpID]; err != nil {
			out[i].Err = err
			continue
		}
		id, ok := f.created[t.OpID]
		if !ok {
			id = f.id()
			f.created[t.OpID] = id
			k := t.Task
			k.CRMID, k.ID, k.AccountID, k.ContactID = id, 0, 0, 0
			f.tasks[id] = &model.PulledTask{Task: k, CompanyID: t.CompanyID, ContactID: t.ContactID, OpID: t.OpID, Modified: f.tick()}
		}
		out[i].CRMID = id
	}
	return out, nil
}

func (f *fakeCRM) UpdateTasks(ctx context.Context, in []crmsync.TaskUpdate) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateTasks", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, u := range in {
		out[i].OpID = u.OpID
		if err := f.itemErr[u.OpID]; err != nil {
			out[i].Err = err
			continue
		}
		t, ok := f.tasks[u.CRMID]
		if !ok {
			out[i].Err = &crmsync.ItemError{Gone: true, Message: "task " + u.CRMID + " was deleted"}
			continue
		}
		t.Task.Status = model.TaskOpen
		if u.Status == model.TaskDone || u.Status == model.TaskSkipped {
			t.Task.Status = model.TaskDone
		}
		t.Modified = f.tick()
		out[i].CRMID = u.CRMID
	}
	return out, nil
}

func (f *fakeCRM) UpdateCompanies(ctx context.Context, in []crmsync.CompanyUpdate) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateCompanies", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, u := range in {
		out[i].OpID = u.OpID
		c, ok := f.companies[u.CRMID]
		if !ok || c.deleted {
			out[i].Err = &crmsync.ItemError{Gone: true, Message: "company " + u.CRMID + " was deleted"}
			continue
		}
		c.rc.Account.Status = u.Status
		c.rc.Modified = f.tick()
		out[i].CRMID = u.CRMID
	}
	return out, nil
}

func (f *fakeCRM) UpdateContacts(ctx context.Context, in []crmsync.ContactUpdate) ([]crmsync.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateContacts", len(in)); err != nil {
		return nil, err
	}
	out := make([]crmsync.Result, len(in))
	for i, u := range in {
		out[i].OpID = u.OpID
		c, ok := f.contacts[u.CRMID]
		if !ok {
			out[i].Err = &crmsync.ItemError{Gone: true, Message: "contact " + u.CRMID + " was deleted"}
			continue
		}
		c.Contact.Consent, c.Contact.PhoneBad, c.Modified = u.Consent, u.PhoneBad, f.tick()
		f.contacts[u.CRMID] = c
		out[i].CRMID = u.CRMID
	}
	return out, nil
}

func (f *fakeCRM) ContactsTasks(ctx context.Context, companyIDs []string) ([]model.PulledContact, []model.PulledTask, error) {
	cs, err := f.Contacts(ctx, companyIDs, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	ts, err := f.Tasks(ctx, companyIDs, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	return cs, ts, nil
}

func (f *fakeCRM) TasksModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledTask) error) error {
	f.mu.Lock()
	var all []model.PulledTask
	for _, t := range f.tasks {
		if !t.Modified.Before(since) {
			all = append(all, *t)
		}
	}
	slices.SortFunc(all, func(a, b model.PulledTask) int {
		if c := a.Modified.Compare(b.Modified); c != 0 {
			return c
		}
		return compareIDs(a.Task.CRMID, b.Task.CRMID)
	})
	size := f.pageSize
	f.mu.Unlock()
	for i := 0; i < len(all); i += size {
		f.mu.Lock()
		err := f.call("TasksModifiedSince", min(size, len(all)-i))
		f.mu.Unlock()
		if err != nil {
			return err
		}
		if err := fn(all[i:min(i+size, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeCRM) DeletedTasks(ctx context.Context, ids []string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DeletedTasks", len(ids)); err != nil {
		return nil, err
	}
	var gone []string
	for _, id := range ids {
		if _, ok := f.tasks[id]; !ok {
			gone = append(gone, id)
		}
	}
	return gone, nil
}
