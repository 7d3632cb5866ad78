package hubspot

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// Buyer signals in HubSpot (model.Signal), read with what the sync reads
// already: the contact properties below come with every contact pulled (no
// request of their own), and three engagement searches, one per type, read
// the records that say a buyer reached out, incrementally by their modified
// date. Property names and values as HubSpot's published specs give them
// (the contact property list of the Conversations custom-channels spec, the
// Scheduler spec's hs_engagement_source) and its engagement docs.
//
// Not signals: email opens (hs_email_last_open_date,
// hs_sales_email_last_opened), which mail clients and privacy proxies make
// on their own; records Shortlist pushed (they carry its operation id); the
// rep's own outgoing emails and calls.

// Contact properties that say when the buyer last did something.
const (
	propConversionAt   = "recent_conversion_date"       // a form submitted (with its name below)
	propConversionName = "recent_conversion_event_name" // e.g. "Pricing request"
	propSalesReplied   = "hs_sales_email_last_replied"  // replied to a sales email the rep sent
	propSalesClicked   = "hs_sales_email_last_clicked"  // clicked a link in a sales email the rep sent
	propMarketClicked  = "hs_email_last_click_date"     // clicked a link in a marketing email
	propLastVisit      = "hs_analytics_last_visit_timestamp"
)

// contactSignals are what a contact's properties say the buyer did. Each
// key is the property and its value, so the same value read again is the
// same signal; the store drops those older than its window and decides
// whether a visit is a return.
func contactSignals(contactID string, p props) []model.PulledSignal {
	var out []model.PulledSignal
	add := func(prop string, kind model.SignalKind, channel model.TaskKind, detail string) {
		at, ok := parseTime(p[prop])
		if !ok {
			return
		}
		out = append(out, model.PulledSignal{ContactID: contactID, Signal: model.Signal{
			Key:  model.SignalPropertyKey(model.SignalSourceHubSpot, prop, contactID, at),
			Kind: kind, At: at, Detail: detail, Source: model.SignalSourceHubSpot, Channel: channel,
		}})
	}
	form := "form"
	if name := text(p[propConversionName]); name != "" {
		form = "form: " + name
	}
	add(propConversionAt, model.SignalForm, "", form)
	add(propSalesReplied, model.SignalReplied, model.TaskEmail, "replied to your email")
	add(propSalesClicked, model.SignalClicked, model.TaskEmail, "clicked a link in your email")
	add(propMarketClicked, model.SignalClicked, model.TaskEmail, "clicked a link in a marketing email")
	add(propLastVisit, model.SignalVisited, "", "back on the website after a quiet spell")
	return out
}

// signalStream is one engagement type read for signals.
type signalStream struct {
	filters []filter // what the search matches besides the modified date
	props   []string
	// signal reads a record as a signal; ok is false when it is not one.
	signal func(o object) (model.Signal, bool)
}

var signalStreams = map[string]signalStream{
	// A reply from the buyer: an email HubSpot logged as incoming.
	"emails": {
		filters: []filter{{PropertyName: "hs_email_direction", Operator: "EQ", Value: "INCOMING_EMAIL"}},
		props:   []string{"hs_timestamp", "hs_email_subject", "hs_email_text", "hs_email_direction", propOpID, "hs_lastmodifieddate"},
		signal: func(o object) (model.Signal, bool) {
			p := o.Properties
			if !strings.EqualFold(p["hs_email_direction"], "INCOMING_EMAIL") {
				return model.Signal{}, false
			}
			said := firstLine(p["hs_email_text"])
			if said == "" {
				said = text(p["hs_email_subject"])
			}
			detail := "replied"
			if said != "" {
				detail = "replied: '" + said + "'"
			}
			return engagementSignal(o, "emails", model.SignalReplied, model.TaskEmail, p["hs_timestamp"], detail)
		},
	},
	// A call in: a call logged as inbound.
	"calls": {
		filters: []filter{{PropertyName: "hs_call_direction", Operator: "EQ", Value: "INBOUND"}},
		props:   []string{"hs_timestamp", "hs_call_title", "hs_call_body", "hs_call_direction", propOpID, "hs_lastmodifieddate"},
		signal: func(o object) (model.Signal, bool) {
			p := o.Properties
			if !strings.EqualFold(p["hs_call_direction"], "INBOUND") {
				return model.Signal{}, false
			}
			detail := "called in"
			if said := firstLine(p["hs_call_body"]); said != "" {
				detail += ": '" + said + "'"
			} else if title := text(p["hs_call_title"]); title != "" {
				detail += ": '" + title + "'"
			}
			return engagementSignal(o, "calls", model.SignalCalled, model.TaskCall, p["hs_timestamp"], detail)
		},
	},
	// A meeting the contact booked on a scheduling page. The search cannot
	// OR the two properties that tell within the modified-date walk, so
	// every meeting changed is read and those not booked by the buyer are
	// passed over here.
	"meetings": {
		props: []string{"hs_timestamp", "hs_createdate", "hs_meeting_title", "hs_meeting_start_time", "hs_meeting_outcome",
			"hs_engagement_source", "hs_meeting_source", propOpID, "hs_lastmodifieddate"},
		signal: func(o object) (model.Signal, bool) {
			p := o.Properties
			if !bookedByBuyer(p) || strings.EqualFold(p["hs_meeting_outcome"], "CANCELED") {
				return model.Signal{}, false
			}
			detail := "booked a meeting"
			if title := text(p["hs_meeting_title"]); title != "" {
				detail += ": '" + title + "'"
			}
			if start, ok := parseTime(p["hs_meeting_start_time"]); ok {
				detail += " for " + start.UTC().Format("Mon 2 Jan 15:04 UTC")
			}
			at := p["hs_createdate"] // when they booked it, not when it is
			if at == "" {
				at = o.CreatedAt
			}
			return engagementSignal(o, "meetings", model.SignalMeeting, "", at, detail)
		},
	},
}

// bookedByBuyer reports whether a meeting was booked on a scheduling page
// (by the buyer) rather than logged or scheduled by someone at the firm.
func bookedByBuyer(p props) bool {
	switch strings.ToUpper(strings.TrimSpace(p["hs_meeting_source"])) {
	case "MEETINGS_PUBLIC", "MEETINGS_EMBEDDED":
		return true
	}
	return strings.EqualFold(strings.TrimSpace(p["hs_engagement_source"]), "MEETINGS")
}

// engagementSignal is the signal an engagement record is, keyed by its id;
// ok is false for a record Shortlist pushed (its operation id is set) or one
// without a time.
func engagementSignal(o object, objType string, kind model.SignalKind, channel model.TaskKind, at, detail string) (model.Signal, bool) {
	if text(o.Properties[propOpID]) != "" {
		return model.Signal{}, false // our own push coming back
	}
	t, ok := parseTime(at)
	if !ok {
		return model.Signal{}, false
	}
	return model.Signal{Key: model.SignalRecordKey(model.SignalSourceHubSpot, objType, text(string(o.ID))),
		Kind: kind, At: t, Detail: detail, Source: model.SignalSourceHubSpot, Channel: channel}, true
}

// htmlBreak and htmlTag turn an email's HTML into the lines its text
// carries: line breaks (and block ends) become new lines, other tags go.
var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
)

// firstLine is the first line the buyer wrote in a body, markup dropped and
// entities decoded (model.FirstWrittenLine).
func firstLine(body string) string {
	return model.FirstWrittenLine(html.UnescapeString(htmlTag.ReplaceAllString(htmlBreak.ReplaceAllString(body, "\n"), "")))
}

// SignalStreams names the engagement types read for signals.
func (c *Client) SignalStreams() []string { return []string{"emails", "calls", "meetings"} }

// SignalsModifiedSince pages through a stream's records modified at or
// after since, oldest first, as the other incremental pulls do, and reads
// each page's contacts (and, for records on no contact, companies) with v4
// association batches: two requests a page at most, none per contact. A
// record on several contacts is given for each, in association order; the
// store keeps the first the book holds (one key, one signal).
func (c *Client) SignalsModifiedSince(ctx context.Context, stream string, since time.Time, fn func([]model.PulledSignal, time.Time) error) error {
	st, ok := signalStreams[stream]
	if !ok {
		return nil
	}
	s := modifiedSearch{
		op: "search " + stream + " for signals", objType: stream, scope: "crm.objects.contacts.read", modProp: "hs_lastmodifieddate",
		filters: st.filters, props: st.props,
	}
	type item struct {
		id       string
		modified time.Time
		signals  []model.PulledSignal
	}
	conv := func(ctx context.Context, objs []object) ([]item, error) {
		out := make([]item, 0, len(objs))
		var ids []string
		sigs := map[string]model.Signal{}
		for _, o := range objs {
			id := text(string(o.ID))
			if id == "" {
				return nil, protocol(s.op, http.StatusOK, "a record without an id")
			}
			mod, ok := parseTime(o.Properties["hs_lastmodifieddate"])
			if !ok {
				if mod, ok = parseTime(o.UpdatedAt); !ok {
					continue
				}
			}
			out = append(out, item{id: id, modified: mod})
			if sig, ok := st.signal(o); ok {
				sigs[id] = sig
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return out, nil
		}
		contacts, err := c.associations(ctx, stream, "contacts", ids)
		if err != nil {
			return nil, err
		}
		var bare []string
		for _, id := range ids {
			if len(contacts[id]) == 0 {
				bare = append(bare, id)
			}
		}
		companies := map[string][]assocTo{}
		if len(bare) > 0 {
			if companies, err = c.associations(ctx, stream, "companies", bare); err != nil {
				return nil, err
			}
		}
		for i := range out {
			sig, ok := sigs[out[i].id]
			if !ok {
				continue
			}
			for _, a := range contacts[out[i].id] {
				out[i].signals = append(out[i].signals, model.PulledSignal{Signal: sig, ContactID: text(a.id)})
			}
			if len(contacts[out[i].id]) == 0 {
				for _, a := range companies[out[i].id] {
					out[i].signals = append(out[i].signals, model.PulledSignal{Signal: sig, CompanyID: text(a.id)})
				}
			}
		}
		return out, nil
	}
	stamp := func(it item) (time.Time, string) { return it.modified, it.id }
	return c.clean(walkModified(ctx, c, s, since, conv, stamp, func(page []item) error {
		var sigs []model.PulledSignal
		var covered time.Time
		for _, it := range page {
			sigs = append(sigs, it.signals...)
			if it.modified.After(covered) {
				covered = it.modified
			}
		}
		return fn(sigs, covered)
	}))
}

var _ crmsync.SignalCRM = (*Client)(nil)
