// Package sfsandbox is the demo's Salesforce: an in-process org
// (sync/salesforcetest) seeded from the demo book, so `shortlist --demo
// --crm salesforce` syncs for real through the Salesforce adapter — pull,
// push, departures — with no org and no network. It is the sibling of
// sync/sandbox (HubSpot's) and seeds the same way: everything dated a day
// before the last sync, and for a book never synced a few changes a
// colleague made since (a renamed account, a new task, an account
// reassigned).
//
// The org keeps the demo book's CRM ids as its record ids (shorter than
// Salesforce's 18 characters), so the book and the org agree on every
// record. Touches the book already synced are seeded as completed Tasks.
package sfsandbox

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/internal/clock"
	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
	"github.com/shortlisthq/shortlist/sync/sandbox"
)

// The people the demo org knows: the same as HubSpot's sandbox.
const (
	OwnerEmail     = sandbox.OwnerEmail
	ColleagueEmail = sandbox.ColleagueEmail
	// instanceURL is a loopback address the adapter accepts over plain
	// http; nothing listens there: requests go straight to the handler.
	instanceURL = "http://127.0.0.1"
)

// Changes are what the demo org changed after seeding.
type Changes = sandbox.Changes

// Sandbox is a seeded in-memory Salesforce org.
type Sandbox struct {
	srv       *sft.Server
	owner     string
	colleague string
	changes   Changes
}

// New seeds a demo org from the book (see the package doc).
func New(ctx context.Context, book sandbox.Book, now time.Time) (*Sandbox, error) {
	st, err := book.SyncState(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the demo book's sync state: %w", err)
	}
	accts, err := book.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		return nil, fmt.Errorf("read the demo book's accounts: %w", err)
	}
	// The demo spends what it likes: the org is this process's.
	// The org's clock is the book's, so what it stamps reads against the
	// book's now, pinned or not.
	srv := sft.NewUnstarted(sft.Options{DailyLimit: 1 << 30, Now: clock.Pinned(now)})
	s := &Sandbox{srv: srv, owner: srv.AddUser(OwnerEmail, "Demo Rep"), colleague: srv.AddUser(ColleagueEmail, "Jordan Lee")}
	srv.SetLogin(s.owner)
	seedAt := now
	if !st.LastSync.IsZero() && st.LastSync.Before(now) {
		seedAt = st.LastSync
	}
	seedAt = seedAt.Add(-24 * time.Hour)
	var seeded []model.AccountDetail
	for _, a := range accts {
		if a.CRMID == "" {
			continue
		}
		d, err := book.AccountDetail(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("read demo account %d: %w", a.ID, err)
		}
		tasks, err := book.CRMTasks(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("read demo account %d's tasks: %w", a.ID, err)
		}
		s.seed(d, tasks, seedAt)
		seeded = append(seeded, d)
	}
	if st.LastSync.IsZero() {
		s.change(seeded, now)
	}
	return s, nil
}

func (s *Sandbox) seed(d model.AccountDetail, tasks []model.Task, at time.Time) {
	a := d.Account
	acct := sft.Record{
		"Name": a.Name, "Website": a.Domain, "Industry": a.Industry, "BillingCountry": a.Country,
		"BillingState": a.Region, "BillingCity": a.City, "OwnerId": s.owner, sft.StatusField: string(a.Status),
	}
	if a.Employees != nil {
		acct["NumberOfEmployees"] = float64(*a.Employees)
	}
	if a.AnnualRevenue != nil {
		acct["AnnualRevenue"] = float64(*a.AnnualRevenue)
	}
	s.srv.PutAt("Account", a.CRMID, acct, at)
	contacts := map[int64]string{}
	for _, c := range d.Contacts {
		if c.CRMID == "" {
			continue
		}
		s.srv.PutAt("Contact", c.CRMID, sft.Record{
			"AccountId": a.CRMID, "FirstName": c.FirstName, "LastName": c.LastName, "Title": c.Title,
			"Email": c.Email, "Phone": c.Phone, "OwnerId": s.owner,
			"HasOptedOutOfEmail": c.Consent.Email.OptedOut(), "DoNotCall": c.Consent.Call.OptedOut(),
			sft.NoLinkedIn: c.Consent.LinkedIn.OptedOut(), sft.PhoneBadField: c.PhoneBad,
		}, at)
		contacts[c.ID] = c.CRMID
	}
	for _, t := range tasks {
		s.putTask(t, a.CRMID, contacts[t.ContactID], at)
	}
	for _, t := range d.Touches {
		if t.CRMID == "" {
			continue
		}
		rec := sft.Record{"Subject": "Logged " + string(t.Channel), "Status": "Completed", "Description": t.Note,
			"WhatId": a.CRMID, "OwnerId": s.owner, "ActivityDate": t.At.UTC().Format("2006-01-02"), sft.OpIDField: "touch-" + t.OpID}
		if ct := contacts[t.ContactID]; ct != "" {
			rec["WhoId"] = ct
		}
		s.srv.PutAt("Task", t.CRMID, rec, t.At)
	}
}

func (s *Sandbox) putTask(t model.Task, accountID, contactID string, at time.Time) string {
	sub := map[model.TaskKind]string{model.TaskCall: "Call", model.TaskEmail: "Email", model.TaskLinkedIn: "LinkedIn"}[t.Kind]
	if sub == "" {
		sub = "Task"
	}
	pri := map[model.Priority]string{model.PriorityHigh: "High", model.PriorityLow: "Low"}[t.Priority]
	if pri == "" {
		pri = "Normal"
	}
	rec := sft.Record{"Subject": t.Title, "Status": "Not Started", "Priority": pri, "TaskSubtype": sub,
		"WhatId": accountID, "OwnerId": s.owner}
	if !t.Due.IsZero() {
		rec["ActivityDate"] = t.Due.Format("2006-01-02")
	}
	if contactID != "" {
		rec["WhoId"] = contactID
	}
	if t.Status.Closed() {
		rec["Status"] = "Completed"
	}
	return s.srv.PutAt("Task", t.CRMID, rec, at)
}

// change makes a colleague's edits since the book was written, on accounts
// chosen by CRM id so the same book always gets the same changes.
func (s *Sandbox) change(seeded []model.AccountDetail, now time.Time) {
	withContact := slices.DeleteFunc(slices.Clone(seeded), func(d model.AccountDetail) bool {
		return !slices.ContainsFunc(d.Contacts, func(c model.Contact) bool { return c.CRMID != "" })
	})
	if len(withContact) < 3 {
		return
	}
	slices.SortFunc(withContact, func(a, b model.AccountDetail) int {
		if len(a.Account.CRMID) != len(b.Account.CRMID) {
			return len(a.Account.CRMID) - len(b.Account.CRMID)
		}
		return strings.Compare(a.Account.CRMID, b.Account.CRMID)
	})
	ren := withContact[0].Account
	s.changes.RenamedID, s.changes.NewName = ren.CRMID, ren.Name+" Holdings"
	s.srv.Update(ren.CRMID, sft.Record{"Name": s.changes.NewName})

	d := withContact[1]
	c := d.Contacts[slices.IndexFunc(d.Contacts, func(c model.Contact) bool { return c.CRMID != "" })]
	t := model.Task{Kind: model.TaskEmail, Title: "Send the security questionnaire to " + c.FirstName,
		Priority: model.PriorityHigh, Due: now.Add(26 * time.Hour)}
	s.changes.NewTaskID = s.putTask(t, d.Account.CRMID, c.CRMID, now)
	s.changes.NewTaskCompanyID = d.Account.CRMID

	re := withContact[2].Account
	s.changes.ReassignedID = re.CRMID
	s.srv.Update(re.CRMID, sft.Record{"OwnerId": s.colleague})
}

// Changes reports what the org changed after seeding (empty for a book
// that has synced before).
func (s *Sandbox) Changes() Changes { return s.changes }

// Server is the demo org, for tests to inspect.
func (s *Sandbox) Server() *sft.Server { return s.srv }

// CRM returns a Salesforce adapter wired to the demo org in process.
func (s *Sandbox) CRM() (*salesforce.Client, error) {
	c, err := salesforce.New(salesforce.Options{
		InstanceURL: instanceURL,
		AccessToken: s.srv.AccessToken(),
		APIVersion:  s.srv.APIVersion(),
		DailyShare:  1,
		HTTPClient:  &http.Client{Transport: s.srv.Transport(), Timeout: 30 * time.Second},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to the demo Salesforce: %w", err)
	}
	return c, nil
}
