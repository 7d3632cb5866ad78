package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// The custom fields Shortlist relies on (the README's admin steps add them).
const (
	fieldOpID       = "Shortlist_Op_Id__c"       // Task and Event (Activity): Text(64), External ID, Unique
	fieldStatus     = "Shortlist_Status__c"      // Account: Text(40)
	fieldNoLinkedIn = "Shortlist_No_LinkedIn__c" // Contact: Checkbox
	fieldPhoneBad   = "Shortlist_Phone_Bad__c"   // Contact: Checkbox
)

// touchOpPrefix marks the operation id of a Task that records a touch, so
// the pull never mistakes a logged call for a to-do.
const touchOpPrefix = "touch-"

// inChunk is how many ids go in one IN (…) list: far under SOQL's 100,000
// characters.
const inChunk = 200

// Connect checks the token and finds the rep: the user the token belongs to
// (/services/oauth2/userinfo). A set ownerEmail must be that user's email.
func (c *Client) Connect(ctx context.Context, ownerEmail string) (crmsync.Owner, error) {
	o, err := c.connect(ctx, ownerEmail)
	return o, c.clean(err)
}

func (c *Client) connect(ctx context.Context, ownerEmail string) (crmsync.Owner, error) {
	const op = "find the Salesforce user"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/services/oauth2/userinfo"})
	if err != nil {
		return crmsync.Owner{}, err
	}
	if rep.status != http.StatusOK {
		return crmsync.Owner{}, c.failure(op, rep)
	}
	var ui struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
		Name   string `json:"name"`
	}
	if err := c.decode(op, rep, &ui); err != nil {
		return crmsync.Owner{}, err
	}
	if !isID(ui.UserID) || !strings.HasPrefix(ui.UserID, "005") {
		return crmsync.Owner{}, protocol(op, rep.status, "userinfo has no user id")
	}
	want := strings.TrimSpace(ownerEmail)
	if want != "" && !strings.EqualFold(want, strings.TrimSpace(ui.Email)) {
		return crmsync.Owner{}, &crmsync.UnknownOwnerError{CRM: "Salesforce", Email: want, Login: text(ui.Email)}
	}
	return crmsync.Owner{ID: ui.UserID, Email: text(ui.Email), Name: text(ui.Name)}, nil
}

// describedField is what Shortlist reads of a field's describe.
type describedField struct {
	Name               string `json:"name"`
	Type               string `json:"type"`
	ExternalID         bool   `json:"externalId"`
	Unique             bool   `json:"unique"`
	Createable         bool   `json:"createable"`
	Updateable         bool   `json:"updateable"`
	RestrictedPicklist bool   `json:"restrictedPicklist"`
	PicklistValues     []struct {
		Value  string `json:"value"`
		Active bool   `json:"active"`
	} `json:"picklistValues"`
}

// describe reads the fields of the objects Shortlist uses, once per client.
func (c *Client) describe(ctx context.Context) (map[string]map[string]describedField, error) {
	c.mu.Lock()
	if c.fields != nil {
		f := c.fields
		c.mu.Unlock()
		return f, nil
	}
	c.mu.Unlock()
	out := map[string]map[string]describedField{}
	for _, obj := range []string{"Account", "Contact", "Task", "Event"} {
		op := "describe " + obj
		rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: c.data("/sobjects/" + obj + "/describe")})
		if err != nil {
			return nil, err
		}
		if rep.status != http.StatusOK {
			return nil, c.failure(op, rep)
		}
		var d struct {
			Fields []describedField `json:"fields"`
		}
		if err := c.decode(op, rep, &d); err != nil {
			return nil, err
		}
		m := map[string]describedField{}
		for _, f := range d.Fields {
			m[strings.ToLower(f.Name)] = f
		}
		out[obj] = m
	}
	c.mu.Lock()
	c.fields = out
	c.mu.Unlock()
	return out, nil
}

func (c *Client) has(fs map[string]map[string]describedField, obj, field string) bool {
	_, ok := fs[obj][strings.ToLower(field)]
	return ok
}

func (c *Client) data(p string) string { return "/services/data/" + c.version + p }

// page is one reply of the query resource.
type page struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// query runs soql (queryAll when all) and calls fn with each batch,
// following nextRecordsUrl until done.
func (c *Client) query(ctx context.Context, op, soql string, all bool, fn func([]json.RawMessage) error) error {
	res := "/query"
	if all {
		res = "/queryAll"
	}
	r := request{op: op, method: http.MethodGet, path: c.data(res), query: url.Values{"q": {soql}}}
	prev := ""
	for {
		rep, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		if rep.status != http.StatusOK {
			return c.failure(op, rep)
		}
		var p page
		if err := c.decode(op, rep, &p); err != nil {
			return err
		}
		if p.Records == nil {
			return protocol(op, rep.status, "the reply has no records")
		}
		if err := fn(p.Records); err != nil {
			return err
		}
		if p.Done {
			return nil
		}
		next := p.NextRecordsURL
		if !strings.HasPrefix(next, "/services/data/") || strings.ContainsAny(next, "?#") || next == prev {
			return protocol(op, rep.status, "done is false without a usable nextRecordsUrl")
		}
		prev = next
		r = request{op: op, method: http.MethodGet, path: next}
	}
}

// isID reports whether s may be a record id: letters and digits, at most
// 18 (Salesforce's are 15 or 18; a seeded demo org keeps the demo book's
// shorter ones), so it is safe inside a SOQL string literal.
func isID(s string) bool {
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return true
}

// idList is a SOQL IN list of the valid ids among ids.
func idList(ids []string) string {
	var b strings.Builder
	for _, id := range ids {
		if !isID(id) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + id + "'")
	}
	return b.String()
}

func validIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if isID(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// quote is a SOQL string literal.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`, `"`, `\"`)
	return "'" + r.Replace(s) + "'"
}

// stamp is a datetime literal at or before t (SOQL literals are whole
// seconds here; a page may repeat records, which the engine allows).
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z") }

// parseTime reads Salesforce's datetimes (2026-12-03T16:12:41.000+0000).
func parseTime(s string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ---- accounts ----

type sfAccount struct {
	ID                string   `json:"Id"`
	Name              string   `json:"Name"`
	Website           string   `json:"Website"`
	Industry          string   `json:"Industry"`
	NumberOfEmployees *float64 `json:"NumberOfEmployees"`
	AnnualRevenue     *float64 `json:"AnnualRevenue"`
	BillingCountry    string   `json:"BillingCountry"`
	BillingState      string   `json:"BillingState"`
	BillingCity       string   `json:"BillingCity"`
	OwnerID           string   `json:"OwnerId"`
	Type              string   `json:"Type"`
	Status            string   `json:"Shortlist_Status__c"`
	SystemModstamp    string   `json:"SystemModstamp"`
	IsDeleted         bool     `json:"IsDeleted"`
}

func (c *Client) accountFields(fs map[string]map[string]describedField) string {
	f := []string{"Id", "Name", "Website", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingCountry", "BillingState", "BillingCity", "OwnerId", "Type", "SystemModstamp"}
	if c.has(fs, "Account", fieldStatus) {
		f = append(f, fieldStatus)
	}
	return strings.Join(f, ", ")
}

// Companies pages through the accounts ownerID owns, modified at or after
// since, in SystemModstamp order (ties by Id).
func (c *Client) Companies(ctx context.Context, ownerID string, since time.Time, fn func([]model.PulledCompany) error) error {
	return c.clean(c.companies(ctx, ownerID, since, fn))
}

func (c *Client) companies(ctx context.Context, ownerID string, since time.Time, fn func([]model.PulledCompany) error) error {
	const op = "query accounts"
	if !isID(ownerID) {
		return fmt.Errorf("%s: %q is not a Salesforce user id", op, model.Sanitize(ownerID))
	}
	fs, err := c.describe(ctx)
	if err != nil {
		return err
	}
	where := "OwnerId = " + quote(ownerID)
	if !since.IsZero() {
		where += " AND SystemModstamp >= " + stamp(since)
	}
	soql := "SELECT " + c.accountFields(fs) + " FROM Account WHERE " + where + " ORDER BY SystemModstamp, Id"
	return c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		out := make([]model.PulledCompany, 0, len(raw))
		for _, r := range raw {
			var a sfAccount
			if err := json.Unmarshal(r, &a); err != nil {
				return protocol(op, http.StatusOK, "an account does not decode: %v", err)
			}
			rc, err := c.company(a)
			if err != nil {
				return protocol(op, http.StatusOK, "%v", err)
			}
			out = append(out, rc)
		}
		return fn(out)
	})
}

func (c *Client) company(a sfAccount) (model.PulledCompany, error) {
	if !isID(a.ID) {
		return model.PulledCompany{}, errors.New("an account without an id")
	}
	mod, ok := parseTime(a.SystemModstamp)
	if !ok {
		return model.PulledCompany{}, fmt.Errorf("account %s has no SystemModstamp", a.ID)
	}
	acc := model.Account{
		CRMID:         a.ID,
		Name:          text(a.Name),
		Domain:        domainOf(a.Website),
		Industry:      text(a.Industry),
		Employees:     number(a.NumberOfEmployees, 10_000_000),
		AnnualRevenue: number(a.AnnualRevenue, 1e13),
		Country:       text(a.BillingCountry),
		Region:        text(a.BillingState),
		City:          text(a.BillingCity),
		Owner:         text(a.OwnerID),
		UpdatedAt:     mod,
		CRMURL:        c.instance + "/lightning/r/Account/" + a.ID + "/view",
	}
	if acc.Name == "" {
		acc.Name = acc.Domain
	}
	if st, err := model.ParseAccountStatus(a.Status); err == nil {
		acc.Status = st
	}
	return model.PulledCompany{Account: acc, OwnerID: a.OwnerID, Modified: mod}, nil
}

// domainOf turns a Website ("https://www.acme.com/about", "acme.com") into
// a bare domain, or "" when it is not one.
func domainOf(site string) string {
	s := strings.TrimSpace(model.Sanitize(site))
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if !strings.Contains(h, ".") || strings.ContainsAny(h, " _") {
		return ""
	}
	return h
}

func number(f *float64, limit float64) *int64 {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) || *f < 0 || *f > limit {
		return nil
	}
	n := int64(math.Round(*f))
	return &n
}

// Departed reads the given accounts, deleted ones too (queryAll), and
// returns those deleted or owned by someone else.
func (c *Client) Departed(ctx context.Context, ownerID string, companyIDs []string) ([]model.DepartedCompany, error) {
	const op = "check departed accounts"
	var out []model.DepartedCompany
	for chunk := range slices.Chunk(validIDs(companyIDs), inChunk) {
		seen := map[string]sfAccount{}
		soql := "SELECT Id, OwnerId, IsDeleted FROM Account WHERE Id IN (" + idList(chunk) + ")"
		err := c.query(ctx, op, soql, true, func(raw []json.RawMessage) error {
			for _, r := range raw {
				var a sfAccount
				if err := json.Unmarshal(r, &a); err != nil || !isID(a.ID) {
					return protocol(op, http.StatusOK, "an account does not decode")
				}
				seen[key15(a.ID)] = a
			}
			return nil
		})
		if err != nil {
			return nil, c.clean(err)
		}
		for _, id := range chunk {
			a, ok := seen[key15(id)]
			switch {
			case !ok || a.IsDeleted:
				out = append(out, model.DepartedCompany{CompanyID: id, Deleted: true})
			case key15(a.OwnerID) != key15(ownerID):
				out = append(out, model.DepartedCompany{CompanyID: id, Owner: text(a.OwnerID)})
			}
		}
	}
	return out, nil
}

// key15 is the case-sensitive 15-character form both id forms share.
func key15(id string) string {
	if len(id) == 18 {
		return id[:15]
	}
	return id
}

// ---- contacts ----

type sfContact struct {
	ID                 string `json:"Id"`
	AccountID          string `json:"AccountId"`
	FirstName          string `json:"FirstName"`
	LastName           string `json:"LastName"`
	Title              string `json:"Title"`
	Email              string `json:"Email"`
	Phone              string `json:"Phone"`
	MobilePhone        string `json:"MobilePhone"`
	HasOptedOutOfEmail bool   `json:"HasOptedOutOfEmail"`
	DoNotCall          bool   `json:"DoNotCall"`
	NoLinkedIn         bool   `json:"Shortlist_No_LinkedIn__c"`
	PhoneBad           bool   `json:"Shortlist_Phone_Bad__c"`
	SystemModstamp     string `json:"SystemModstamp"`
}

func (c *Client) contactFields(fs map[string]map[string]describedField) string {
	f := []string{"Id", "AccountId", "FirstName", "LastName", "Title", "Email", "Phone", "MobilePhone", "HasOptedOutOfEmail", "DoNotCall", "SystemModstamp"}
	for _, x := range []string{fieldNoLinkedIn, fieldPhoneBad} {
		if c.has(fs, "Contact", x) {
			f = append(f, x)
		}
	}
	return strings.Join(f, ", ")
}

// Contacts returns the contacts of the given accounts modified at or after
// since (zero: all).
func (c *Client) Contacts(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledContact, error) {
	out, err := c.contacts(ctx, companyIDs, since)
	return out, c.clean(err)
}

func (c *Client) contacts(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledContact, error) {
	const op = "query contacts"
	fs, err := c.describe(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.PulledContact
	for chunk := range slices.Chunk(validIDs(companyIDs), inChunk) {
		where := "AccountId IN (" + idList(chunk) + ")"
		if !since.IsZero() {
			where += " AND SystemModstamp >= " + stamp(since)
		}
		soql := "SELECT " + c.contactFields(fs) + " FROM Contact WHERE " + where + " ORDER BY SystemModstamp, Id"
		err := c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
			got, err := decodeContacts(op, raw)
			out = append(out, got...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeContacts(op string, raw []json.RawMessage) ([]model.PulledContact, error) {
	out := make([]model.PulledContact, 0, len(raw))
	for _, r := range raw {
		var sc sfContact
		if err := json.Unmarshal(r, &sc); err != nil || !isID(sc.ID) {
			return nil, protocol(op, http.StatusOK, "a contact does not decode")
		}
		rc, ok := contact(sc)
		if ok {
			out = append(out, rc)
		}
	}
	return out, nil
}

// contact maps a Contact; ok is false without a SystemModstamp.
func contact(sc sfContact) (model.PulledContact, bool) {
	mod, ok := parseTime(sc.SystemModstamp)
	if !ok {
		return model.PulledContact{}, false
	}
	ct := model.Contact{
		CRMID:     sc.ID,
		FirstName: text(sc.FirstName),
		LastName:  text(sc.LastName),
		Title:     text(sc.Title),
		Persona:   model.PersonaUnknown,
		Seniority: model.SeniorityUnknown,
		Email:     text(sc.Email),
		Phone:     text(sc.Phone),
		PhoneBad:  sc.PhoneBad,
		UpdatedAt: mod,
	}
	if ct.Phone == "" {
		ct.Phone = text(sc.MobilePhone)
	}
	set := func(ch model.Channel, out bool) {
		if out {
			ct.Consent.Set(ch, model.Consent{State: model.ConsentOptedOut, Source: "crm", At: mod})
		} else {
			ct.Consent.Set(ch, model.Consent{State: model.ConsentAllowed, Source: "crm"})
		}
	}
	set(model.ChannelEmail, sc.HasOptedOutOfEmail)
	set(model.ChannelCall, sc.DoNotCall)
	set(model.ChannelLinkedIn, sc.NoLinkedIn)
	var cos []string
	if isID(sc.AccountID) {
		cos = []string{sc.AccountID}
	}
	return model.PulledContact{Contact: ct, CompanyIDs: cos, Modified: mod}, true
}

// ContactsModifiedSince pages through every contact modified at or after
// since, in SystemModstamp order.
func (c *Client) ContactsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledContact) error) error {
	return c.clean(c.contactsModifiedSince(ctx, since, fn))
}

func (c *Client) contactsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledContact) error) error {
	const op = "query changed contacts"
	fs, err := c.describe(ctx)
	if err != nil {
		return err
	}
	soql := "SELECT " + c.contactFields(fs) + " FROM Contact"
	if !since.IsZero() {
		soql += " WHERE SystemModstamp >= " + stamp(since)
	}
	soql += " ORDER BY SystemModstamp, Id"
	return c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		got, err := decodeContacts(op, raw)
		if err != nil {
			return err
		}
		return fn(got)
	})
}

// ---- tasks ----

type sfTask struct {
	ID                string `json:"Id"`
	Subject           string `json:"Subject"`
	Status            string `json:"Status"`
	Priority          string `json:"Priority"`
	ActivityDate      string `json:"ActivityDate"`
	WhoID             string `json:"WhoId"`
	WhatID            string `json:"WhatId"`
	AccountID         string `json:"AccountId"`
	TaskSubtype       string `json:"TaskSubtype"`
	IsClosed          bool   `json:"IsClosed"`
	CompletedDateTime string `json:"CompletedDateTime"`
	CreatedDate       string `json:"CreatedDate"`
	SystemModstamp    string `json:"SystemModstamp"`
	OpID              string `json:"Shortlist_Op_Id__c"`
	IsDeleted         bool   `json:"IsDeleted"`
}

func (c *Client) taskFields(fs map[string]map[string]describedField) string {
	f := []string{"Id", "Subject", "Status", "Priority", "ActivityDate", "WhoId", "WhatId", "AccountId", "TaskSubtype", "IsClosed", "CompletedDateTime", "CreatedDate", "SystemModstamp"}
	if c.has(fs, "Task", fieldOpID) {
		f = append(f, fieldOpID)
	}
	return strings.Join(f, ", ")
}

// Tasks returns the open tasks (and, when since is set, those changed
// since) on the given accounts and their contacts: Task.AccountId is
// Salesforce's own roll-up of both.
func (c *Client) Tasks(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledTask, error) {
	out, err := c.tasks(ctx, companyIDs, since)
	return out, c.clean(err)
}

func (c *Client) tasks(ctx context.Context, companyIDs []string, since time.Time) ([]model.PulledTask, error) {
	const op = "query tasks"
	fs, err := c.describe(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.PulledTask
	for chunk := range slices.Chunk(validIDs(companyIDs), inChunk) {
		where := "AccountId IN (" + idList(chunk) + ") AND IsClosed = false"
		if !since.IsZero() {
			where = "AccountId IN (" + idList(chunk) + ") AND (IsClosed = false OR SystemModstamp >= " + stamp(since) + ")"
		}
		soql := "SELECT " + c.taskFields(fs) + " FROM Task WHERE " + where + " ORDER BY SystemModstamp, Id"
		err := c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
			got, err := decodeTasks(op, raw)
			out = append(out, got...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeTasks(op string, raw []json.RawMessage) ([]model.PulledTask, error) {
	out := make([]model.PulledTask, 0, len(raw))
	for _, r := range raw {
		var st sfTask
		if err := json.Unmarshal(r, &st); err != nil || !isID(st.ID) {
			return nil, protocol(op, http.StatusOK, "a task does not decode")
		}
		if strings.HasPrefix(st.OpID, touchOpPrefix) {
			continue // a touch Shortlist logged, not a to-do
		}
		if rt, ok := remoteTask(st); ok {
			out = append(out, rt)
		}
	}
	return out, nil
}

// remoteTask maps a Task; ok is false without a SystemModstamp.
func remoteTask(st sfTask) (model.PulledTask, bool) {
	mod, ok := parseTime(st.SystemModstamp)
	if !ok {
		return model.PulledTask{}, false
	}
	t := model.Task{
		CRMID:    st.ID,
		Title:    text(st.Subject),
		Priority: model.PriorityMedium,
		Status:   model.TaskOpen,
		Origin:   model.OriginCRM,
	}
	switch st.TaskSubtype {
	case "Call":
		t.Kind = model.TaskCall
	case "Email", "ListEmail":
		t.Kind = model.TaskEmail
	case "LinkedIn":
		t.Kind = model.TaskLinkedIn
	default:
		t.Kind = model.TaskTodo
	}
	switch st.Priority {
	case "High":
		t.Priority = model.PriorityHigh
	case "Low":
		t.Priority = model.PriorityLow
	}
	if st.IsClosed {
		t.Status = model.TaskDone
		if t.ClosedAt, ok = parseTime(st.CompletedDateTime); !ok {
			t.ClosedAt = mod
		}
	}
	if d, err := time.Parse("2006-01-02", st.ActivityDate); err == nil {
		t.Due = d // a date: DueHasTime stays false
	}
	if t.CreatedAt, ok = parseTime(st.CreatedDate); !ok {
		t.CreatedAt = mod
	}
	if t.Title == "" {
		t.Title = "Salesforce task"
	}
	rt := model.PulledTask{Task: t, OpID: text(st.OpID), Modified: mod}
	if isID(st.AccountID) {
		rt.CompanyID = st.AccountID
	} else if isID(st.WhatID) && !strings.HasPrefix(st.WhatID, "006") { // an account, not an opportunity
		rt.CompanyID = st.WhatID
	}
	if isID(st.WhoID) && !strings.HasPrefix(st.WhoID, "00Q") { // a contact, not a lead
		rt.ContactID = st.WhoID
	}
	return rt, true
}

// ContactsTasks is Contacts and Tasks of the same accounts (since zero).
func (c *Client) ContactsTasks(ctx context.Context, companyIDs []string) ([]model.PulledContact, []model.PulledTask, error) {
	cs, err := c.contacts(ctx, companyIDs, time.Time{})
	if err != nil {
		return nil, nil, c.clean(err)
	}
	ts, err := c.tasks(ctx, companyIDs, time.Time{})
	if err != nil {
		return nil, nil, c.clean(err)
	}
	return cs, ts, nil
}

// TasksModifiedSince pages through every task modified at or after since.
func (c *Client) TasksModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledTask) error) error {
	return c.clean(c.tasksModifiedSince(ctx, since, fn))
}

func (c *Client) tasksModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledTask) error) error {
	const op = "query changed tasks"
	fs, err := c.describe(ctx)
	if err != nil {
		return err
	}
	soql := "SELECT " + c.taskFields(fs) + " FROM Task"
	if !since.IsZero() {
		soql += " WHERE SystemModstamp >= " + stamp(since)
	}
	soql += " ORDER BY SystemModstamp, Id"
	return c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		got, err := decodeTasks(op, raw)
		if err != nil {
			return err
		}
		return fn(got)
	})
}

// DeletedTasks returns, of the given task ids, those deleted (in the
// recycle bin or gone for good).
func (c *Client) DeletedTasks(ctx context.Context, taskIDs []string) ([]string, error) {
	const op = "check deleted tasks"
	var out []string
	for chunk := range slices.Chunk(validIDs(taskIDs), inChunk) {
		live := map[string]bool{}
		soql := "SELECT Id, IsDeleted FROM Task WHERE Id IN (" + idList(chunk) + ")"
		err := c.query(ctx, op, soql, true, func(raw []json.RawMessage) error {
			for _, r := range raw {
				var st sfTask
				if err := json.Unmarshal(r, &st); err != nil || !isID(st.ID) {
					return protocol(op, http.StatusOK, "a task does not decode")
				}
				if !st.IsDeleted {
					live[key15(st.ID)] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, c.clean(err)
		}
		for _, id := range chunk {
			if !live[key15(id)] {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// Versions lists the REST API versions the org serves ("v60.0", …).
func (c *Client) Versions(ctx context.Context) ([]string, error) {
	const op = "list the API versions"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/services/data/"})
	if err != nil {
		return nil, c.clean(err)
	}
	if rep.status != http.StatusOK {
		return nil, c.clean(c.failure(op, rep))
	}
	var vs []struct {
		Version string `json:"version"`
	}
	if err := c.decode(op, rep, &vs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, "v"+text(v.Version))
	}
	return out, nil
}
