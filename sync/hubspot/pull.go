package hubspot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// searchCap is HubSpot's limit on results one search query may page through;
// a server with a smaller one answers 400 past it, which Companies treats
// the same way.
const searchCap = 10_000

// pageSize is the company search page (HubSpot allows up to 200).
const pageSize = 200

var companyProps = []string{
	"name", "domain", "industry", "numberofemployees", "annualrevenue", "country", "state", "city",
	"timezone", "hubspot_owner_id", "hs_ideal_customer_profile", propStatus, "hs_lastmodifieddate", "hs_object_id",
}

var contactProps = []string{
	"firstname", "lastname", "jobtitle", "email", "phone", "mobilephone", "hs_linkedin_url", "linkedin",
	"hs_timezone", "hs_email_optout", propDoNotCall, propPhoneBad, propNoLinkedIn, "lastmodifieddate",
	"associatedcompanyid",
	// and what the buyer did (signals.go)
	propConversionAt, propConversionName, propSalesReplied, propSalesClicked, propMarketClicked, propLastVisit,
}

var taskProps = []string{
	"hs_task_subject", "hs_task_type", "hs_timestamp", "hs_task_priority", "hs_task_status",
	"hs_task_completion_date", "hs_createdate", "hs_lastmodifieddate", propOpID,
}

// Connect checks the token and finds the owner whose email is ownerEmail.
func (c *Client) Connect(ctx context.Context, ownerEmail string) (crmsync.Owner, error) {
	o, err := c.connect(ctx, ownerEmail)
	return o, c.clean(err)
}

func (c *Client) connect(ctx context.Context, ownerEmail string) (crmsync.Owner, error) {
	email := strings.TrimSpace(ownerEmail)
	if email == "" {
		return crmsync.Owner{}, errors.New("find owner: no owner email: set [crm] owner_email or SHORTLIST_HUBSPOT_OWNER_EMAIL")
	}
	const op = "find owner"
	q := url.Values{"email": {email}, "limit": {"100"}}
	var best *crmsync.Owner
	for {
		rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v3/owners", query: q, scope: "crm.objects.owners.read"})
		if err != nil {
			return crmsync.Owner{}, err
		}
		if rep.status != http.StatusOK {
			return crmsync.Owner{}, c.failure(op, rep)
		}
		var page struct {
			Results []struct {
				ID        flexID `json:"id"`
				Email     string `json:"email"`
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
				Type      string `json:"type"`
				Archived  bool   `json:"archived"`
			} `json:"results"`
			Paging *paging `json:"paging"`
		}
		if err := c.decode(op, rep, &page); err != nil {
			return crmsync.Owner{}, err
		}
		for _, r := range page.Results {
			if r.Archived || !strings.EqualFold(strings.TrimSpace(r.Email), email) || r.ID == "" {
				continue
			}
			o := crmsync.Owner{
				ID:    model.Sanitize(string(r.ID)),
				Email: model.Sanitize(r.Email),
				Name:  model.Sanitize(strings.TrimSpace(r.FirstName + " " + r.LastName)),
			}
			if best == nil || (r.Type == "PERSON" || r.Type == "") {
				best = &o
			}
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" || best != nil {
			break
		}
		if page.Paging.Next.After == q.Get("after") {
			return crmsync.Owner{}, protocol(op, rep.status, "paging does not move on")
		}
		q.Set("after", page.Paging.Next.After)
	}
	if best == nil {
		return crmsync.Owner{}, fmt.Errorf("find owner: no HubSpot user has the email %q: check [crm] owner_email (it must be the rep's HubSpot login)", model.Sanitize(email))
	}
	if err := c.lookUpPortal(ctx); err != nil {
		return crmsync.Owner{}, err
	}
	return *best, nil
}

// lookUpPortal learns the portal id for CRM URLs. A portal that refuses the
// account-info call just gets no URLs; only cancellation and the daily cap
// are errors.
func (c *Client) lookUpPortal(ctx context.Context) error {
	c.mu.Lock()
	known := c.portalID != ""
	c.mu.Unlock()
	if known {
		return nil
	}
	const op = "read account info"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/account-info/v3/details"})
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, crmsync.ErrDailyLimit) {
			return err
		}
		return nil
	}
	if rep.status != http.StatusOK {
		return nil
	}
	var info struct {
		PortalID flexID `json:"portalId"`
		UIDomain string `json:"uiDomain"`
	}
	if c.decode(op, rep, &info) != nil {
		return nil // URLs are a convenience; a reply we cannot read just leaves them out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := strconv.ParseUint(string(info.PortalID), 10, 64); err == nil {
		c.portalID = string(info.PortalID)
	}
	if d := strings.TrimSpace(info.UIDomain); d != "" && isHostName(d) {
		c.uiDomain = d
	}
	return nil
}

func isHostName(s string) bool {
	for _, r := range s {
		if !(r == '.' || r == '-' || unicode.IsLetter(r) && r < 0x80 || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// Companies pages through the companies ownerID owns, modified at or after
// since, oldest first. Past the search cap it restarts at the last modified
// time seen; when more than the cap share one time it pages that time by id.
func (c *Client) Companies(ctx context.Context, ownerID string, since time.Time, fn func([]crmsync.RemoteCompany) error) error {
	return c.clean(c.companies(ctx, ownerID, since, fn))
}

func (c *Client) companies(ctx context.Context, ownerID string, since time.Time, fn func([]crmsync.RemoteCompany) error) error {
	s := modifiedSearch{
		op: "search companies", objType: "companies", scope: "crm.objects.companies.read", modProp: "hs_lastmodifieddate",
		filters: []filter{{PropertyName: "hubspot_owner_id", Operator: "EQ", Value: ownerID}},
		props:   companyProps,
	}
	conv := func(_ context.Context, objs []object) ([]crmsync.RemoteCompany, error) {
		out := make([]crmsync.RemoteCompany, 0, len(objs))
		for _, o := range objs {
			rc, err := c.company(o)
			if err != nil {
				return nil, protocol(s.op, http.StatusOK, "%v", err)
			}
			out = append(out, rc)
		}
		return out, nil
	}
	stamp := func(rc crmsync.RemoteCompany) (time.Time, string) { return rc.Modified, rc.Account.CRMID }
	return walkModified(ctx, c, s, since, conv, stamp, fn)
}

// cmpID orders numeric ids numerically (HubSpot's are), others as text.
func cmpID(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// company maps a company record. Only a missing id or modified date fails
// it; odd values become unknown.
func (c *Client) company(o object) (crmsync.RemoteCompany, error) {
	p := o.Properties
	id := model.Sanitize(string(o.ID))
	if id == "" {
		return crmsync.RemoteCompany{}, errors.New("a company without an id")
	}
	mod, ok := parseTime(p["hs_lastmodifieddate"])
	if !ok {
		if mod, ok = parseTime(o.UpdatedAt); !ok {
			return crmsync.RemoteCompany{}, fmt.Errorf("company %s has no modified date", id)
		}
	}
	a := model.Account{
		CRMID:         id,
		Name:          text(p["name"]),
		Domain:        text(p["domain"]),
		Industry:      text(p["industry"]),
		Employees:     number(p["numberofemployees"], 10_000_000),
		AnnualRevenue: number(p["annualrevenue"], 1e13),
		Country:       text(p["country"]),
		Region:        text(p["state"]),
		City:          text(p["city"]),
		TimeZone:      c.zone(p["timezone"]),
		Owner:         text(p["hubspot_owner_id"]),
		CRMTier:       text(p["hs_ideal_customer_profile"]),
		UpdatedAt:     mod,
	}
	if a.Name == "" {
		a.Name = a.Domain
	}
	if st, err := model.ParseAccountStatus(p[propStatus]); err == nil {
		a.Status = st
	}
	c.mu.Lock()
	if c.portalID != "" {
		a.CRMURL = "https://" + c.uiDomain + "/contacts/" + c.portalID + "/company/" + url.PathEscape(id)
	}
	c.mu.Unlock()
	return crmsync.RemoteCompany{Account: a, OwnerID: a.Owner, Modified: mod}, nil
}

// text is a CRM string made safe for the terminal.
func text(s string) string { return strings.TrimSpace(model.Sanitize(s)) }

// number reads a count or an amount; garbage, negatives, non-finite values
// and values above limit are unknown (nil).
func number(s string, limit float64) *int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > limit {
		return nil
	}
	n := int64(math.Round(f))
	return &n
}

// zone turns HubSpot's time zone value (an IANA name, or the enumeration
// form "america_slash_new_york") into an IANA name, or "" when it is not one.
func (c *Client) zone(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	c.mu.Lock()
	z, ok := c.zones[v]
	c.mu.Unlock()
	if ok {
		return z
	}
	for _, cand := range zoneCandidates(v) {
		if _, err := time.LoadLocation(cand); err == nil && cand != "Local" {
			z = cand
			break
		}
	}
	c.mu.Lock()
	if len(c.zones) < 1000 {
		c.zones[v] = z
	}
	c.mu.Unlock()
	return z
}

func zoneCandidates(v string) []string {
	if strings.ContainsAny(v, "\x00\\") || strings.Contains(v, "..") || len(v) > 64 {
		return nil
	}
	out := []string{v}
	if !strings.Contains(v, "_slash_") {
		return out
	}
	parts := strings.Split(v, "_slash_")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j, w := range words {
			if w != "" {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	return append(out, strings.Join(parts, "/"), strings.ToUpper(strings.Join(parts, "/")))
}

// Departed reads the given companies and returns those deleted or owned by
// someone else, with the new owner's name (read once per owner and kept).
func (c *Client) Departed(ctx context.Context, ownerID string, companyIDs []string) ([]crmsync.Departure, error) {
	var out []crmsync.Departure
	for chunk := range slices.Chunk(companyIDs, 100) {
		got, err := c.batchRead(ctx, "companies", chunk, []string{"hubspot_owner_id"})
		if err != nil {
			return nil, c.clean(err)
		}
		for _, id := range chunk {
			o, ok := got[id]
			switch {
			case !ok || o.Archived:
				out = append(out, crmsync.Departure{CompanyID: id, Deleted: true})
			case o.Properties["hubspot_owner_id"] != ownerID:
				owner := text(o.Properties["hubspot_owner_id"])
				name, err := c.ownerName(ctx, owner)
				if err != nil {
					return nil, c.clean(err)
				}
				out = append(out, crmsync.Departure{CompanyID: id, Owner: owner, OwnerName: name})
			}
		}
	}
	return out, nil
}

// ownerName is an owner's name ("First Last", else their email) from GET
// /crm/v3/owners/{id}, kept for the client's life. An owner HubSpot does
// not list (deactivated: 404) or will not show (403) has no name, and the
// caller names them by id; only a cancelled sync is an error.
func (c *Client) ownerName(ctx context.Context, id string) (string, error) {
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", nil // no owner, or not an id HubSpot gives
	}
	c.mu.Lock()
	name, ok := c.owners[id]
	c.mu.Unlock()
	if ok {
		return name, nil
	}
	const op = "read owner"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v3/owners/" + id, scope: "crm.objects.owners.read"})
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", nil // offline for this one read: the id says who
	}
	if rep.status == http.StatusOK {
		var o struct {
			Email     string `json:"email"`
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		}
		if c.decode(op, rep, &o) == nil {
			name = model.Sanitize(strings.TrimSpace(o.FirstName + " " + o.LastName))
			if name == "" {
				name = model.Sanitize(strings.TrimSpace(o.Email))
			}
		}
	}
	c.mu.Lock()
	if c.owners == nil {
		c.owners = map[string]string{}
	}
	if len(c.owners) < 1000 {
		c.owners[id] = name
	}
	c.mu.Unlock()
	return name, nil
}

// batchRead reads records by id; ids HubSpot does not hold (deleted or
// archived) are absent from the map.
func (c *Client) batchRead(ctx context.Context, objType string, ids []string, properties []string) (map[string]object, error) {
	op := "read " + objType
	out := make(map[string]object, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	inputs := make([]idInput, len(ids))
	for i, id := range ids {
		inputs[i] = idInput{ID: id}
	}
	if properties == nil {
		properties = []string{}
	}
	body := map[string]any{"inputs": inputs, "properties": properties, "propertiesWithHistory": []string{}}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/crm/v3/objects/" + objType + "/batch/read",
		query: url.Values{"archived": {"false"}}, body: body, scope: "crm.objects." + objType + ".read"})
	if err != nil {
		return nil, err
	}
	switch rep.status {
	case http.StatusOK, http.StatusMultiStatus:
	case http.StatusNotFound:
		return out, nil // none of them exists
	default:
		return nil, c.failure(op, rep)
	}
	var br batchReply
	if err := c.decode(op, rep, &br); err != nil {
		return nil, err
	}
	if br.Results == nil && len(br.Errors) == 0 {
		return nil, protocol(op, rep.status, "the reply has neither results nor errors")
	}
	for _, e := range br.Errors {
		if !e.gone() {
			return nil, fmt.Errorf("%s: HubSpot refused part of the read: %s", op, c.scrub(text(e.Message)))
		}
	}
	for _, o := range br.Results {
		if o.ID == "" {
			return nil, protocol(op, rep.status, "a record without an id")
		}
		out[string(o.ID)] = o
	}
	return out, nil
}

// associations reads, for each from id, the ids of its associated toType
// records (v4 batch read; more than one page per record is followed).
func (c *Client) associations(ctx context.Context, fromType, toType string, ids []string) (map[string][]assocTo, error) {
	op := "read " + fromType + " → " + toType + " associations"
	out := make(map[string][]assocTo, len(ids))
	for chunk := range slices.Chunk(ids, 100) {
		inputs := make([]idInput, len(chunk))
		for i, id := range chunk {
			inputs[i] = idInput{ID: id}
		}
		rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/crm/v4/associations/" + fromType + "/" + toType + "/batch/read",
			body: map[string]any{"inputs": inputs}, scope: "crm.objects." + fromType + ".read"})
		if err != nil {
			return nil, err
		}
		switch rep.status {
		case http.StatusOK, http.StatusMultiStatus:
		case http.StatusNotFound:
			continue // none of them has any
		default:
			return nil, c.failure(op, rep)
		}
		var ar assocReply
		if err := c.decode(op, rep, &ar); err != nil {
			return nil, err
		}
		for _, r := range ar.Results {
			from := string(r.From.ID)
			if from == "" {
				return nil, protocol(op, rep.status, "an association without its from id")
			}
			for _, t := range r.To {
				if t.ToObjectID == "" {
					return nil, protocol(op, rep.status, "an association without toObjectId")
				}
				a := assocTo{id: string(t.ToObjectID)}
				for _, ty := range t.AssociationTypes {
					if strings.EqualFold(ty.Label, "Primary") {
						a.primary = true
					}
				}
				out[from] = append(out[from], a)
			}
			if r.Paging != nil && r.Paging.Next != nil && r.Paging.Next.After != "" {
				more, err := c.moreAssociations(ctx, fromType, toType, from, r.Paging.Next.After)
				if err != nil {
					return nil, err
				}
				out[from] = append(out[from], more...)
			}
		}
	}
	return out, nil
}

type assocTo struct {
	id      string
	primary bool
}

// moreAssociations follows one record's association paging (over 500 links).
func (c *Client) moreAssociations(ctx context.Context, fromType, toType, fromID, after string) ([]assocTo, error) {
	op := "read " + fromType + " → " + toType + " associations"
	var out []assocTo
	for after != "" {
		rep, err := c.do(ctx, request{op: op, method: http.MethodGet,
			path:  "/crm/v4/objects/" + fromType + "/" + url.PathEscape(fromID) + "/associations/" + toType,
			query: url.Values{"limit": {"500"}, "after": {after}}})
		if err != nil {
			return nil, err
		}
		if rep.status != http.StatusOK {
			return nil, c.failure(op, rep)
		}
		var page struct {
			Results []struct {
				ToObjectID flexID `json:"toObjectId"`
			} `json:"results"`
			Paging *paging `json:"paging"`
		}
		if err := c.decode(op, rep, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Results {
			out = append(out, assocTo{id: string(r.ToObjectID)})
		}
		next := ""
		if page.Paging != nil && page.Paging.Next != nil {
			next = page.Paging.Next.After
		}
		if next == after {
			return nil, protocol(op, rep.status, "paging does not move on")
		}
		after = next
	}
	return out, nil
}

// Contacts returns the contacts of the given companies modified at or after
// since, each with its companies among those given (the primary first).
func (c *Client) Contacts(ctx context.Context, companyIDs []string, since time.Time) ([]crmsync.RemoteContact, error) {
	out, err := c.contacts(ctx, companyIDs, since)
	return out, c.clean(err)
}

func (c *Client) contacts(ctx context.Context, companyIDs []string, since time.Time) ([]crmsync.RemoteContact, error) {
	links, err := c.associations(ctx, "companies", "contacts", companyIDs)
	if err != nil {
		return nil, err
	}
	return c.contactsOf(ctx, companyIDs, links, since)
}

// ContactsTasks returns the contacts and the open tasks of the given
// companies, reading the companies' contact associations once for both.
func (c *Client) ContactsTasks(ctx context.Context, companyIDs []string) ([]crmsync.RemoteContact, []crmsync.RemoteTask, error) {
	links, err := c.associations(ctx, "companies", "contacts", companyIDs)
	if err != nil {
		return nil, nil, c.clean(err)
	}
	contacts, err := c.contactsOf(ctx, companyIDs, links, time.Time{})
	if err != nil {
		return nil, nil, c.clean(err)
	}
	tasks, err := c.tasksOf(ctx, companyIDs, links, time.Time{})
	if err != nil {
		return nil, nil, c.clean(err)
	}
	return contacts, tasks, nil
}

// contactsOf reads the contacts links (company → its contacts) names.
func (c *Client) contactsOf(ctx context.Context, companyIDs []string, links map[string][]assocTo, since time.Time) ([]crmsync.RemoteContact, error) {
	companiesOf := map[string][]string{}
	var ids []string
	for _, co := range companyIDs {
		for _, a := range links[co] {
			if _, ok := companiesOf[a.id]; !ok {
				ids = append(ids, a.id)
			}
			if !slices.Contains(companiesOf[a.id], co) {
				companiesOf[a.id] = append(companiesOf[a.id], co)
			}
		}
	}
	var out []crmsync.RemoteContact
	for chunk := range slices.Chunk(ids, 100) {
		got, err := c.batchRead(ctx, "contacts", chunk, contactProps)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			o, ok := got[id]
			if !ok {
				continue // deleted since the association was read
			}
			rc, ok := c.contact(o, companiesOf[id])
			if !ok || (!since.IsZero() && rc.Modified.Before(since)) {
				continue
			}
			out = append(out, rc)
		}
	}
	return out, nil
}

// contact maps a contact record; ok is false when it lacks a modified date.
func (c *Client) contact(o object, companies []string) (crmsync.RemoteContact, bool) {
	p := o.Properties
	mod, ok := parseTime(p["lastmodifieddate"])
	if !ok {
		if mod, ok = parseTime(o.UpdatedAt); !ok {
			return crmsync.RemoteContact{}, false
		}
	}
	ct := model.Contact{
		CRMID:     text(string(o.ID)),
		FirstName: text(p["firstname"]),
		LastName:  text(p["lastname"]),
		Title:     text(p["jobtitle"]),
		Persona:   model.PersonaUnknown,
		Seniority: model.SeniorityUnknown,
		Email:     text(p["email"]),
		Phone:     text(p["phone"]),
		PhoneBad:  truthy(p[propPhoneBad]),
		TimeZone:  c.zone(p["hs_timezone"]),
		UpdatedAt: mod,
	}
	if ct.Phone == "" {
		ct.Phone = text(p["mobilephone"])
	}
	ct.LinkedInURL = text(p["hs_linkedin_url"])
	if ct.LinkedInURL == "" {
		ct.LinkedInURL = text(p["linkedin"])
	}
	optOut := func(ch model.Channel, on bool) {
		if on {
			ct.Consent.Set(ch, model.Consent{State: model.ConsentOptedOut, Source: "crm", At: mod})
		} else {
			ct.Consent.Set(ch, model.Consent{State: model.ConsentAllowed, Source: "crm"})
		}
	}
	optOut(model.ChannelEmail, truthy(p["hs_email_optout"]))
	optOut(model.ChannelCall, truthy(p[propDoNotCall]))
	optOut(model.ChannelLinkedIn, truthy(p[propNoLinkedIn]))
	cos := slices.Clone(companies)
	if primary := p["associatedcompanyid"]; primary != "" {
		if i := slices.Index(cos, primary); i > 0 {
			cos = append([]string{primary}, slices.Delete(cos, i, i+1)...)
		}
	}
	return crmsync.RemoteContact{Contact: ct, CompanyIDs: cos, Modified: mod, Signals: contactSignals(ct.CRMID, p)}, true
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1", "on":
		return true
	}
	return false
}

// Tasks returns open tasks (and, when since is set, tasks changed since) on
// the given companies and their contacts.
func (c *Client) Tasks(ctx context.Context, companyIDs []string, since time.Time) ([]crmsync.RemoteTask, error) {
	out, err := c.tasks(ctx, companyIDs, since)
	return out, c.clean(err)
}

func (c *Client) tasks(ctx context.Context, companyIDs []string, since time.Time) ([]crmsync.RemoteTask, error) {
	contacts, err := c.associations(ctx, "companies", "contacts", companyIDs)
	if err != nil {
		return nil, err
	}
	return c.tasksOf(ctx, companyIDs, contacts, since)
}

// tasksOf reads the tasks of the companies and of their contacts (contacts:
// company → its contacts).
func (c *Client) tasksOf(ctx context.Context, companyIDs []string, contacts map[string][]assocTo, since time.Time) ([]crmsync.RemoteTask, error) {
	companyTasks, err := c.associations(ctx, "companies", "tasks", companyIDs)
	if err != nil {
		return nil, err
	}
	contactCompany := map[string]string{}
	var contactIDs []string
	for _, co := range companyIDs {
		for _, ct := range contacts[co] {
			if _, ok := contactCompany[ct.id]; !ok {
				contactCompany[ct.id] = co
				contactIDs = append(contactIDs, ct.id)
			}
		}
	}
	contactTasks, err := c.associations(ctx, "contacts", "tasks", contactIDs)
	if err != nil {
		return nil, err
	}
	type link struct{ company, contact string }
	where := map[string]*link{}
	var ids []string
	add := func(task string) *link {
		l, ok := where[task]
		if !ok {
			l = &link{}
			where[task] = l
			ids = append(ids, task)
		}
		return l
	}
	for _, co := range companyIDs {
		for _, t := range companyTasks[co] {
			if l := add(t.id); l.company == "" {
				l.company = co
			}
		}
	}
	for _, ct := range contactIDs {
		for _, t := range contactTasks[ct] {
			l := add(t.id)
			if l.contact == "" {
				l.contact = ct
			}
			if l.company == "" {
				l.company = contactCompany[ct]
			}
		}
	}
	var out []crmsync.RemoteTask
	for chunk := range slices.Chunk(ids, 100) {
		got, err := c.batchRead(ctx, "tasks", chunk, taskProps)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			o, ok := got[id]
			if !ok {
				continue
			}
			rt, ok := remoteTask(o)
			if !ok {
				continue
			}
			open := rt.Task.Status == model.TaskOpen
			changed := !since.IsZero() && !rt.Modified.Before(since)
			if !open && !changed {
				continue
			}
			rt.CompanyID, rt.ContactID = where[id].company, where[id].contact
			out = append(out, rt)
		}
	}
	return out, nil
}

// remoteTask maps a task record; ok is false without a modified date.
func remoteTask(o object) (crmsync.RemoteTask, bool) {
	p := o.Properties
	mod, ok := parseTime(p["hs_lastmodifieddate"])
	if !ok {
		if mod, ok = parseTime(o.UpdatedAt); !ok {
			return crmsync.RemoteTask{}, false
		}
	}
	t := model.Task{
		CRMID:      text(string(o.ID)),
		Title:      text(p["hs_task_subject"]),
		Priority:   model.PriorityMedium,
		Status:     model.TaskOpen,
		Origin:     model.OriginCRM,
		DueHasTime: true,
	}
	switch ty := strings.ToUpper(p["hs_task_type"]); {
	case ty == "CALL":
		t.Kind = model.TaskCall
	case ty == "EMAIL":
		t.Kind = model.TaskEmail
	case strings.HasPrefix(ty, "LINKED_IN"):
		t.Kind = model.TaskLinkedIn
	default:
		t.Kind = model.TaskTodo
	}
	switch strings.ToUpper(p["hs_task_priority"]) {
	case "LOW":
		t.Priority = model.PriorityLow
	case "HIGH":
		t.Priority = model.PriorityHigh
	}
	if strings.EqualFold(p["hs_task_status"], "COMPLETED") {
		t.Status = model.TaskDone
		t.ClosedAt, _ = parseTime(p["hs_task_completion_date"])
		if t.ClosedAt.IsZero() {
			t.ClosedAt = mod
		}
	}
	t.Due, _ = parseTime(p["hs_timestamp"])
	if t.CreatedAt, ok = parseTime(p["hs_createdate"]); !ok {
		t.CreatedAt, _ = parseTime(o.CreatedAt)
	}
	if t.Title == "" {
		t.Title = "HubSpot task"
	}
	return crmsync.RemoteTask{Task: t, OpID: text(p[propOpID]), Modified: mod}, true
}
