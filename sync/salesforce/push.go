package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// maxCollection is the most records one sObject Collections request takes.
const maxCollection = 200

// descriptionCap is Task and Event Description's length.
const descriptionCap = 32000

// kindMarkUnique is a MissingField's Kind for an operation-id field that
// exists but is not External ID and Unique: an admin changes it.
const kindMarkUnique = "mark it External ID and Unique"

// Prepare checks the org has what the push relies on: the operation-id
// External ID on Task and Event (Activity), Shortlist's account status and
// contact flags, and the Task Status values it writes. It adds nothing:
// a missing field is a *crmsync.FieldsMissingError naming each one.
func (c *Client) Prepare(ctx context.Context) (crmsync.Capabilities, error) {
	caps, err := c.prepare(ctx)
	return caps, c.clean(err)
}

func (c *Client) prepare(ctx context.Context) (crmsync.Capabilities, error) {
	fs, err := c.describe(ctx)
	if err != nil {
		return crmsync.Capabilities{}, err
	}
	var missing []crmsync.MissingField
	for _, obj := range []string{"Task", "Event"} {
		f, ok := fs[obj][strings.ToLower(fieldOpID)]
		if !ok || !f.ExternalID || !f.Unique {
			kind := "Text(64), External ID, Unique"
			if ok {
				kind = kindMarkUnique
			}
			missing = append(missing, crmsync.MissingField{Object: obj, Field: fieldOpID, Kind: kind})
		}
	}
	for _, m := range []crmsync.MissingField{
		{Object: "Account", Field: fieldStatus, Kind: "Text(40)"},
		{Object: "Contact", Field: fieldNoLinkedIn, Kind: "Checkbox"},
		{Object: "Contact", Field: fieldPhoneBad, Kind: "Checkbox"},
	} {
		if !c.has(fs, m.Object, m.Field) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return crmsync.Capabilities{}, fmt.Errorf("prepare Salesforce: %w", &crmsync.FieldsMissingError{CRM: "Salesforce", Fields: missing})
	}
	if st, ok := fs["Task"]["status"]; ok && st.RestrictedPicklist {
		for _, want := range []string{"Completed", "Not Started"} {
			if !slices.ContainsFunc(st.PicklistValues, func(v struct {
				Value  string `json:"value"`
				Active bool   `json:"active"`
			}) bool {
				return v.Value == want && v.Active
			}) {
				return crmsync.Capabilities{}, fmt.Errorf("prepare Salesforce: the org's Task Status has no active %q value: ask an admin to add it (Setup → Object Manager → Task → Status)", want)
			}
		}
	}
	c.mu.Lock()
	c.ready = true
	c.mu.Unlock()
	return crmsync.Capabilities{UniqueOpID: map[string]bool{"calls": true, "emails": true, "meetings": true, "tasks": true, "notes": true, "communications": true}}, nil
}

func (c *Client) ensureReady(ctx context.Context) error {
	c.mu.Lock()
	ok := c.ready
	c.mu.Unlock()
	if ok {
		return nil
	}
	_, err := c.prepare(ctx)
	return err
}

// sobject is one record of a collections request.
type sobject map[string]any

func newSObject(typ string) sobject {
	return sobject{"attributes": map[string]string{"type": typ}}
}

// itemResult is one entry of a collections reply.
type itemResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Created bool   `json:"created"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

// collection sends records (≤ 200) to path and returns the per-item
// results in input order.
func (c *Client) collection(ctx context.Context, op, path, upsertType string, recs []sobject) ([]itemResult, error) {
	rep, err := c.do(ctx, request{op: op, method: http.MethodPatch, path: path, body: map[string]any{"allOrNone": false, "records": recs}})
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		e := firstError(rep.body)
		if upsertType != "" && (rep.status == http.StatusNotFound || e.ErrorCode == "INVALID_FIELD" && slices.Contains(e.Fields, fieldOpID)) {
			return nil, fmt.Errorf("%s: %w", op, &crmsync.FieldsMissingError{CRM: "Salesforce", Fields: []crmsync.MissingField{{Object: upsertType, Field: fieldOpID, Kind: "Text(64), External ID, Unique"}}})
		}
		return nil, c.failure(op, rep)
	}
	var res []itemResult
	if err := c.decode(op, rep, &res); err != nil {
		return nil, err
	}
	if len(res) != len(recs) {
		return nil, protocol(op, rep.status, "%d results for %d records", len(res), len(recs))
	}
	return res, nil
}

// itemErr maps a failed item onto the engine's *ItemError.
func (c *Client) itemErr(r itemResult) *crmsync.ItemError {
	ie := &crmsync.ItemError{Message: "Salesforce refused the record"}
	if len(r.Errors) == 0 {
		return ie
	}
	e := r.Errors[0]
	ie.Message = "Salesforce refused the record (" + text(e.StatusCode) + "): " + c.scrub(text(e.Message))
	switch e.StatusCode {
	case "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY":
		ie.Gone = true
	case "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG":
		ie.Retry = true
	}
	return ie
}

// createOnly reports whether an upsert item failed because it matched an
// existing record (a resend) and carried a field Salesforce sets on create
// only (TaskSubtype): the record exists, made by the first send.
func createOnly(r itemResult) bool {
	for _, e := range r.Errors {
		if e.StatusCode == "INVALID_FIELD_FOR_INSERT_UPDATE" && slices.Contains(e.Fields, "TaskSubtype") {
			return true
		}
	}
	return false
}

// upsert writes recs of typ on the operation id (the key field of each)
// and returns one Result per record. A resend that matched a record and
// was refused for a create-only field is resolved by reading the id the
// first send created.
func (c *Client) upsert(ctx context.Context, typ string, recs []sobject, opIDs []string) ([]crmsync.Result, error) {
	op := "upsert " + strings.ToLower(typ) + "s"
	out := make([]crmsync.Result, len(recs))
	for start := 0; start < len(recs); start += maxCollection {
		end := min(start+maxCollection, len(recs))
		res, err := c.collection(ctx, op, c.data("/composite/sobjects/"+typ+"/"+fieldOpID), typ, recs[start:end])
		if err != nil {
			return nil, err
		}
		var resend []int
		for i, r := range res {
			k := start + i
			out[k].OpID = opIDs[k]
			switch {
			case r.Success && isID(r.ID):
				out[k].CRMID = r.ID
			case r.Success:
				return nil, protocol(op, http.StatusOK, "a success without an id")
			case createOnly(r):
				resend = append(resend, k)
			default:
				out[k].Err = c.itemErr(r)
			}
		}
		if len(resend) > 0 {
			keys := make([]string, len(resend))
			for i, k := range resend {
				keys[i] = recs[k][fieldOpID].(string)
			}
			found, err := c.byOpID(ctx, typ, keys)
			if err != nil {
				return nil, err
			}
			for i, k := range resend {
				if id, ok := found[keys[i]]; ok {
					out[k].CRMID = id
				} else {
					out[k].Err = &crmsync.ItemError{Retry: true, Message: "Salesforce refused the resend and holds no record for it yet"}
				}
			}
		}
	}
	return out, nil
}

// byOpID reads the ids of typ records carrying the given operation ids.
func (c *Client) byOpID(ctx context.Context, typ string, keys []string) (map[string]string, error) {
	op := "find " + strings.ToLower(typ) + "s by operation id"
	out := map[string]string{}
	var lits []string
	for _, k := range keys {
		lits = append(lits, quote(k))
	}
	soql := "SELECT Id, " + fieldOpID + " FROM " + typ + " WHERE " + fieldOpID + " IN (" + strings.Join(lits, ", ") + ")"
	err := c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		for _, r := range raw {
			var v map[string]any
			if err := json.Unmarshal(r, &v); err != nil {
				return protocol(op, http.StatusOK, "a record does not decode")
			}
			id, _ := v["Id"].(string)
			key, _ := v[fieldOpID].(string)
			if isID(id) && key != "" {
				out[key] = id
			}
		}
		return nil
	})
	return out, err
}

// PushTouches writes each touch as what it was: a booked meeting (MeetingAt
// set) and a meeting or visit held as an Event, everything else as a
// completed Task (a call with its type, disposition and duration). Both are
// upserts on the operation id.
func (c *Client) PushTouches(ctx context.Context, in []crmsync.OutTouch) ([]crmsync.Result, error) {
	out, err := c.pushTouches(ctx, in)
	return out, c.clean(err)
}

func (c *Client) pushTouches(ctx context.Context, in []crmsync.OutTouch) ([]crmsync.Result, error) {
	if err := c.ensureReady(ctx); err != nil {
		return nil, err
	}
	var tasks, events []sobject
	var taskOps, eventOps []string
	var taskIdx, eventIdx []int
	for i, t := range in {
		if isEvent(t.Touch) {
			events = append(events, c.touchEvent(t))
			eventOps = append(eventOps, t.OpID)
			eventIdx = append(eventIdx, i)
		} else {
			tasks = append(tasks, c.touchTask(t))
			taskOps = append(taskOps, t.OpID)
			taskIdx = append(taskIdx, i)
		}
	}
	out := make([]crmsync.Result, len(in))
	if len(tasks) > 0 {
		res, err := c.upsert(ctx, "Task", tasks, taskOps)
		if err != nil {
			return nil, err
		}
		for i, k := range taskIdx {
			out[k] = res[i]
		}
	}
	if len(events) > 0 {
		res, err := c.upsert(ctx, "Event", events, eventOps)
		if err != nil {
			return nil, err
		}
		for i, k := range eventIdx {
			out[k] = res[i]
		}
	}
	return out, nil
}

func isEvent(t model.Touch) bool {
	return !t.MeetingAt.IsZero() || t.Channel == model.ChannelMeeting || t.Channel == model.ChannelVisit
}

// links sets WhoId, WhatId and OwnerId where they are ids.
func links(r sobject, contactID, companyID, ownerID string) {
	if isID(contactID) {
		r["WhoId"] = contactID
	}
	if isID(companyID) {
		r["WhatId"] = companyID
	}
	if strings.HasPrefix(ownerID, "005") && isID(ownerID) {
		r["OwnerId"] = ownerID
	}
}

func capText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// touchSubject is the one line a touch shows as in Salesforce.
func touchSubject(t model.Touch) string {
	what := map[model.Channel]string{
		model.ChannelCall: "Call", model.ChannelEmail: "Email", model.ChannelLinkedIn: "LinkedIn message",
		model.ChannelMeeting: "Meeting", model.ChannelVisit: "Visit", model.ChannelNote: "Note",
	}[t.Channel]
	if what == "" {
		what = "Touch"
	}
	if !t.MeetingAt.IsZero() {
		return "Meeting (booked)"
	}
	if t.Outcome != "" && t.Channel != model.ChannelNote {
		what += ": " + t.Outcome.Label()
	}
	return what
}

func (c *Client) touchTask(t crmsync.OutTouch) sobject {
	r := newSObject("Task")
	r[fieldOpID] = touchOpPrefix + t.OpID
	r["Subject"] = touchSubject(t.Touch)
	r["Status"] = "Completed"
	r["Priority"] = "Normal"
	r["ActivityDate"] = t.Touch.At.UTC().Format("2006-01-02")
	r["Description"] = capText(t.Touch.Note, descriptionCap)
	switch t.Touch.Channel {
	case model.ChannelCall:
		r["TaskSubtype"] = "Call"
		r["Type"] = "Call"
		r["CallType"] = "Outbound"
		if t.Touch.Direction == model.Inbound {
			r["CallType"] = "Inbound"
		}
		if t.Touch.Outcome != "" {
			r["CallDisposition"] = capText(t.Touch.Outcome.Label(), 255)
		}
		if t.Touch.Duration > 0 {
			r["CallDurationInSeconds"] = int64(t.Touch.Duration / time.Second)
		}
	case model.ChannelEmail:
		r["TaskSubtype"] = "Email"
		r["Type"] = "Email"
	default:
		r["TaskSubtype"] = "Task"
		r["Type"] = "Other"
	}
	links(r, t.ContactID, t.CompanyID, t.OwnerID)
	return r
}

func (c *Client) touchEvent(t crmsync.OutTouch) sobject {
	r := newSObject("Event")
	r[fieldOpID] = touchOpPrefix + t.OpID
	r["Subject"] = touchSubject(t.Touch)
	start, length := t.Touch.MeetingAt, c.meetingLength
	if start.IsZero() {
		start = t.Touch.At
		if t.Touch.Duration > 0 {
			length = t.Touch.Duration
		}
	}
	length = max(length.Round(time.Minute), time.Minute)
	r["StartDateTime"] = start.UTC().Format("2006-01-02T15:04:05.000Z")
	r["EndDateTime"] = start.Add(length).UTC().Format("2006-01-02T15:04:05.000Z")
	r["Description"] = capText(t.Touch.Note, descriptionCap)
	links(r, t.ContactID, t.CompanyID, t.OwnerID)
	return r
}

// PushTasks creates open Tasks, upserted on the operation id.
func (c *Client) PushTasks(ctx context.Context, in []crmsync.OutTask) ([]crmsync.Result, error) {
	out, err := c.pushTasks(ctx, in)
	return out, c.clean(err)
}

func (c *Client) pushTasks(ctx context.Context, in []crmsync.OutTask) ([]crmsync.Result, error) {
	if err := c.ensureReady(ctx); err != nil {
		return nil, err
	}
	recs := make([]sobject, len(in))
	ops := make([]string, len(in))
	for i, t := range in {
		r := newSObject("Task")
		r[fieldOpID] = t.OpID
		r["Subject"] = capText(t.Task.Title, 255)
		r["Status"] = taskStatus(t.Task.Status)
		r["Priority"] = priority(t.Task.Priority)
		r["TaskSubtype"] = map[model.TaskKind]string{model.TaskCall: "Call", model.TaskEmail: "Email"}[t.Task.Kind]
		if r["TaskSubtype"] == "" {
			r["TaskSubtype"] = "Task"
		}
		if due := dueOf(t.Task); !due.IsZero() {
			r["ActivityDate"] = due.Format("2006-01-02")
		}
		links(r, t.ContactID, t.CompanyID, t.OwnerID)
		recs[i], ops[i] = r, t.OpID
	}
	return c.upsert(ctx, "Task", recs, ops)
}

func dueOf(t model.Task) time.Time {
	if t.Status == model.TaskSnoozed && !t.SnoozedUntil.IsZero() {
		return t.SnoozedUntil
	}
	return t.Due
}

func taskStatus(s model.TaskStatus) string {
	if s.Closed() {
		return "Completed"
	}
	return "Not Started"
}

func priority(p model.Priority) string {
	switch p {
	case model.PriorityHigh:
		return "High"
	case model.PriorityLow:
		return "Low"
	}
	return "Normal"
}

// update sends id-addressed records in collections of 200 and returns one
// Result per record (CRMID the record's id).
func (c *Client) update(ctx context.Context, op string, recs []sobject, opIDs, ids []string) ([]crmsync.Result, error) {
	out := make([]crmsync.Result, len(recs))
	var send []sobject
	var idx []int
	for i, r := range recs {
		out[i].OpID = opIDs[i]
		if !isID(ids[i]) {
			out[i].Err = &crmsync.ItemError{Gone: true, Message: "the record has no Salesforce id"}
			continue
		}
		r["Id"] = ids[i]
		send = append(send, r)
		idx = append(idx, i)
	}
	for start := 0; start < len(send); start += maxCollection {
		end := min(start+maxCollection, len(send))
		res, err := c.collection(ctx, op, c.data("/composite/sobjects"), "", send[start:end])
		if err != nil {
			return nil, err
		}
		for i, r := range res {
			k := idx[start+i]
			if r.Success {
				out[k].CRMID = ids[k]
			} else {
				out[k].Err = c.itemErr(r)
			}
		}
	}
	return out, nil
}

// UpdateTasks writes status, due, subject and priority onto existing Tasks.
func (c *Client) UpdateTasks(ctx context.Context, in []crmsync.TaskUpdate) ([]crmsync.Result, error) {
	recs := make([]sobject, len(in))
	ops, ids := make([]string, len(in)), make([]string, len(in))
	for i, u := range in {
		r := newSObject("Task")
		r["Status"] = taskStatus(u.Status)
		if !u.Due.IsZero() {
			r["ActivityDate"] = u.Due.Format("2006-01-02")
		}
		if u.Title != "" {
			r["Subject"] = capText(u.Title, 255)
		}
		if u.Priority != "" {
			r["Priority"] = priority(u.Priority)
		}
		recs[i], ops[i], ids[i] = r, u.OpID, u.CRMID
	}
	out, err := c.update(ctx, "update tasks", recs, ops, ids)
	return out, c.clean(err)
}

// UpdateCompanies writes Shortlist's account status to Shortlist_Status__c.
func (c *Client) UpdateCompanies(ctx context.Context, in []crmsync.CompanyUpdate) ([]crmsync.Result, error) {
	if err := c.ensureReady(ctx); err != nil {
		return nil, c.clean(err)
	}
	recs := make([]sobject, len(in))
	ops, ids := make([]string, len(in)), make([]string, len(in))
	for i, u := range in {
		r := newSObject("Account")
		r[fieldStatus] = string(u.Status)
		recs[i], ops[i], ids[i] = r, u.OpID, u.CRMID
	}
	out, err := c.update(ctx, "update accounts", recs, ops, ids)
	return out, c.clean(err)
}

// UpdateContacts writes consent and the wrong-number flag onto Contacts.
func (c *Client) UpdateContacts(ctx context.Context, in []crmsync.ContactUpdate) ([]crmsync.Result, error) {
	if err := c.ensureReady(ctx); err != nil {
		return nil, c.clean(err)
	}
	recs := make([]sobject, len(in))
	ops, ids := make([]string, len(in)), make([]string, len(in))
	for i, u := range in {
		r := newSObject("Contact")
		r["HasOptedOutOfEmail"] = u.Consent.Email.OptedOut()
		r["DoNotCall"] = u.Consent.Call.OptedOut()
		r[fieldNoLinkedIn] = u.Consent.LinkedIn.OptedOut()
		r[fieldPhoneBad] = u.PhoneBad
		recs[i], ops[i], ids[i] = r, u.OpID, u.CRMID
	}
	out, err := c.update(ctx, "update contacts", recs, ops, ids)
	return out, c.clean(err)
}

// UpdateTouches rewrites the Description of the Task or Event a touch
// became.
func (c *Client) UpdateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	recs := make([]sobject, len(in))
	ops, ids := make([]string, len(in)), make([]string, len(in))
	for i, u := range in {
		typ := "Task"
		if strings.HasPrefix(u.CRMID, "00U") {
			typ = "Event"
		}
		r := newSObject(typ)
		r["Description"] = capText(u.Touch.Note, descriptionCap)
		recs[i], ops[i], ids[i] = r, u.OpID, u.CRMID
	}
	out, err := c.update(ctx, "update touches", recs, ops, ids)
	return out, c.clean(err)
}
