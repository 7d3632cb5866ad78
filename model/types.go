// Package model is Shortlist's domain: accounts, contacts, touches, tasks, the
// ICP profile and the pure logic over them (fit, ranking, guardrails, outcome
// rules). It imports only the standard library; storage, sync and ui depend on
// it, never the other way round.
package model

import (
	"fmt"
	"strings"
	"time"
)

// AccountStatus is where an account stands in the rep's pipeline.
type AccountStatus string

// Account statuses.
const (
	StatusTarget       AccountStatus = "target"
	StatusWorking      AccountStatus = "working"
	StatusEngaged      AccountStatus = "engaged"
	StatusOpportunity  AccountStatus = "opportunity"
	StatusNurture      AccountStatus = "nurture"
	StatusDisqualified AccountStatus = "disqualified"
)

// AccountStatuses lists every status in pipeline order.
var AccountStatuses = []AccountStatus{StatusTarget, StatusWorking, StatusEngaged, StatusOpportunity, StatusNurture, StatusDisqualified}

// Persona is a contact's role in the buying committee.
type Persona string

// Personas.
const (
	PersonaDecisionMaker Persona = "decision-maker"
	PersonaChampion      Persona = "champion"
	PersonaInfluencer    Persona = "influencer"
	PersonaUser          Persona = "user"
	PersonaUnknown       Persona = "unknown"
)

// Personas lists every persona, most senior in the buying committee first.
var Personas = []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer, PersonaUser, PersonaUnknown}

// Seniority is a contact's level, derived from the title.
type Seniority string

// Seniorities.
const (
	SeniorityCLevel     Seniority = "c-level"
	SeniorityVP         Seniority = "vp"
	SeniorityDirector   Seniority = "director"
	SeniorityManager    Seniority = "manager"
	SeniorityIndividual Seniority = "individual"
	SeniorityUnknown    Seniority = "unknown"
)

// Seniorities lists every level, highest first.
var Seniorities = []Seniority{SeniorityCLevel, SeniorityVP, SeniorityDirector, SeniorityManager, SeniorityIndividual, SeniorityUnknown}

// Channel is how a touch reached (or came from) a contact.
type Channel string

// Channels.
const (
	ChannelCall     Channel = "call"
	ChannelEmail    Channel = "email"
	ChannelLinkedIn Channel = "linkedin"
	ChannelMeeting  Channel = "meeting"
	ChannelVisit    Channel = "visit"
	ChannelNote     Channel = "note"
)

// Channels lists every channel.
var Channels = []Channel{ChannelCall, ChannelEmail, ChannelLinkedIn, ChannelMeeting, ChannelVisit, ChannelNote}

// ConsentChannels are the channels a contact can opt out of.
var ConsentChannels = []Channel{ChannelCall, ChannelEmail, ChannelLinkedIn}

// Direction says who started a touch.
type Direction string

// Directions.
const (
	Outbound Direction = "outbound"
	Inbound  Direction = "inbound"
)

// Outcome is what came of a touch. Names are kebab-case, as typed on the
// command line.
type Outcome string

// Outcomes.
const (
	OutcomeNoAnswer      Outcome = "no-answer"
	OutcomeBusy          Outcome = "busy"
	OutcomeLeftVoicemail Outcome = "left-voicemail"
	OutcomeConnected     Outcome = "connected"
	OutcomeMeetingBooked Outcome = "meeting-booked"
	OutcomeNotInterested Outcome = "not-interested"
	OutcomeBadTiming     Outcome = "bad-timing"
	OutcomeWrongPerson   Outcome = "wrong-person"
	OutcomeWrongNumber   Outcome = "wrong-number"
	OutcomeOptedOut      Outcome = "opted-out"
	OutcomeSent          Outcome = "sent" // an email or LinkedIn message went out; no reply yet
)

// Outcomes lists every outcome in the order the log screen offers them.
var Outcomes = []Outcome{
	OutcomeNoAnswer, OutcomeBusy, OutcomeLeftVoicemail, OutcomeConnected, OutcomeMeetingBooked,
	OutcomeNotInterested, OutcomeBadTiming, OutcomeWrongPerson, OutcomeWrongNumber, OutcomeOptedOut, OutcomeSent,
}

// Label is the outcome as a person reads it.
func (o Outcome) Label() string {
	switch o {
	case OutcomeWrongPerson:
		return "wrong person (referral)"
	default:
		return strings.ReplaceAll(string(o), "-", " ")
	}
}

// TaskKind is what a next action asks the rep to do.
type TaskKind string

// Task kinds.
const (
	TaskCall     TaskKind = "call"
	TaskEmail    TaskKind = "email"
	TaskLinkedIn TaskKind = "linkedin"
	TaskTodo     TaskKind = "todo"
)

// TaskKinds lists every task kind.
var TaskKinds = []TaskKind{TaskCall, TaskEmail, TaskLinkedIn, TaskTodo}

// Channel is the consent channel a task of this kind would use, or "" for a
// todo, which contacts nobody.
func (k TaskKind) Channel() Channel {
	switch k {
	case TaskCall:
		return ChannelCall
	case TaskEmail:
		return ChannelEmail
	case TaskLinkedIn:
		return ChannelLinkedIn
	}
	return ""
}

// TaskStatus is where a task stands.
type TaskStatus string

// Task statuses.
const (
	TaskOpen    TaskStatus = "open"
	TaskDone    TaskStatus = "done"
	TaskSkipped TaskStatus = "skipped"
	TaskSnoozed TaskStatus = "snoozed" // open again from SnoozedUntil
	// TaskSuperseded: closed because a newer follow-up of the same kind on
	// the same contact replaced it (no pile-up of "call again" tasks).
	TaskSuperseded TaskStatus = "superseded"
)

// Closed reports whether a task of this status is finished: done, skipped
// or superseded.
func (s TaskStatus) Closed() bool {
	return s == TaskDone || s == TaskSkipped || s == TaskSuperseded
}

// Priority of a task.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
)

// Origin says where a record was created.
type Origin string

// Origins.
const (
	OriginCRM   Origin = "crm"
	OriginLocal Origin = "local"
)

// Tier is an account's ICP tier, A (best fit) to D.
type Tier string

// Tiers.
const (
	TierA Tier = "A"
	TierB Tier = "B"
	TierC Tier = "C"
	TierD Tier = "D"
)

// Tiers lists every tier, best first.
var Tiers = []Tier{TierA, TierB, TierC, TierD}

// Account is a company on the rep's list.
type Account struct {
	ID            int64         `json:"id"`
	CRMID         string        `json:"crm_id,omitempty"`
	Name          string        `json:"name"`
	Domain        string        `json:"domain,omitempty"`
	Industry      string        `json:"industry,omitempty"`
	Employees     *int64        `json:"employees"`      // nil: unknown
	AnnualRevenue *int64        `json:"annual_revenue"` // whole currency units; nil: unknown
	Country       string        `json:"country,omitempty"`
	Region        string        `json:"region,omitempty"`
	City          string        `json:"city,omitempty"`
	TimeZone      string        `json:"time_zone,omitempty"` // IANA name
	Technologies  []string      `json:"technologies,omitempty"`
	Owner         string        `json:"owner,omitempty"`
	Status        AccountStatus `json:"status"`
	CRMTier       string        `json:"crm_tier,omitempty"` // the CRM's own ICP tier, if any
	DoNotContact  bool          `json:"do_not_contact"`
	LastTouched   time.Time     `json:"last_touched"` // zero: never
	CRMURL        string        `json:"crm_url,omitempty"`
	Fit           int           `json:"fit"`  // 0–100, as last scored
	Tier          Tier          `json:"tier"` // as last scored
	UpdatedAt     time.Time     `json:"updated_at"`
}

// ConsentState says whether a contact may be reached on a channel.
type ConsentState string

// Consent states.
const (
	ConsentAllowed  ConsentState = "allowed"
	ConsentOptedOut ConsentState = "opted-out"
)

// Consent is a contact's stance on one channel and where it was recorded.
type Consent struct {
	State  ConsentState `json:"state"`
	Source string       `json:"source,omitempty"` // e.g. "crm", "call 2026-11-02", "import"
	At     time.Time    `json:"at"`
}

// OptedOut reports whether the contact opted out.
func (c Consent) OptedOut() bool { return c.State == ConsentOptedOut }

// Consents holds a contact's consent per channel. The zero value allows all.
type Consents struct {
	Call     Consent `json:"call"`
	Email    Consent `json:"email"`
	LinkedIn Consent `json:"linkedin"`
}

// For returns the consent for a channel. Channels without consent (meeting,
// visit, note) are always allowed.
func (c Consents) For(ch Channel) Consent {
	switch ch {
	case ChannelCall:
		return c.Call
	case ChannelEmail:
		return c.Email
	case ChannelLinkedIn:
		return c.LinkedIn
	}
	return Consent{State: ConsentAllowed}
}

// Set records the consent for a channel; channels without consent are ignored.
func (c *Consents) Set(ch Channel, v Consent) {
	switch ch {
	case ChannelCall:
		c.Call = v
	case ChannelEmail:
		c.Email = v
	case ChannelLinkedIn:
		c.LinkedIn = v
	}
}

// Contact is a person at an account.
type Contact struct {
	ID          int64     `json:"id"`
	CRMID       string    `json:"crm_id,omitempty"`
	AccountID   int64     `json:"account_id"`
	FirstName   string    `json:"first_name"`
	LastName    string    `json:"last_name"`
	Title       string    `json:"title,omitempty"`
	Persona     Persona   `json:"persona"`
	Seniority   Seniority `json:"seniority"`
	Email       string    `json:"email,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	PhoneBad    bool      `json:"phone_bad"` // flagged by a wrong-number outcome
	LinkedInURL string    `json:"linkedin_url,omitempty"`
	TimeZone    string    `json:"time_zone,omitempty"` // IANA; empty: the account's
	Consent     Consents  `json:"consent"`
	LastTouched time.Time `json:"last_touched"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Name is the contact's full name.
func (c Contact) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Zone returns the contact's IANA zone name, falling back to the account's.
func (c Contact) Zone(a Account) string {
	if c.TimeZone != "" {
		return c.TimeZone
	}
	return a.TimeZone
}

// Touch is one logged interaction with a contact.
type Touch struct {
	ID        int64         `json:"id"`
	OpID      string        `json:"op_id"` // the outbox operation id that pushes it
	CRMID     string        `json:"crm_id,omitempty"`
	ContactID int64         `json:"contact_id"`
	AccountID int64         `json:"account_id"`
	Channel   Channel       `json:"channel"`
	Direction Direction     `json:"direction"`
	Outcome   Outcome       `json:"outcome"`
	Note      string        `json:"note,omitempty"`
	At        time.Time     `json:"at"`
	Duration  time.Duration `json:"duration_ns"`
	// MeetingAt is when the meeting a meeting-booked touch booked takes
	// place; zero: not known (or another outcome).
	MeetingAt time.Time `json:"meeting_at"`
	// MeetingCancelled: the booked meeting was cancelled (deleted) in the
	// CRM after it was pushed; MeetingAt keeps when it was to be.
	MeetingCancelled bool   `json:"meeting_cancelled,omitempty"`
	Origin           Origin `json:"origin"`
	Synced           bool   `json:"synced"`
}

// Task is a next action on a contact or an account.
type Task struct {
	ID           int64      `json:"id"`
	CRMID        string     `json:"crm_id,omitempty"`
	AccountID    int64      `json:"account_id"`
	ContactID    int64      `json:"contact_id,omitempty"` // 0: an account-level task
	Kind         TaskKind   `json:"kind"`
	Title        string     `json:"title"`
	Due          time.Time  `json:"due"`
	DueHasTime   bool       `json:"due_has_time"` // false: Due is a civil date (see CivilDate, DueDay)
	Priority     Priority   `json:"priority"`
	Status       TaskStatus `json:"status"`
	SnoozedUntil time.Time  `json:"snoozed_until"`
	Origin       Origin     `json:"origin"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     time.Time  `json:"closed_at"`
}

// ParseOutcome reads an outcome name as typed on the command line.
func ParseOutcome(s string) (Outcome, error) {
	v := Outcome(strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))))
	for _, o := range Outcomes {
		if o == v {
			return o, nil
		}
	}
	return "", fmt.Errorf("unknown outcome %q: use one of %s", s, joinNames(Outcomes))
}

// ParseChannel reads a channel name.
func ParseChannel(s string) (Channel, error) {
	v := Channel(strings.ToLower(strings.TrimSpace(s)))
	for _, c := range Channels {
		if c == v {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown channel %q: use one of %s", s, joinNames(Channels))
}

// ParseTier reads a tier letter, case-insensitively.
func ParseTier(s string) (Tier, error) {
	v := Tier(strings.ToUpper(strings.TrimSpace(s)))
	for _, t := range Tiers {
		if t == v {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown tier %q: use A, B, C or D", s)
}

// ParseTaskKind reads a task kind.
func ParseTaskKind(s string) (TaskKind, error) {
	v := TaskKind(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range TaskKinds {
		if k == v {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown task kind %q: use one of %s", s, joinNames(TaskKinds))
}

// ParseAccountStatus reads an account status.
func ParseAccountStatus(s string) (AccountStatus, error) {
	v := AccountStatus(strings.ToLower(strings.TrimSpace(s)))
	for _, st := range AccountStatuses {
		if st == v {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown account status %q: use one of %s", s, joinNames(AccountStatuses))
}

func joinNames[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
