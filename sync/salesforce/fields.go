package salesforce

import (
	"context"
	"net/http"
	"strings"

	crmsync "github.com/shortlisthq/shortlist/sync"
)

// fieldSpecs is how Shortlist's custom fields are created through the
// Tooling API: the object they go on ("Activity" puts one field on Task
// and Event) and their CustomField metadata.
var fieldSpecs = map[string]struct {
	object   string
	metadata map[string]any
}{
	fieldOpID: {"Activity", map[string]any{"label": "Shortlist Op Id", "type": "Text", "length": 64,
		"externalId": true, "unique": true, "caseSensitive": false,
		"description": "Shortlist's operation id: makes every write from Shortlist an upsert, so a retry never duplicates"}},
	fieldStatus:     {"Account", map[string]any{"label": "Shortlist Status", "type": "Text", "length": 40}},
	fieldNoLinkedIn: {"Contact", map[string]any{"label": "Shortlist No LinkedIn", "type": "Checkbox", "defaultValue": "false"}},
	fieldPhoneBad:   {"Contact", map[string]any{"label": "Shortlist Phone Bad", "type": "Checkbox", "defaultValue": "false"}},
}

// AddFields creates the custom fields Prepare found missing (a
// *crmsync.FieldsMissingError's), each with one Tooling API request (POST
// tooling/sobjects/CustomField), and returns the full names it created
// ("Activity.Shortlist_Op_Id__c"). Task's and Event's operation id is one
// Activity field. A field that exists but is not External ID and Unique is
// left alone (changing it is an admin's call) and not returned; one created
// meanwhile by someone else counts as there. The rep's user needs Customize
// Application: without it the refusal is a *crmsync.ScopeError (Salesforce
// answers 403, or 400 INSUFFICIENT_ACCESS…; which one is unverified, both
// are read). Salesforce grants a field created this way to no profile, so
// the next Prepare may still not see it: Field-Level Security is the
// admin's step.
func (c *Client) AddFields(ctx context.Context, missing []crmsync.MissingField) ([]string, error) {
	out, err := c.addFields(ctx, missing)
	c.mu.Lock()
	c.fields, c.ready = nil, false // describe again: what Prepare saw has changed
	c.mu.Unlock()
	return out, c.clean(err)
}

func (c *Client) addFields(ctx context.Context, missing []crmsync.MissingField) ([]string, error) {
	const op = "add custom fields"
	var out []string
	done := map[string]bool{}
	for _, m := range missing {
		spec, ok := fieldSpecs[m.Field]
		if !ok || m.Kind == kindMarkUnique {
			continue // not one Shortlist creates, or it exists and needs an admin
		}
		full := spec.object + "." + m.Field
		if done[full] {
			continue
		}
		done[full] = true
		rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: c.data("/tooling/sobjects/CustomField"),
			body: map[string]any{"FullName": full, "Metadata": spec.metadata}})
		if err != nil {
			return out, err
		}
		e := firstError(rep.body)
		switch {
		case rep.status == http.StatusCreated || rep.status == http.StatusOK:
			out = append(out, full)
		case e.ErrorCode == "DUPLICATE_DEVELOPER_NAME":
			// Made meanwhile (another rep's doctor --fix): it is there.
		case strings.HasPrefix(e.ErrorCode, "INSUFFICIENT_ACCESS"):
			return out, &crmsync.ScopeError{Op: op, CRM: "Salesforce", Detail: text(e.ErrorCode) + ": " + c.scrub(text(e.Message))}
		default:
			return out, c.failure(op+" ("+full+")", rep)
		}
	}
	return out, nil
}
