package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

// Shortlist's custom properties.
const (
	propOpID       = "shortlist_op_id"           // every engagement type the push creates
	propDoNotCall  = "shortlist_do_not_call"     // contacts
	propPhoneBad   = "shortlist_phone_bad"       // contacts: a wrong-number outcome flagged the phone
	propNoLinkedIn = "shortlist_linkedin_optout" // contacts: HubSpot has no LinkedIn consent
	propStatus     = "shortlist_status"          // companies
)

// singular names object types in messages.
var singular = map[string]string{"contacts": "contact", "companies": "company", "tasks": "task", "calls": "call", "notes": "note",
	"meetings": "meeting", "emails": "email", "communications": "communication"}

// engagementTypes are the object types the push creates.
var engagementTypes = []string{"calls", "emails", "communications", "meetings", "notes", "tasks"}

// touchTypes are the engagement types a touch can become, in the order a
// push creates them.
var touchTypes = []string{"calls", "emails", "communications", "meetings", "notes"}

// defaultAssocTypes are HubSpot's documented unlabelled association type ids,
// used when the labels API does not answer.
var defaultAssocTypes = map[string]int{
	"calls/contacts": 194, "calls/companies": 182,
	"notes/contacts": 202, "notes/companies": 190,
	"meetings/contacts": 200, "meetings/companies": 188,
	"emails/contacts": 198, "emails/companies": 186,
	"communications/contacts": 81, "communications/companies": 87,
	"tasks/contacts": 204, "tasks/companies": 192,
}

// defaultDispositions are HubSpot's default call dispositions.
var defaultDispositions = map[model.Outcome]string{
	model.OutcomeNoAnswer:      "73a0d17f-1163-4015-bdd5-ec830791da20",
	model.OutcomeBusy:          "9d9162e7-6cf3-4944-bf63-4dff82258764",
	model.OutcomeLeftVoicemail: "b2cf5968-551e-4856-9783-52b3da59a7d0",
	model.OutcomeConnected:     "f240bbac-87c9-4f6e-bf70-924b57d47db7",
	model.OutcomeWrongNumber:   "17b47fee-58de-441e-a44c-c6300d46f273",
}

// dispositionLabels are the portal labels matched to outcomes when the portal
// lists its own dispositions.
var dispositionLabels = map[string]model.Outcome{
	"no answer": model.OutcomeNoAnswer, "busy": model.OutcomeBusy, "left voicemail": model.OutcomeLeftVoicemail,
	"connected": model.OutcomeConnected, "wrong number": model.OutcomeWrongNumber,
}

// dispositionOutcome is the disposition an outcome is written as. Outcomes
// where the rep spoke to someone (meeting booked, not interested, bad timing,
// wrong person, opted out) are Connected; "sent" is not a call outcome and
// gets no disposition.
func dispositionOutcome(o model.Outcome) model.Outcome {
	switch o {
	case model.OutcomeNoAnswer, model.OutcomeBusy, model.OutcomeLeftVoicemail, model.OutcomeConnected, model.OutcomeWrongNumber:
		return o
	case model.OutcomeMeetingBooked, model.OutcomeNotInterested, model.OutcomeBadTiming, model.OutcomeWrongPerson, model.OutcomeOptedOut:
		return model.OutcomeConnected
	}
	return ""
}

// propertyDef is a custom property Prepare makes sure of.
type propertyDef struct {
	objType   string
	name      string
	label     string
	typ       string
	fieldType string
	unique    bool
	options   []map[string]any
}

// Prepare creates Shortlist's custom properties where missing and reports
// which object types take a unique operation id.
func (c *Client) Prepare(ctx context.Context) (crmsync.Capabilities, error) {
	caps, err := c.prepare(ctx)
	return caps, c.clean(err)
}

func (c *Client) prepare(ctx context.Context) (crmsync.Capabilities, error) {
	caps := crmsync.Capabilities{UniqueOpID: map[string]bool{}}
	for _, t := range engagementTypes {
		unique, err := c.ensureProperty(ctx, propertyDef{objType: t, name: propOpID, label: "Shortlist operation id",
			typ: "string", fieldType: "text", unique: true})
		if err != nil {
			return crmsync.Capabilities{}, err
		}
		caps.UniqueOpID[t] = unique
	}
	// Every option carries label, value, displayOrder and hidden: the
	// published spec requires hidden, and a portal refuses an option without it.
	yesNo := []map[string]any{{"label": "Yes", "value": "true", "displayOrder": 0, "hidden": false}, {"label": "No", "value": "false", "displayOrder": 1, "hidden": false}}
	for _, p := range []propertyDef{
		{objType: "contacts", name: propDoNotCall, label: "Do not call (Shortlist)", typ: "bool", fieldType: "booleancheckbox", options: yesNo},
		{objType: "contacts", name: propPhoneBad, label: "Phone number wrong (Shortlist)", typ: "bool", fieldType: "booleancheckbox", options: yesNo},
		{objType: "contacts", name: propNoLinkedIn, label: "LinkedIn opt-out (Shortlist)", typ: "bool", fieldType: "booleancheckbox", options: yesNo},
		{objType: "companies", name: propStatus, label: "Shortlist status", typ: "enumeration", fieldType: "select", options: statusOptions()},
	} {
		if _, err := c.ensureProperty(ctx, p); err != nil {
			return crmsync.Capabilities{}, err
		}
	}
	c.mu.Lock()
	c.caps, c.prepared = caps, true
	c.mu.Unlock()
	return caps, nil
}

func statusOptions() []map[string]any {
	out := make([]map[string]any, len(model.AccountStatuses))
	for i, s := range model.AccountStatuses {
		out[i] = map[string]any{"label": strings.ToUpper(string(s[:1])) + string(s[1:]), "value": string(s), "displayOrder": i, "hidden": false}
	}
	return out
}

// groupNames are the default property groups per object type.
var groupNames = map[string]string{
	"contacts": "contactinformation", "companies": "companyinformation",
	"calls": "callinformation", "notes": "noteinformation", "meetings": "meetinginformation", "tasks": "taskinformation",
	"emails": "emailinformation", "communications": "communicationinformation",
}

// ensureProperty reads a property and creates it when missing; it returns
// whether the property holds unique values. A portal that refuses a unique
// property gets a plain one.
func (c *Client) ensureProperty(ctx context.Context, p propertyDef) (bool, error) {
	op := "prepare " + p.objType + " property " + p.name
	path := "/crm/v3/properties/" + p.objType
	read := func() (bool, bool, error) {
		rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: path + "/" + p.name, scope: "crm.schemas." + p.objType + ".read"})
		if err != nil {
			return false, false, err
		}
		if rep.status == http.StatusNotFound {
			return false, false, nil
		}
		if rep.status != http.StatusOK {
			return false, false, c.failure(op, rep)
		}
		var got struct {
			Name           string `json:"name"`
			HasUniqueValue bool   `json:"hasUniqueValue"`
		}
		if err := c.decode(op, rep, &got); err != nil {
			return false, false, err
		}
		if got.Name != p.name {
			return false, false, protocol(op, rep.status, "asked for property %s, got %q", p.name, text(got.Name))
		}
		return true, got.HasUniqueValue, nil
	}
	exists, unique, err := read()
	if err != nil || exists {
		return unique, err
	}
	group := groupNames[p.objType]
	create := func(u bool) (reply, error) {
		body := map[string]any{"name": p.name, "label": p.label, "type": p.typ, "fieldType": p.fieldType,
			"groupName": group, "hasUniqueValue": u, "description": "Written by Shortlist's sync; do not edit."}
		if p.options != nil {
			body["options"] = p.options
		}
		return c.do(ctx, request{op: op, method: http.MethodPost, path: path, body: body, scope: "crm.schemas." + p.objType + ".write"})
	}
	rep, err := create(p.unique)
	if err != nil {
		return false, err
	}
	if rep.status == http.StatusBadRequest && !strings.Contains(strings.ToLower(c.decodeAPIError(rep.body).Message), "unique") {
		// The default group names are HubSpot's usual ones; a portal (or
		// a type) without that group gets one it lists. (A refusal of
		// unique values is handled below.)
		g, err := c.propertyGroup(ctx, p.objType, group)
		if err != nil {
			return false, err
		}
		if g != group {
			group = g
			if rep, err = create(p.unique); err != nil {
				return false, err
			}
		}
	}
	if rep.status == http.StatusBadRequest && p.unique {
		// this portal refuses unique values on the type: plain property,
		// and the push searches before creating again
		if rep, err = create(false); err != nil {
			return false, err
		}
		if rep.status == http.StatusOK || rep.status == http.StatusCreated {
			return false, nil
		}
	}
	switch rep.status {
	case http.StatusOK, http.StatusCreated:
		var got struct {
			HasUniqueValue *bool `json:"hasUniqueValue"`
		}
		if err := c.decode(op, rep, &got); err != nil {
			return false, err
		}
		if got.HasUniqueValue != nil {
			return *got.HasUniqueValue, nil
		}
		return p.unique, nil
	case http.StatusConflict:
		// created meanwhile (another Shortlist, or a lost reply): read it
		exists, unique, err := read()
		if err == nil && !exists {
			err = protocol(op, rep.status, "HubSpot says the property exists but cannot read it")
		}
		return unique, err
	}
	return false, c.failure(op, rep)
}

// propertyGroup returns want when objType has that property group, else
// the group HubSpot lists for it that names the type (callinformation for
// calls), else its first; want when the list cannot be read.
func (c *Client) propertyGroup(ctx context.Context, objType, want string) (string, error) {
	op := "read " + objType + " property groups"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v3/properties/" + objType + "/groups", scope: "crm.schemas." + objType + ".read"})
	if err != nil {
		return "", err
	}
	var list struct {
		Results []struct {
			Name     string `json:"name"`
			Archived bool   `json:"archived"`
		} `json:"results"`
	}
	if rep.status != http.StatusOK || c.decode(op, rep, &list) != nil {
		return want, nil
	}
	first := ""
	for _, g := range list.Results {
		switch {
		case g.Archived || g.Name == "":
		case g.Name == want:
			return want, nil
		case strings.Contains(g.Name, strings.TrimSuffix(objType, "s")) && (first == "" || !strings.Contains(first, strings.TrimSuffix(objType, "s"))):
			first = g.Name
		case first == "":
			first = g.Name
		}
	}
	if first == "" {
		return want, nil
	}
	return first, nil
}

// capsFor reports whether objType's op id is unique, preparing first when
// Prepare has not run in this process.
func (c *Client) capsFor(ctx context.Context, objType string) (bool, error) {
	c.mu.Lock()
	prepared, unique := c.prepared, c.caps.UniqueOpID[objType]
	c.mu.Unlock()
	if prepared {
		return unique, nil
	}
	caps, err := c.prepare(ctx)
	if err != nil {
		return false, err
	}
	return caps.UniqueOpID[objType], nil
}

// assocType is the unlabelled association type id from one object type to
// another, looked up once through the labels API.
func (c *Client) assocType(ctx context.Context, from, to string) (int, error) {
	key := from + "/" + to
	c.mu.Lock()
	id, ok := c.assocTypes[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id = defaultAssocTypes[key]
	op := "read " + key + " association types"
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v4/associations/" + from + "/" + to + "/labels"})
	if err != nil {
		return 0, err
	}
	if rep.status == http.StatusOK {
		var labels struct {
			Results []struct {
				Category string  `json:"category"`
				TypeID   int     `json:"typeId"`
				Label    *string `json:"label"`
			} `json:"results"`
		}
		if c.decode(op, rep, &labels) == nil {
			for _, l := range labels.Results {
				if strings.EqualFold(l.Category, "HUBSPOT_DEFINED") && (l.Label == nil || *l.Label == "") && l.TypeID > 0 {
					id = l.TypeID
					break
				}
			}
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("%s: HubSpot lists no default association from %s to %s", op, from, to)
	}
	c.mu.Lock()
	if c.assocTypes == nil {
		c.assocTypes = map[string]int{}
	}
	c.assocTypes[key] = id
	c.mu.Unlock()
	return id, nil
}

// disposition is the call disposition GUID for an outcome ("" for none),
// preferring the portal's own list (matched by label) to the defaults.
func (c *Client) disposition(ctx context.Context, o model.Outcome) (string, error) {
	d := dispositionOutcome(o)
	if d == "" {
		return "", nil
	}
	c.mu.Lock()
	m := c.dispositions
	c.mu.Unlock()
	if m == nil {
		m = map[string]string{}
		for k, v := range defaultDispositions {
			m[string(k)] = v
		}
		const op = "read call dispositions"
		rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/calling/v1/dispositions"})
		if err != nil {
			return "", err
		}
		var list []struct {
			ID    string `json:"id"`
			Label string `json:"label"`
		}
		if rep.status == http.StatusOK && c.decode(op, rep, &list) == nil {
			for _, x := range list {
				if out, ok := dispositionLabels[strings.ToLower(strings.TrimSpace(x.Label))]; ok && x.ID != "" {
					m[string(out)] = x.ID
				}
			}
		}
		c.mu.Lock()
		c.dispositions = m
		c.mu.Unlock()
	}
	return m[string(d)], nil
}

// creation is one record to create idempotently.
type creation struct {
	idx   int // position in the caller's input
	opID  string
	crmID string // updates: the record's id
	props map[string]string
	links []link
	// sentAt: an earlier sync sent this create without learning the
	// outcome (zero: never), so it may exist, created then.
	sentAt time.Time
}

// link is an association to write with a record.
type link struct {
	toType string
	toID   string
}

// PushTouches creates the engagement each touch was (see TouchEngagement),
// idempotent per OpID.
func (c *Client) PushTouches(ctx context.Context, in []crmsync.OutTouch) ([]crmsync.Result, error) {
	out, err := c.pushTouches(ctx, in)
	return out, c.clean(err)
}

func (c *Client) pushTouches(ctx context.Context, in []crmsync.OutTouch) ([]crmsync.Result, error) {
	if len(in) > 100 {
		return nil, fmt.Errorf("push touches: %d at once, at most 100", len(in))
	}
	results := make([]crmsync.Result, len(in))
	byType := map[string][]creation{}
	for i, t := range in {
		results[i].OpID = t.OpID
		if t.OpID == "" {
			results[i].Err = &crmsync.ItemError{Message: "a touch without an operation id cannot be pushed safely"}
			continue
		}
		objType, props, err := c.touchProps(ctx, t)
		if err != nil {
			return nil, err
		}
		byType[objType] = append(byType[objType], creation{idx: i, opID: t.OpID, props: props, links: links(t.ContactID, t.CompanyID), sentAt: t.SentAt})
	}
	for _, objType := range touchTypes {
		if err := c.createAll(ctx, objType, byType[objType], results); err != nil {
			return nil, err
		}
	}
	return results, nil
}

func links(contactID, companyID string) []link {
	var out []link
	if contactID != "" {
		out = append(out, link{toType: "contacts", toID: contactID})
	}
	if companyID != "" {
		out = append(out, link{toType: "companies", toID: companyID})
	}
	return out
}

// touchProps maps a touch onto the engagement that records it.
func (c *Client) touchProps(ctx context.Context, t crmsync.OutTouch) (string, map[string]string, error) {
	tc := t.Touch
	if tc.At.IsZero() {
		tc.At = c.now()
	}
	e := TouchEngagement(tc, c.meetingLength)
	p := map[string]string{"hs_timestamp": isoMS(e.At), propOpID: t.OpID}
	if t.OwnerID != "" {
		p["hubspot_owner_id"] = t.OwnerID
	}
	for k, v := range e.Props {
		p[k] = v
	}
	for k, v := range e.Text {
		p[k] = v
	}
	if e.Type == "calls" {
		p["hs_call_direction"] = "OUTBOUND"
		if tc.Direction == model.Inbound {
			p["hs_call_direction"] = "INBOUND"
		}
		p["hs_call_status"] = "COMPLETED"
		p["hs_call_duration"] = strconv.FormatInt(tc.Duration.Milliseconds(), 10)
		d, err := c.disposition(ctx, tc.Outcome)
		if err != nil {
			return "", nil, err
		}
		if d != "" {
			p["hs_call_disposition"] = d
		}
	}
	return e.Type, p, nil
}

// PushTasks creates tasks, idempotent per OpID.
func (c *Client) PushTasks(ctx context.Context, in []crmsync.OutTask) ([]crmsync.Result, error) {
	out, err := c.pushTasks(ctx, in)
	return out, c.clean(err)
}

func (c *Client) pushTasks(ctx context.Context, in []crmsync.OutTask) ([]crmsync.Result, error) {
	if len(in) > 100 {
		return nil, fmt.Errorf("push tasks: %d at once, at most 100", len(in))
	}
	results := make([]crmsync.Result, len(in))
	var items []creation
	for i, t := range in {
		results[i].OpID = t.OpID
		if t.OpID == "" {
			results[i].Err = &crmsync.ItemError{Message: "a task without an operation id cannot be pushed safely"}
			continue
		}
		due := model.DueToCRM(t.Task) // a date as noon UTC: the same day in HubSpot wherever it is read
		if due.IsZero() {
			due = c.now()
		}
		p := map[string]string{
			"hs_task_subject":  t.Task.Title,
			"hs_task_type":     taskType(t.Task.Kind),
			"hs_timestamp":     isoMS(due),
			"hs_task_priority": strings.ToUpper(string(orPriority(t.Task.Priority))),
			"hs_task_status":   "NOT_STARTED",
			propOpID:           t.OpID,
		}
		if t.OwnerID != "" {
			p["hubspot_owner_id"] = t.OwnerID
		}
		items = append(items, creation{idx: i, opID: t.OpID, props: p, links: links(t.ContactID, t.CompanyID), sentAt: t.SentAt})
	}
	if err := c.createAll(ctx, "tasks", items, results); err != nil {
		return nil, err
	}
	return results, nil
}

func taskType(k model.TaskKind) string {
	switch k {
	case model.TaskCall:
		return "CALL"
	case model.TaskEmail:
		return "EMAIL"
	}
	return "TODO" // LinkedIn tasks too: HubSpot's LinkedIn task types are not on every portal
}

func orPriority(p model.Priority) model.Priority {
	if p == "" {
		return model.PriorityMedium
	}
	return p
}

// createAll creates items of one type into results (by idx), by upsert on the
// unique op id where the portal has one, else by search-then-create.
func (c *Client) createAll(ctx context.Context, objType string, items []creation, results []crmsync.Result) error {
	if len(items) == 0 {
		return nil
	}
	unique, err := c.capsFor(ctx, objType)
	if err != nil {
		return err
	}
	types := map[string]int{}
	for _, it := range items {
		for _, l := range it.links {
			if _, ok := types[l.toType]; !ok {
				id, err := c.assocType(ctx, objType, l.toType)
				if err != nil {
					return err
				}
				types[l.toType] = id
			}
		}
	}
	if unique {
		return c.upsert(ctx, objType, items, results)
	}
	return c.searchThenCreate(ctx, objType, items, types, results)
}

// upsert writes items with batch upsert on the op id (a retry updates the
// record it made), then links them with default associations (idempotent).
func (c *Client) upsert(ctx context.Context, objType string, items []creation, results []crmsync.Result) error {
	op := "push " + objType
	inputs := make([]map[string]any, len(items))
	for i, it := range items {
		inputs[i] = map[string]any{"idProperty": propOpID, "id": it.opID, "properties": it.props}
	}
	err := c.batch(ctx, op, "/crm/v3/objects/"+objType+"/batch/upsert", items, inputs, false, results)
	if err != nil {
		return err
	}
	byType := map[string][]link{}
	froms := map[string][]int{}
	for _, it := range items {
		id := results[it.idx].CRMID
		if id == "" {
			continue
		}
		for _, l := range it.links {
			byType[l.toType] = append(byType[l.toType], link{toType: id, toID: l.toID})
			froms[l.toType] = append(froms[l.toType], it.idx)
		}
	}
	for _, toType := range []string{"contacts", "companies"} {
		pairs := byType[toType]
		if len(pairs) == 0 {
			continue
		}
		failed, err := c.associate(ctx, objType, toType, pairs)
		if err != nil {
			return err
		}
		for i, msg := range failed {
			idx := froms[toType][i]
			results[idx] = crmsync.Result{OpID: results[idx].OpID,
				Err: &crmsync.ItemError{Retry: true, Message: "created in HubSpot, but linking it to its " + singular[toType] + " failed: " + msg}}
		}
	}
	return nil
}

// associate writes default associations (pair.toType holds the from id);
// it returns, by pair index, the pairs HubSpot refused for a reason other
// than the target being gone (a link to a deleted record is moot).
func (c *Client) associate(ctx context.Context, from, to string, pairs []link) (map[int]string, error) {
	op := "link " + from + " to " + to
	inputs := make([]map[string]any, len(pairs))
	for i, p := range pairs {
		inputs[i] = map[string]any{"from": idInput{ID: p.toType}, "to": idInput{ID: p.toID}}
	}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/crm/v4/associations/" + from + "/" + to + "/batch/associate/default",
		body: map[string]any{"inputs": inputs}, scope: "crm.objects." + from + ".write"})
	if err != nil {
		return nil, err
	}
	failed := map[int]string{}
	switch rep.status {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return failed, nil
	case http.StatusMultiStatus, http.StatusBadRequest, http.StatusNotFound:
	default:
		return nil, c.failure(op, rep)
	}
	var br batchReply
	if len(rep.body) > 0 {
		if err := c.decode(op, rep, &br); err != nil {
			return nil, err
		}
	}
	for _, e := range br.Errors {
		if e.gone() {
			continue
		}
		msg := c.scrub(text(e.Message))
		ids := e.ids()
		matched := false
		for i, p := range pairs {
			if slices.Contains(ids, p.toType) || slices.Contains(ids, p.toID) {
				failed[i], matched = msg, true
			}
		}
		if !matched {
			for i := range pairs {
				failed[i] = msg
			}
		}
	}
	if rep.status != http.StatusMultiStatus && len(br.Errors) == 0 {
		e := c.decodeAPIError(rep.body)
		if !strings.Contains(strings.ToLower(e.Message), "not found") {
			for i := range pairs {
				failed[i] = e.Message
			}
		}
	}
	return failed, nil
}

// searchThenCreate: on a portal without a unique op id, look for the op ids
// first (a crash or a lost reply may have created them), create the rest
// with inline associations, and after an ambiguous failure look again before
// creating again.
func (c *Client) searchThenCreate(ctx context.Context, objType string, items []creation, types map[string]int, results []crmsync.Result) error {
	op := "push " + objType
	pending := items
	for attempt := 0; ; attempt++ {
		if err := c.settle(ctx, op, pending); err != nil {
			return err
		}
		found, err := c.findOpIDs(ctx, objType, pending)
		if err != nil {
			return err
		}
		var rest []creation
		for _, it := range pending {
			if id, ok := found[it.opID]; ok {
				results[it.idx] = crmsync.Result{OpID: it.opID, CRMID: id}
			} else {
				rest = append(rest, it)
			}
		}
		if len(rest) == 0 {
			return nil
		}
		inputs := make([]map[string]any, len(rest))
		for i, it := range rest {
			assoc := []map[string]any{} // the spec requires the list, empty or not
			for _, l := range it.links {
				assoc = append(assoc, map[string]any{"to": idInput{ID: l.toID},
					"types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": types[l.toType]}}})
			}
			inputs[i] = map[string]any{"properties": it.props, "associations": assoc, "objectWriteTraceId": it.opID}
		}
		sent := c.now()
		err = c.batch(ctx, op, "/crm/v3/objects/"+objType+"/batch/create", rest, inputs, true, results)
		var amb *ambiguousError
		if !errors.As(err, &amb) {
			return err
		}
		if attempt >= c.maxRetries {
			return fmt.Errorf("%w: %s; whether HubSpot recorded it is checked on the next sync", model.ErrOffline, amb.Error())
		}
		// It may have been applied: look again once the search can see it.
		for i := range rest {
			rest[i].sentAt = sent
		}
		if err := c.sleep(ctx, httpx.Backoff(attempt+1, backoffBase, backoffCap, 0)); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		pending = rest
	}
}

// settle waits, before the search that decides whether to create, until
// the newest earlier send of the items is older than HubSpot's search lag:
// a record created moments ago (by a sync killed right after) is not yet
// searchable, and a search that does not find it would create it again. The
// wait is bounded by the lag; items never sent cost nothing.
func (c *Client) settle(ctx context.Context, op string, items []creation) error {
	var newest time.Time
	for _, it := range items {
		if it.sentAt.After(newest) {
			newest = it.sentAt
		}
	}
	if newest.IsZero() || c.searchLag <= 0 {
		return nil
	}
	wait := min(newest.Add(c.searchLag).Sub(c.now()), c.searchLag)
	if wait <= 0 {
		return nil
	}
	if err := c.sleep(ctx, wait); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// findOpIDs searches objType for records carrying the items' op ids.
func (c *Client) findOpIDs(ctx context.Context, objType string, items []creation) (map[string]string, error) {
	op := "look up pushed " + objType
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.opID
	}
	body := searchBody{
		FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: propOpID, Operator: "IN", Values: ids}}}},
		Properties:   []string{propOpID},
		Limit:        200,
	}
	found := map[string]string{}
	for {
		rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/crm/v3/objects/" + objType + "/search", body: body, search: true})
		if err != nil {
			return nil, err
		}
		if rep.status != http.StatusOK {
			return nil, c.failure(op, rep)
		}
		var page objectPage
		if err := c.decode(op, rep, &page); err != nil {
			return nil, err
		}
		if page.Results == nil {
			return nil, protocol(op, rep.status, "the reply has no results")
		}
		for _, o := range page.Results {
			v := o.Properties[propOpID]
			if v == "" || o.ID == "" {
				continue
			}
			if prev, ok := found[v]; !ok || cmpID(string(o.ID), prev) < 0 {
				found[v] = string(o.ID) // the oldest, should two exist
			}
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" || page.Paging.Next.After == body.After {
			return found, nil
		}
		body.After = page.Paging.Next.After
	}
}

// batch sends a batch write of items (inputs parallel to items) and fills
// results. A whole batch HubSpot refuses as invalid is split in halves until
// the offending items stand alone, so one bad item holds back only itself.
func (c *Client) batch(ctx context.Context, op, path string, items []creation, inputs []map[string]any, unsafe bool, results []crmsync.Result) error {
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: path, body: map[string]any{"inputs": inputs}, unsafe: unsafe})
	if err != nil {
		return err
	}
	switch rep.status {
	case http.StatusOK, http.StatusCreated, http.StatusMultiStatus:
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		if len(items) > 1 {
			h := len(items) / 2
			if err := c.batch(ctx, op, path, items[:h], inputs[:h], unsafe, results); err != nil {
				return err
			}
			return c.batch(ctx, op, path, items[h:], inputs[h:], unsafe, results)
		}
		e := c.decodeAPIError(rep.body)
		gone := rep.status == http.StatusNotFound || strings.Contains(strings.ToLower(e.Message), "not found") ||
			strings.Contains(strings.ToLower(e.Message), "does not exist") || strings.EqualFold(e.Category, "OBJECT_NOT_FOUND")
		msg := e.Message
		if msg == "" {
			msg = fmt.Sprintf("HubSpot refused it (HTTP %d)", rep.status)
		}
		results[items[0].idx] = crmsync.Result{OpID: items[0].opID, Err: &crmsync.ItemError{Gone: gone, Message: msg}}
		return nil
	default:
		return c.failure(op, rep)
	}
	var br batchReply
	if err := c.decode(op, rep, &br); err != nil {
		return err
	}
	byOp := map[string]string{}
	byID := map[string]bool{}
	for _, o := range br.Results {
		if o.ID == "" {
			return protocol(op, rep.status, "a result without an id")
		}
		byID[string(o.ID)] = true
		if v := o.Properties[propOpID]; v != "" {
			byOp[v] = string(o.ID)
		}
	}
	if len(byOp) == 0 && len(br.Results) == len(items) && len(br.Errors) == 0 && items[0].crmID == "" {
		for i, it := range items { // no op ids echoed: HubSpot answers in input order
			byOp[it.opID] = string(br.Results[i].ID)
		}
	}
	errFor := map[string]*crmsync.ItemError{}
	var stray []*crmsync.ItemError
	for _, e := range br.Errors {
		ie := &crmsync.ItemError{Gone: e.gone(), Message: c.scrub(text(e.Message))}
		if ie.Message == "" {
			ie.Message = "HubSpot refused it"
		}
		keys := append(e.ids(), e.Context.ObjectWriteTraceID...)
		if len(keys) == 0 {
			stray = append(stray, ie)
		}
		for _, k := range keys {
			errFor[k] = ie
		}
	}
	for _, it := range items {
		id := it.crmID
		switch {
		case byOp[it.opID] != "":
			results[it.idx] = crmsync.Result{OpID: it.opID, CRMID: byOp[it.opID]}
		case id != "" && byID[id]:
			results[it.idx] = crmsync.Result{OpID: it.opID, CRMID: id}
		case errFor[it.opID] != nil:
			results[it.idx] = crmsync.Result{OpID: it.opID, Err: errFor[it.opID]}
		case id != "" && errFor[id] != nil:
			results[it.idx] = crmsync.Result{OpID: it.opID, Err: errFor[id]}
		case len(stray) > 0:
			results[it.idx] = crmsync.Result{OpID: it.opID, Err: stray[0]}
		default:
			results[it.idx] = crmsync.Result{OpID: it.opID, Err: &crmsync.ItemError{Retry: true, Message: "HubSpot's reply does not mention it; it is sent again next sync"}}
		}
	}
	return nil
}
