package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// Buyer signals in Salesforce, read incrementally by SystemModstamp like
// the other pulls: calls in (the Tasks Salesforce logs with TaskSubtype
// Call and CallType Inbound; a call Shortlist pushed carries its operation
// id and is passed over) and replies (incoming EmailMessages, on the
// contact their FromAddress relation names; Shortlist files the rep's
// emails as Tasks, never as EmailMessages). An org without Enhanced Email
// has no EmailMessage: that kind is simply absent. Not read yet:
// CampaignMember responses.

var _ crmsync.SignalCRM = (*Client)(nil)

// SignalStreams names the records read for signals.
func (c *Client) SignalStreams() []string { return []string{"calls", "emails"} }

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
	switch stream {
	case "emails":
		return c.clean(c.replies(ctx, since, fn))
	case "calls":
	default:
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
			if said := model.FirstWrittenLine(t.Description); said != "" {
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

// sfEmail is an incoming EmailMessage as the signal query reads it.
type sfEmail struct {
	ID             string `json:"Id"`
	Subject        string `json:"Subject"`
	TextBody       string `json:"TextBody"`
	MessageDate    string `json:"MessageDate"`
	RelatedToID    string `json:"RelatedToId"`
	CreatedDate    string `json:"CreatedDate"`
	SystemModstamp string `json:"SystemModstamp"`
}

// replies reads incoming EmailMessages modified at or after since, and for
// each page their senders (EmailMessageRelation, FromAddress), 200 at a
// time: a reply from a contact is theirs, one from anyone else (a lead, an
// address Salesforce does not know) its related account's.
func (c *Client) replies(ctx context.Context, since time.Time, fn func([]model.PulledSignal, time.Time) error) error {
	const op = "query incoming emails"
	rep, err := c.do(ctx, request{op: "describe EmailMessage", method: http.MethodGet, path: c.data("/sobjects/EmailMessage/describe")})
	if err != nil {
		return err
	}
	if rep.status == http.StatusNotFound {
		return nil // no Enhanced Email in this org
	}
	if rep.status != http.StatusOK {
		return c.failure("describe EmailMessage", rep)
	}
	soql := "SELECT Id, Subject, TextBody, MessageDate, RelatedToId, CreatedDate, SystemModstamp FROM EmailMessage WHERE Incoming = true"
	if !since.IsZero() {
		soql += " AND SystemModstamp >= " + stamp(since)
	}
	soql += " ORDER BY SystemModstamp, Id"
	return c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
		var covered time.Time
		var mails []sfEmail
		for _, r := range raw {
			var m sfEmail
			if err := json.Unmarshal(r, &m); err != nil {
				return protocol(op, http.StatusOK, "an email that does not decode: %v", err)
			}
			if mod, ok := parseTime(m.SystemModstamp); ok && mod.After(covered) {
				covered = mod
			}
			if text(m.ID) != "" {
				mails = append(mails, m)
			}
		}
		if covered.IsZero() {
			return nil
		}
		from, err := c.senders(ctx, mails)
		if err != nil {
			return err
		}
		var out []model.PulledSignal
		for _, m := range mails {
			at, ok := parseTime(m.MessageDate)
			if !ok {
				if at, ok = parseTime(m.CreatedDate); !ok {
					continue
				}
			}
			said := model.FirstWrittenLine(m.TextBody)
			if said == "" {
				said = text(m.Subject)
			}
			detail := "replied"
			if said != "" {
				detail = "replied: '" + said + "'"
			}
			ps := model.PulledSignal{Signal: model.Signal{Key: model.SignalRecordKey(model.SignalSourceSF, "emails", text(m.ID)),
				Kind: model.SignalReplied, At: at, Detail: detail, Source: model.SignalSourceSF, Channel: model.TaskEmail}}
			if who := from[m.ID]; who != "" {
				ps.ContactID = who
			} else {
				ps.CompanyID = text(m.RelatedToID)
			}
			out = append(out, ps)
		}
		return fn(out, covered)
	})
}

// senders maps each email's id to the contact that sent it (its
// FromAddress relation, when that is a contact).
func (c *Client) senders(ctx context.Context, mails []sfEmail) (map[string]string, error) {
	const op = "query email senders"
	out := map[string]string{}
	for chunk := range slices.Chunk(mails, 200) {
		ids := make([]string, len(chunk))
		for i, m := range chunk {
			ids[i] = quote(m.ID)
		}
		soql := "SELECT EmailMessageId, RelationId FROM EmailMessageRelation WHERE RelationType = 'FromAddress' AND EmailMessageId IN (" +
			strings.Join(ids, ", ") + ")"
		err := c.query(ctx, op, soql, false, func(raw []json.RawMessage) error {
			for _, r := range raw {
				var rel struct {
					EmailMessageID string `json:"EmailMessageId"`
					RelationID     string `json:"RelationId"`
				}
				if err := json.Unmarshal(r, &rel); err != nil {
					return protocol(op, http.StatusOK, "a relation that does not decode: %v", err)
				}
				who := text(rel.RelationID)
				if who != "" && !strings.HasPrefix(who, "00Q") && !strings.HasPrefix(who, "005") { // not a lead, not a user
					out[rel.EmailMessageID] = who
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
