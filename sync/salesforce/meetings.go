package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

var _ crmsync.MeetingPuller = (*Client)(nil)

// sfEvent is what Shortlist reads of an Event it booked.
type sfEvent struct {
	ID             string `json:"Id"`
	StartDateTime  string `json:"StartDateTime"`
	IsDeleted      bool   `json:"IsDeleted"`
	OpID           string `json:"Shortlist_Op_Id__c"`
	SystemModstamp string `json:"SystemModstamp"`
}

// MeetingsModifiedSince pages through the Events Shortlist wrote (those
// with an operation id), changed or deleted at or after since, through
// queryAll so an Event deleted in Salesforce (in the recycle bin) comes back
// with IsDeleted: a meeting cancelled there. An Event purged from the
// recycle bin (after 15 days, or emptied) is not seen. An org without the
// operation-id field on Event holds no meeting Shortlist booked, so nothing
// is asked.
func (c *Client) MeetingsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledMeeting) error) error {
	return c.clean(c.meetingsModifiedSince(ctx, since, fn))
}

func (c *Client) meetingsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledMeeting) error) error {
	const op = "query changed events"
	fs, err := c.describe(ctx)
	if err != nil {
		return err
	}
	if !c.has(fs, "Event", fieldOpID) {
		return nil
	}
	soql := "SELECT Id, StartDateTime, IsDeleted, " + fieldOpID + ", SystemModstamp FROM Event WHERE " + fieldOpID + " != null"
	if !since.IsZero() {
		soql += " AND SystemModstamp >= " + stamp(since)
	}
	soql += " ORDER BY SystemModstamp, Id"
	return c.query(ctx, op, soql, true, func(raw []json.RawMessage) error {
		out := make([]model.PulledMeeting, 0, len(raw))
		for _, r := range raw {
			var e sfEvent
			if err := json.Unmarshal(r, &e); err != nil || !isID(e.ID) {
				return protocol(op, http.StatusOK, "an event does not decode")
			}
			mod, ok := parseTime(e.SystemModstamp)
			if !ok {
				return protocol(op, http.StatusOK, "event %s has no SystemModstamp", e.ID)
			}
			opID, mine := strings.CutPrefix(e.OpID, touchOpPrefix)
			if !mine {
				continue // an Event Shortlist did not write for a touch
			}
			m := model.PulledMeeting{CRMID: e.ID, OpID: text(opID), Deleted: e.IsDeleted, Modified: mod}
			if at, ok := parseTime(e.StartDateTime); ok {
				m.Start = at
			}
			out = append(out, m)
		}
		return fn(out)
	})
}
