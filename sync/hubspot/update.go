package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	crmsync "github.com/shortlisthq/shortlist/sync"
)

// UpdateTasks writes task status (COMPLETED for done, skipped and superseded,
// NOT_STARTED otherwise) and, when set, the due date (hs_timestamp), the
// subject and the priority.
func (c *Client) UpdateTasks(ctx context.Context, in []crmsync.TaskUpdate) ([]crmsync.Result, error) {
	items := make([]creation, len(in))
	for i, u := range in {
		status := "NOT_STARTED"
		if u.Status.Closed() {
			status = "COMPLETED"
		}
		p := map[string]string{"hs_task_status": status}
		if !u.Due.IsZero() {
			p["hs_timestamp"] = isoMS(u.Due)
		}
		if u.Title != "" {
			p["hs_task_subject"] = capText(u.Title)
		}
		if u.Priority != "" {
			p["hs_task_priority"] = strings.ToUpper(string(u.Priority))
		}
		items[i] = creation{idx: i, opID: u.OpID, crmID: u.CRMID, props: p}
	}
	out, err := c.updateAll(ctx, "tasks", items)
	return out, c.clean(err)
}

// UpdateCompanies writes Shortlist's account status.
func (c *Client) UpdateCompanies(ctx context.Context, in []crmsync.CompanyUpdate) ([]crmsync.Result, error) {
	items := make([]creation, len(in))
	for i, u := range in {
		items[i] = creation{idx: i, opID: u.OpID, crmID: u.CRMID, props: map[string]string{propStatus: string(u.Status)}}
	}
	out, err := c.updateAll(ctx, "companies", items)
	return out, c.clean(err)
}

// UpdateContacts writes do-not-call, the LinkedIn opt-out and the phone flag
// as properties, and an email opt-out through the communication-preferences
// API (HubSpot does not let hs_email_optout be written). An opt-out lifted
// locally is not re-subscribed: that needs the contact's own consent.
func (c *Client) UpdateContacts(ctx context.Context, in []crmsync.ContactUpdate) ([]crmsync.Result, error) {
	out, err := c.updateContacts(ctx, in)
	return out, c.clean(err)
}

func (c *Client) updateContacts(ctx context.Context, in []crmsync.ContactUpdate) ([]crmsync.Result, error) {
	if _, err := c.capsFor(ctx, "contacts"); err != nil { // the custom properties must exist
		return nil, err
	}
	items := make([]creation, len(in))
	for i, u := range in {
		items[i] = creation{idx: i, opID: u.OpID, crmID: u.CRMID, props: map[string]string{
			propDoNotCall:  boolText(u.Consent.Call.OptedOut()),
			propNoLinkedIn: boolText(u.Consent.LinkedIn.OptedOut()),
			propPhoneBad:   boolText(u.PhoneBad),
		}}
	}
	results, err := c.updateAll(ctx, "contacts", items)
	if err != nil {
		return nil, err
	}
	var unsub []int
	for i, u := range in {
		if u.Consent.Email.OptedOut() && results[i].Err == nil {
			unsub = append(unsub, i)
		}
	}
	for chunk := range slices.Chunk(unsub, 100) {
		ids := make([]string, len(chunk))
		for j, i := range chunk {
			ids[j] = in[i].CRMID
		}
		got, err := c.batchRead(ctx, "contacts", ids, []string{"email", "hs_email_optout"})
		if err != nil {
			return nil, err
		}
		for _, i := range chunk {
			o, ok := got[in[i].CRMID]
			switch {
			case !ok:
				results[i] = crmsync.Result{OpID: in[i].OpID, Err: &crmsync.ItemError{Gone: true, Message: "the contact was deleted in HubSpot"}}
				continue
			case truthy(o.Properties["hs_email_optout"]) || strings.TrimSpace(o.Properties["email"]) == "":
				continue // already opted out, or no address to opt out
			}
			if ie, err := c.unsubscribe(ctx, o.Properties["email"]); err != nil {
				return nil, err
			} else if ie != nil {
				results[i] = crmsync.Result{OpID: in[i].OpID, Err: ie}
			}
		}
	}
	return results, nil
}

// unsubscribe opts an address out of email. A refusal of this one address
// is an *ItemError; "already unsubscribed" is success.
func (c *Client) unsubscribe(ctx context.Context, email string) (*crmsync.ItemError, error) {
	const op = "opt out of email"
	body := map[string]any{
		"emailAddress":          strings.TrimSpace(email),
		"legalBasis":            "LEGITIMATE_INTEREST_OTHER",
		"legalBasisExplanation": "The contact asked the rep to stop (logged as opted out in Shortlist).",
	}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/communication-preferences/v3/unsubscribe", body: body, scope: "communication_preferences.write"})
	if err != nil {
		return nil, err
	}
	switch {
	case rep.status >= 200 && rep.status < 300:
		return nil, nil
	case rep.status == http.StatusBadRequest || rep.status == http.StatusNotFound || rep.status == http.StatusConflict:
		e := c.decodeAPIError(rep.body)
		if strings.Contains(strings.ToLower(e.Message), "already") {
			return nil, nil
		}
		return &crmsync.ItemError{Gone: rep.status == http.StatusNotFound, Message: "email opt-out: " + e.Message}, nil
	}
	return nil, c.failure(op, rep)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// updateAll sends batch updates of up to 100 and returns results in input
// order; a missing record is an *ItemError with Gone set.
func (c *Client) updateAll(ctx context.Context, objType string, items []creation) ([]crmsync.Result, error) {
	results := make([]crmsync.Result, len(items))
	var ok []creation
	for i, it := range items {
		results[i].OpID = it.opID
		if it.crmID == "" {
			results[i].Err = &crmsync.ItemError{Message: fmt.Sprintf("no HubSpot id for this %s update", singular[objType])}
			continue
		}
		ok = append(ok, it)
	}
	for chunk := range slices.Chunk(ok, 100) {
		inputs := make([]map[string]any, len(chunk))
		for i, it := range chunk {
			inputs[i] = map[string]any{"id": it.crmID, "properties": it.props}
		}
		if err := c.batch(ctx, "update "+objType, "/crm/v3/objects/"+objType+"/batch/update", chunk, inputs, false, results); err != nil {
			return nil, err
		}
	}
	return results, nil
}
