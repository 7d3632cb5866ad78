package hubspot

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
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
// as Shortlist's contact properties (which the pull reads back), and an email
// opt-out through the communication-preferences v4 API: HubSpot does not let
// hs_email_optout be written, and v3's unsubscribe needs a subscription id
// and opts out of that one type only. An opt-out lifted locally is not
// re-subscribed: that needs the contact's own consent.
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
		// One request for every address still to opt out; an address two
		// contacts share goes once and both get its result.
		byAddr := map[string][]int{}
		var addrs []string
		for _, i := range chunk {
			o, ok := got[in[i].CRMID]
			switch {
			case !ok:
				results[i] = crmsync.Result{OpID: in[i].OpID, Err: &crmsync.ItemError{Gone: true, Message: "the contact was deleted in HubSpot"}}
				continue
			case truthy(o.Properties["hs_email_optout"]) || strings.TrimSpace(o.Properties["email"]) == "":
				continue // already opted out, or no address to opt out
			}
			a := strings.TrimSpace(o.Properties["email"])
			k := strings.ToLower(a)
			if _, seen := byAddr[k]; !seen {
				addrs = append(addrs, a)
			}
			byAddr[k] = append(byAddr[k], i)
		}
		failed, err := c.unsubscribeAll(ctx, addrs)
		if err != nil {
			return nil, err
		}
		for k, ie := range failed {
			for _, i := range byAddr[k] {
				results[i] = crmsync.Result{OpID: in[i].OpID, Err: ie}
			}
		}
	}
	return results, nil
}

// unsubscribeAll opts addresses out of all email in one request (v4
// batch unsubscribe-all on the EMAIL channel; at most 100). It returns, by
// lower-case address, the ones HubSpot refused, each as an *ItemError: held
// back with HubSpot's reason, or queued again when the reply does not
// mention the address. A 207 refuses some and applies the rest.
func (c *Client) unsubscribeAll(ctx context.Context, addrs []string) (map[string]*crmsync.ItemError, error) {
	const op = "opt out of email"
	failed := map[string]*crmsync.ItemError{}
	if len(addrs) == 0 {
		return failed, nil
	}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/communication-preferences/v4/statuses/batch/unsubscribe-all",
		query: url.Values{"channel": {"EMAIL"}}, body: map[string]any{"inputs": addrs}, scope: "communication_preferences.statuses.batch.write"})
	if err != nil {
		return nil, err
	}
	switch rep.status {
	case http.StatusOK, http.StatusMultiStatus:
	case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity:
		// The whole batch refused: each address alone, so one bad address
		// holds back only itself.
		if len(addrs) > 1 {
			h := len(addrs) / 2
			for _, part := range [][]string{addrs[:h], addrs[h:]} {
				f, err := c.unsubscribeAll(ctx, part)
				if err != nil {
					return nil, err
				}
				maps.Copy(failed, f)
			}
			return failed, nil
		}
		e := c.decodeAPIError(rep.body)
		failed[strings.ToLower(addrs[0])] = &crmsync.ItemError{Message: "email opt-out: " + orText(e.Message, fmt.Sprintf("HubSpot refused it (HTTP %d)", rep.status))}
		return failed, nil
	default:
		return nil, c.failure(op, rep)
	}
	var br struct {
		Results []struct {
			SubscriberIDString string `json:"subscriberIdString"`
		} `json:"results"`
		Errors []struct {
			Message  string              `json:"message"`
			Category string              `json:"category"`
			Context  map[string][]string `json:"context"`
		} `json:"errors"`
	}
	if err := c.decode(op, rep, &br); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, r := range br.Results {
		done[strings.ToLower(strings.TrimSpace(r.SubscriberIDString))] = true
	}
	mine := map[string]bool{}
	for _, a := range addrs {
		mine[strings.ToLower(a)] = true
	}
	var stray *crmsync.ItemError
	for _, e := range br.Errors {
		ie := &crmsync.ItemError{Message: "email opt-out: " + orText(c.scrub(text(e.Message)), "HubSpot refused it")}
		named := false
		for _, vs := range e.Context {
			for _, v := range vs {
				if k := strings.ToLower(strings.TrimSpace(v)); mine[k] {
					failed[k], named = ie, true
				}
			}
		}
		if !named {
			stray = ie
		}
	}
	for _, a := range addrs {
		k := strings.ToLower(a)
		switch {
		case done[k] || failed[k] != nil:
		case stray != nil:
			failed[k] = stray
		default:
			failed[k] = &crmsync.ItemError{Retry: true, Message: "email opt-out: HubSpot's reply does not mention the address; it is sent again next sync"}
		}
	}
	return failed, nil
}

// orText is s, or def when s is empty.
func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
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
