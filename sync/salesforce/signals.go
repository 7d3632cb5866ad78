package salesforce

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// Buyer signals in Salesforce, a start: calls in, the Tasks Salesforce logs
// with TaskSubtype Call and CallType Inbound, read incrementally by
// SystemModstamp like the other pulls. A call Shortlist pushed carries its
// operation id and is passed over. Not read yet: incoming EmailMessages
// (their sender is an EmailMessageRelation) and CampaignMember responses.

var _ crmsync.SignalCRM = (*Client)(nil)

// SignalStreams names the records read for signals.
func (c *Client) SignalStreams() []string { return []string{"calls"} }

// sfCall is an inbound call Task as the signal query reads it.
type sfCall struct {
	ID                string `json:"Id"`
	Subject           string `json:"Subject"`
	Description       string `json:"Description"`
	WhoID             string `json:"WhoId"`
	AccountID         string `json:"AccountId"`
	CreatedDate       string `json:"CreatedDate"`
	CompletedDateTime string `json:"CompletedDateTime"`
	SystemModstamp    string `json:"SystemModstamp"`
	OpID              string `json:"Shortlist_Op_Id__c"`
}

// SignalsModifiedSince calls fn with each page of inbound call Tasks
// modified at or after since, in SystemModstamp order: each on its contact
// (WhoId, when it is one) or else its account.
func (c *Client) SignalsModifiedSince(ctx context.Context, stream string, since time.Time, fn func([]model.PulledSignal, time.Time) error) error {
	if stream != "calls" {
		return nil
	}
	const op = "query calls in"
	fs, err := c.describe(ctx)
	if err != nil {
		return c.clean(err)
	}
	fields := "Id, Subject, Description, WhoId, AccountId, CreatedDate, CompletedDateTime, SystemModstamp"
	if c.has(fs, "Task", fieldOpID) {
		fields += ", " + fieldOpID
	}
	soql := "SELECT " + fields + " FROM Task WHERE TaskSubtype = 'Call' AND CallType = 'Inbound'"
	if !since.IsZero() {
		soql += " AND SystemModstamp >= " + stamp(since)
	}
	soql += " ORDER BY SystemModstamp, Id"
	return c.clean(c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		var out []model.PulledSignal
		var covered time.Time
		for _, r := range raw {
			var t sfCall
			if err := json.Unmarshal(r, &t); err != nil {
				return protocol(op, 200, "a task that does not decode: %v", err)
			}
			if mod, ok := parseTime(t.SystemModstamp); ok && mod.After(covered) {
				covered = mod
			}
			if text(t.OpID) != "" || text(t.ID) == "" {
				continue // Shortlist pushed it: the rep's own record
			}
			at, ok := parseTime(t.CompletedDateTime)
			if !ok {
				if at, ok = parseTime(t.CreatedDate); !ok {
					continue
				}
			}
			detail := "called in"
			if said := firstLine(t.Description); said != "" {
				detail += ": '" + said + "'"
			} else if s := text(t.Subject); s != "" && !strings.EqualFold(s, "call") {
				detail += ": '" + s + "'"
			}
			ps := model.PulledSignal{Signal: model.Signal{Key: model.SignalRecordKey(model.SignalSourceSF, "calls", text(t.ID)),
				Kind: model.SignalCalled, At: at, Detail: detail, Source: model.SignalSourceSF, Channel: model.TaskCall}}
			if who := text(t.WhoID); who != "" && !strings.HasPrefix(who, "00Q") { // a contact; 00Q is a lead
				ps.ContactID = who
			} else {
				ps.CompanyID = text(t.AccountID)
			}
			out = append(out, ps)
		}
		if covered.IsZero() {
			return nil
		}
		return fn(out, covered)
	}))
}

// firstLine is the first non-blank line of a description.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return model.SignalDetail(l)
		}
	}
	return ""
}
