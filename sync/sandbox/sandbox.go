// Package sandbox is the demo's CRM: an in-process HubSpot-compatible
// server (sync/hubspottest) seeded from the demo book, so `shortlist --demo`
// syncs for real — pull, push, conflicts — with no account and no network.
//
// The server lives in memory for as long as the process does. A book that
// has never synced meets a CRM where a few things changed since the book was
// written (a new task, a renamed company, a company reassigned to a
// colleague), so the first demo sync shows real work; a book that has synced
// is served as it now is, so the next sync finds nothing new but the buyers
// who reach out before every sync (signals.go): a reply, and every other
// sync a form fill.
package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/shortlisthq/shortlist/internal/clock"
	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// The people the sandbox CRM knows.
const (
	// OwnerEmail is the demo rep as the sandbox CRM knows them.
	OwnerEmail = "demo.rep@shortlist.example"
	// ColleagueEmail owns the company the sandbox reassigns.
	ColleagueEmail = "jordan.lee@shortlist.example"
	// baseURL is a loopback address the adapter accepts over plain http;
	// nothing listens there: requests go straight to the handler.
	baseURL = "http://127.0.0.1"
	// portalID matches the demo book's CRM links.
	portalID = "0"
)

// Changes are what the sandbox CRM changed after seeding, for tests and the
// README to point at.
type Changes struct {
	RenamedID, NewName string // a company renamed in the CRM
	NewTaskID          string // a task created in the CRM
	NewTaskCompanyID   string
	ReassignedID       string // a company now owned by ColleagueEmail
}

// Sandbox is a seeded in-memory CRM and what the demo needs to reach it.
type Sandbox struct {
	srv       *hubspottest.Server
	owner     string
	colleague string
	changes   Changes
	// clock is the sandbox's time: the now New was given, moving on with
	// the wall clock.
	clock func() time.Time

	mu       gosync.Mutex
	people   []person  // who may reach out (signals.go)
	turn     int       // where the turns start: the book's last sync
	syncs    int       // syncs served
	arrivals []Arrival // what arrived before them
}

// Book is what the sandbox reads from the demo book; *storage.DB is one.
type Book interface {
	model.Store
	// CRMTasks lists an account's tasks that have CRM ids, in any status,
	// as the CRM held them after the last sync.
	CRMTasks(ctx context.Context, accountID int64) ([]model.Task, error)
	// OpenSignalContacts lists the CRM ids of the contacts with a signal
	// of the last week still unanswered at now: someone else reaches out.
	OpenSignalContacts(ctx context.Context, now time.Time) ([]string, error)
}

// New builds a sandbox CRM from the book: the demo rep and a colleague as
// owners, every company with a CRM id (the rep's), its contacts with their
// consent and phone flags, every task with a CRM id (open, or completed
// when the CRM has heard it was closed) and each account's newest touches
// with a CRM id (as the engagements the adapter files them as), all dated
// a day before the last sync (or before now, for a book never synced). A task closed, skipped or
// snoozed here since then is in the state the CRM last saw, so the sync
// pushes that change as it would to HubSpot. For a book never synced it
// then makes the CRM-side changes that Changes reports.
func New(ctx context.Context, book Book, now time.Time) (*Sandbox, error) {
	st, err := book.SyncState(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the demo book's sync state: %w", err)
	}
	accts, err := book.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		return nil, fmt.Errorf("read the demo book's accounts: %w", err)
	}
	// The CRM's clock is the book's: what it stamps (a record's last
	// change, a reply) is read against the book's now, pinned or not.
	clk := clock.Pinned(now)
	srv := hubspottest.NewUnstartedHandler(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1, Now: clk})
	s := &Sandbox{
		srv:       srv,
		clock:     clk,
		owner:     srv.AddOwner(OwnerEmail, "Demo", "Rep"),
		colleague: srv.AddOwner(ColleagueEmail, "Jordan", "Lee"),
	}
	seedAt := now
	if !st.LastSync.IsZero() && st.LastSync.Before(now) {
		seedAt = st.LastSync
	}
	seedAt = seedAt.Add(-24 * time.Hour)

	var seeded []model.AccountDetail
	for _, a := range accts {
		if a.CRMID == "" {
			continue // a local-only account: the CRM never had it
		}
		d, err := book.AccountDetail(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("read demo account %d: %w", a.ID, err)
		}
		tasks, err := book.CRMTasks(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("read demo account %d's tasks: %w", a.ID, err)
		}
		if err := s.seed(d, tasks, seedAt); err != nil {
			return nil, err
		}
		seeded = append(seeded, d)
	}
	if st.LastSync.IsZero() {
		if err := s.change(seeded, now); err != nil {
			return nil, err
		}
	}
	waiting, err := book.OpenSignalContacts(ctx, now)
	if err != nil {
		return nil, err
	}
	s.people = candidates(seeded, s.changes.ReassignedID, waiting)
	if !st.LastSync.IsZero() {
		s.turn = int(st.LastSync.Unix() % 1_000_000)
	}
	return s, nil
}

func (s *Sandbox) seed(d model.AccountDetail, tasks []model.Task, at time.Time) error {
	a := d.Account
	props := map[string]string{
		"hs_object_id":     a.CRMID,
		"name":             a.Name,
		"domain":           a.Domain,
		"industry":         a.Industry,
		"country":          a.Country,
		"state":            a.Region,
		"city":             a.City,
		"timezone":         a.TimeZone,
		"hubspot_owner_id": s.owner,
		"shortlist_status": string(a.Status),
	}
	if a.Employees != nil {
		props["numberofemployees"] = strconv.FormatInt(*a.Employees, 10)
	}
	if a.AnnualRevenue != nil {
		props["annualrevenue"] = strconv.FormatInt(*a.AnnualRevenue, 10)
	}
	if id := s.srv.PutAt("companies", props, at); id != a.CRMID {
		return fmt.Errorf("seed the demo CRM: company %s got id %q", a.CRMID, id)
	}
	contacts := map[int64]string{}
	for _, c := range d.Contacts {
		if c.CRMID == "" {
			continue
		}
		props := map[string]string{
			"hs_object_id":              c.CRMID,
			"firstname":                 c.FirstName,
			"lastname":                  c.LastName,
			"jobtitle":                  c.Title,
			"email":                     c.Email,
			"phone":                     c.Phone,
			"hs_linkedin_url":           c.LinkedInURL,
			"hs_timezone":               c.TimeZone,
			"associatedcompanyid":       a.CRMID,
			"hs_email_optout":           strconv.FormatBool(c.Consent.Email.State == model.ConsentOptedOut),
			"shortlist_do_not_call":     strconv.FormatBool(c.Consent.Call.State == model.ConsentOptedOut),
			"shortlist_linkedin_optout": strconv.FormatBool(c.Consent.LinkedIn.State == model.ConsentOptedOut),
			"shortlist_phone_bad":       strconv.FormatBool(c.PhoneBad),
			"hubspot_owner_id":          s.owner,
		}
		if id := s.srv.PutAt("contacts", props, at); id != c.CRMID {
			return fmt.Errorf("seed the demo CRM: contact %s got id %q", c.CRMID, id)
		}
		if err := s.srv.Associate("contacts", c.CRMID, "companies", a.CRMID); err != nil {
			return fmt.Errorf("seed the demo CRM: associate contact %s: %w", c.CRMID, err)
		}
		contacts[c.ID] = c.CRMID
	}
	for _, t := range tasks { // a task not yet pushed reaches the CRM with the sync
		if _, err := s.putTask(t, a.CRMID, contacts[t.ContactID], at); err != nil {
			return err
		}
	}
	for _, t := range d.Touches { // a touch not yet pushed reaches the CRM with the sync
		if t.CRMID == "" {
			continue
		}
		if err := s.putTouch(t, a.CRMID, contacts[t.ContactID]); err != nil {
			return err
		}
	}
	return nil
}

// putTouch files a touch the CRM already has (its CRM id kept) as the
// engagement the HubSpot adapter pushed it as, so an edit of its note
// updates that engagement instead of finding it gone. The account's newest
// touches are seeded (those AccountDetail lists): the ones a rep edits.
func (s *Sandbox) putTouch(t model.Touch, companyID, contactID string) error {
	e := hubspot.TouchEngagement(t, 0)
	objType := e.Type
	props := map[string]string{
		"hs_object_id":     t.CRMID,
		"hs_timestamp":     strconv.FormatInt(e.At.UnixMilli(), 10),
		"hubspot_owner_id": s.owner,
		// As the push writes it: the rep's own record, which a pull of
		// signals passes over (an inbound touch the rep logged is not a
		// buyer reaching out again).
		"shortlist_op_id": "seed-" + strconv.FormatInt(t.ID, 10),
	}
	for k, v := range e.Props {
		props[k] = v
	}
	for k, v := range e.Text {
		props[k] = v
	}
	if id := s.srv.PutAt(objType, props, t.At); id != t.CRMID {
		return fmt.Errorf("seed the demo CRM: %s %s got id %q", objType, t.CRMID, id)
	}
	if err := s.srv.Associate(objType, t.CRMID, "companies", companyID); err != nil {
		return fmt.Errorf("seed the demo CRM: associate %s %s: %w", objType, t.CRMID, err)
	}
	if contactID != "" {
		if err := s.srv.Associate(objType, t.CRMID, "contacts", contactID); err != nil {
			return fmt.Errorf("seed the demo CRM: associate %s %s: %w", objType, t.CRMID, err)
		}
	}
	return nil
}

// taskTypes are HubSpot's hs_task_type values for the book's task kinds.
var taskTypes = map[model.TaskKind]string{
	model.TaskCall: "CALL", model.TaskEmail: "EMAIL", model.TaskLinkedIn: "LINKED_IN_MESSAGE",
}

// putTask creates a task associated with its company and contact and
// returns its id: completed when t is done or skipped, else not started.
func (s *Sandbox) putTask(t model.Task, companyID, contactID string, at time.Time) (string, error) {
	typ := taskTypes[t.Kind]
	if typ == "" {
		typ = "TODO"
	}
	props := map[string]string{
		"hs_task_subject":  t.Title,
		"hs_task_type":     typ,
		"hs_task_status":   "NOT_STARTED",
		"hs_task_priority": strings.ToUpper(string(t.Priority)),
		"hs_timestamp":     strconv.FormatInt(model.DueToCRM(t).UnixMilli(), 10),
		"hubspot_owner_id": s.owner,
	}
	if t.CRMID != "" {
		props["hs_object_id"] = t.CRMID
	}
	if t.Status.Closed() {
		props["hs_task_status"] = "COMPLETED"
		if !t.ClosedAt.IsZero() {
			props["hs_task_completion_date"] = strconv.FormatInt(t.ClosedAt.UnixMilli(), 10)
		}
	}
	id := s.srv.PutAt("tasks", props, at)
	if t.CRMID != "" && id != t.CRMID {
		return "", fmt.Errorf("seed the demo CRM: task %s got id %q", t.CRMID, id)
	}
	if err := s.srv.Associate("tasks", id, "companies", companyID); err != nil {
		return "", fmt.Errorf("seed the demo CRM: associate task %s: %w", id, err)
	}
	if contactID != "" {
		if err := s.srv.Associate("tasks", id, "contacts", contactID); err != nil {
			return "", fmt.Errorf("seed the demo CRM: associate task %s: %w", id, err)
		}
	}
	return id, nil
}

// change makes the CRM-side edits a colleague would have made since the
// book was written, on companies chosen by CRM id so the same book always
// gets the same changes.
func (s *Sandbox) change(seeded []model.AccountDetail, now time.Time) error {
	withContact := slices.DeleteFunc(slices.Clone(seeded), func(d model.AccountDetail) bool {
		return !slices.ContainsFunc(d.Contacts, func(c model.Contact) bool { return c.CRMID != "" })
	})
	if len(withContact) < 3 {
		return nil // too small a book to show anything
	}
	slices.SortFunc(withContact, func(a, b model.AccountDetail) int { return crmIDCompare(a.Account.CRMID, b.Account.CRMID) })

	ren := withContact[0].Account
	s.changes.RenamedID, s.changes.NewName = ren.CRMID, ren.Name+" Holdings"
	if err := s.srv.Update("companies", ren.CRMID, map[string]string{"name": s.changes.NewName}); err != nil {
		return fmt.Errorf("rename demo company %s: %w", ren.CRMID, err)
	}

	d := withContact[1]
	i := slices.IndexFunc(d.Contacts, func(c model.Contact) bool { return c.CRMID != "" })
	c := d.Contacts[i]
	due := now.Add(26 * time.Hour).Truncate(time.Hour)
	t := model.Task{Kind: model.TaskEmail, Title: "Send the security questionnaire to " + c.FirstName,
		Priority: model.PriorityHigh, Due: due}
	id, err := s.putTask(t, d.Account.CRMID, c.CRMID, now)
	if err != nil {
		return err
	}
	s.changes.NewTaskID, s.changes.NewTaskCompanyID = id, d.Account.CRMID

	re := withContact[2].Account
	s.changes.ReassignedID = re.CRMID
	if err := s.srv.Update("companies", re.CRMID, map[string]string{"hubspot_owner_id": s.colleague}); err != nil {
		return fmt.Errorf("reassign demo company %s: %w", re.CRMID, err)
	}
	return nil
}

// crmIDCompare orders numeric ids by value.
func crmIDCompare(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Changes reports what the sandbox changed after seeding (all empty for a
// book that has synced before).
func (s *Sandbox) Changes() Changes { return s.changes }

// Server is the sandbox's in-memory CRM, for tests to inspect.
func (s *Sandbox) Server() *hubspottest.Server { return s.srv }

// CRM returns a HubSpot adapter wired to the sandbox: requests go straight
// to the in-memory handler, with no socket and no rate limit.
func (s *Sandbox) CRM() (*hubspot.Client, error) {
	c, err := hubspot.New(hubspot.Options{
		BaseURL:         baseURL,
		Token:           s.srv.Token(),
		HTTPClient:      &http.Client{Transport: handlerTransport{h: s.srv.Handler(), connect: s.connected}, Timeout: 30 * time.Second},
		RequestsPer10s:  -1,
		SearchPerSecond: -1,
		SearchLag:       -1, // its search sees a write at once: nothing to wait out after a cancelled sync
		PortalID:        portalID,
		Now:             s.clock,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to the demo CRM: %w", err)
	}
	return c, nil
}

// connected runs as a sync connects: buyers reach out (signals.go).
func (s *Sandbox) connected() error { return s.arrive(s.clock()) }

// handlerTransport serves a request with an http.Handler in-process;
// connect, when set, runs before the request a sync starts with.
type handlerTransport struct {
	h       http.Handler
	connect func() error
}

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	if t.connect != nil && isConnect(req) {
		if err := t.connect(); err != nil {
			return nil, err
		}
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:1"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		req.Body.Close()
	}
	return rec.Result(), nil
}
