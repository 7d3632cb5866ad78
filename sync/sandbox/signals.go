package sandbox

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Buyers reaching out in the demo: every sync against the sandbox starts
// with one buyer's reply arriving in the CRM (an incoming email on a
// contact of the book), and every other one with a form fill too (the
// contact's recent conversion), so a newcomer who presses sync sees a buyer
// reach out and can answer them. Who reaches out is fixed by the book, so a
// test can say what arrives.

// Arrival is a signal the sandbox CRM made arrive before a sync.
type Arrival struct {
	Kind      model.SignalKind
	ContactID string // CRM id
	CompanyID string // CRM id
	Name      string // the contact's name
	Detail    string // what the book will show, e.g. "replied: 'Can we talk Thursday?'"
	RecordID  string // the email's id, for a reply
}

// person is a contact the sandbox may make reach out: one of the rep's
// contacts with an address the rep may write to.
type person struct {
	contactID, companyID, name string
	fit                        int
}

// replies are what the demo's buyers write back.
var replies = []string{
	"Can we talk Thursday?",
	"Send me the pricing sheet and we can take it from there.",
	"Good timing, we are reviewing vendors this quarter. Who should I loop in?",
	"Yes, a demo next week works. Tuesday afternoon?",
	"Forwarding this to our ops lead; she will reach out.",
}

// forms are the conversions the demo's buyers make.
var forms = []string{"Pricing request", "Demo request", "Contact sales"}

// candidates lists the people who may reach out: contacts with a CRM id and
// an email address not opted out, on accounts the rep keeps, with no signal
// of theirs waiting for an answer (waiting: their CRM ids), best fit first
// (they are who a newcomer looks at), ties by CRM id.
func candidates(seeded []model.AccountDetail, reassigned string, waiting []string) []person {
	var out []person
	for _, d := range seeded {
		if d.Account.CRMID == reassigned || d.Account.Status == model.StatusDisqualified {
			continue
		}
		for _, c := range d.Contacts {
			if c.CRMID == "" || c.Email == "" || c.Consent.Email.State == model.ConsentOptedOut || slices.Contains(waiting, c.CRMID) {
				continue
			}
			out = append(out, person{contactID: c.CRMID, companyID: d.Account.CRMID, name: c.Name(), fit: d.Account.Fit})
		}
	}
	slices.SortFunc(out, func(a, b person) int {
		if c := cmp.Compare(b.fit, a.fit); c != 0 {
			return c
		}
		if c := crmIDCompare(a.companyID, b.companyID); c != 0 {
			return c
		}
		return crmIDCompare(a.contactID, b.contactID)
	})
	return out
}

// pool is how many of the best-fit candidates take turns reaching out.
const pool = 12

// arrive makes the next buyers reach out, at now: called as a sync
// connects. The turn is the book's last sync (in seconds) plus the syncs
// this sandbox has served: the same book gets the same arrivals, and each
// demo sync, in a new process or not, someone else.
func (s *Sandbox) arrive(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.people) == 0 {
		return nil
	}
	n := min(len(s.people), pool)
	turn := s.turn + s.syncs
	s.syncs++
	p := s.next(turn, n)
	text := replies[turn%len(replies)]
	at := now.Add(-3 * time.Minute)
	props := map[string]string{
		"hs_timestamp":       strconv.FormatInt(at.UnixMilli(), 10),
		"hs_email_direction": "INCOMING_EMAIL",
		"hs_email_subject":   "Re: a quick question",
		"hs_email_text":      text + "\n\nOn " + at.Add(-48*time.Hour).Format("Mon, 2 Jan 2006") + ", " + OwnerEmail + " wrote:\n> Would a short call help?",
		"hubspot_owner_id":   s.owner,
	}
	// Ids unique across processes, as HubSpot's are: each demo sync seeds
	// a new sandbox from the book, whose own ids start over, and a reply
	// with the id of one already recorded would be taken for it.
	rid := now.UnixMilli()
	for {
		if _, taken := s.srv.Get("emails", strconv.FormatInt(rid, 10)); !taken {
			break
		}
		rid++
	}
	props["hs_object_id"] = strconv.FormatInt(rid, 10)
	id := s.srv.PutAt("emails", props, now)
	if err := s.srv.Associate("emails", id, "contacts", p.contactID); err != nil {
		return fmt.Errorf("demo reply: %w", err)
	}
	if err := s.srv.Associate("emails", id, "companies", p.companyID); err != nil {
		return fmt.Errorf("demo reply: %w", err)
	}
	s.arrivals = append(s.arrivals, Arrival{Kind: model.SignalReplied, ContactID: p.contactID, CompanyID: p.companyID,
		Name: p.name, Detail: "replied: '" + text + "'", RecordID: id})
	if turn%2 == 1 && n > 1 {
		q := s.next(turn+n/2, n)
		if q.contactID == p.contactID {
			return nil
		}
		form := forms[turn%len(forms)]
		if err := s.srv.Update("contacts", q.contactID, map[string]string{
			"recent_conversion_date":       strconv.FormatInt(now.Add(-12*time.Minute).UnixMilli(), 10),
			"recent_conversion_event_name": form,
		}); err != nil {
			return fmt.Errorf("demo form fill: %w", err)
		}
		s.arrivals = append(s.arrivals, Arrival{Kind: model.SignalForm, ContactID: q.contactID, CompanyID: q.companyID,
			Name: q.name, Detail: "form: " + form})
	}
	return nil
}

// next is the person whose turn it is among the first n: from turn on,
// the first who has not reached out in this process yet (all have: the one
// at turn).
func (s *Sandbox) next(turn, n int) person {
	for i := range n {
		p := s.people[(turn+i)%n]
		if !slices.ContainsFunc(s.arrivals, func(a Arrival) bool { return a.ContactID == p.contactID }) {
			return p
		}
	}
	return s.people[turn%n]
}

// Arrivals lists the signals the sandbox made arrive so far, oldest first.
func (s *Sandbox) Arrivals() []Arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.arrivals)
}

// isConnect reports whether a request is the one a sync starts with (the
// adapter's owner lookup).
func isConnect(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/crm/v3/owners"
}
