package model

import "time"

// SignalKind says what the buyer did. Email opens are not signals: mail
// clients and privacy proxies open mail on their own, so an "open" says
// nothing a person did.
type SignalKind string

// Signal kinds.
const (
	SignalReplied SignalKind = "replied" // answered an email
	SignalForm    SignalKind = "form"    // submitted a form (a conversion)
	SignalMeeting SignalKind = "meeting" // booked or asked for a meeting
	SignalCalled  SignalKind = "called"  // called in
	SignalClicked SignalKind = "clicked" // clicked a link in an email the rep sent
	SignalVisited SignalKind = "visited" // came back to the website after a quiet spell
	SignalOther   SignalKind = "other"   // reached out some other way (logged by hand)
)

// SignalKinds lists every kind, in the order help texts show them.
var SignalKinds = []SignalKind{SignalReplied, SignalForm, SignalMeeting, SignalCalled, SignalClicked, SignalVisited, SignalOther}

// ParseSignalKind reads a kind as typed; ok is false for an unknown one.
func ParseSignalKind(s string) (SignalKind, bool) {
	for _, k := range SignalKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Signal sources.
const (
	SignalSourceManual  = "manual"  // the rep recorded it (l i, shortlist signal)
	SignalSourceHubSpot = "hubspot" // pulled from HubSpot
	SignalSourceSF      = "salesforce"
	SignalSourceDemo    = "demo"
)

// Signal is something a buyer did that asks for an answer. ContactID may be
// 0 when only the account is known. A signal is answered by the next touch
// on that contact (any channel), or on the account when it has no contact.
type Signal struct {
	ID        int64      `json:"id"`
	Key       string     `json:"-"` // dedupe key: source + the CRM's id or property and time; unique
	AccountID int64      `json:"account_id"`
	ContactID int64      `json:"contact_id,omitempty"`
	Kind      SignalKind `json:"kind"`
	At        time.Time  `json:"at"`
	Detail    string     `json:"detail"` // one line, e.g. "replied: 'Can we talk Thursday?'"
	Source    string     `json:"source"`
	// Channel is the channel the buyer used, which the answer should use
	// when the contact allows it ("" when none applies, e.g. a form).
	Channel    TaskKind  `json:"channel,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	AnsweredBy int64     `json:"answered_by,omitempty"` // the touch that answered it
}

// Answered reports whether a touch has answered the signal.
func (s Signal) Answered() bool { return !s.AnsweredAt.IsZero() }
