package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// NextMode says what the rep chose for a logged outcome's next action.
type NextMode int

// Next-action choices.
const (
	NextNone NextMode = iota // no next action (the zero value)
	NextAuto                 // the outcome rule's proposal
	NextAt                   // the proposal, or a follow-up on the touch's channel, due at Due
)

// NextChoice is the rep's word on the next action: accept the rule's
// proposal, have none, or move it to a date.
type NextChoice struct {
	Mode       NextMode
	Due        time.Time
	DueHasTime bool
}

// LogState is what deciding a log reads from the book: the contact and its
// account as they stand, the task the touch works, the contact's open
// tasks (and its account's account-level ones), and the touches inside the
// budget window, for the budget the next action will meet.
type LogState struct {
	Contact        Contact
	Account        Account
	Worked         *Task       // the task the touch works (LogRequest.TaskID); nil: none
	Open           []Task      // open or snoozed, the worked task included or not
	ContactTouches []time.Time // the contact's touches since now - budget window
	AccountTouches []time.Time // the account's, likewise
	// Signals are the contact's unanswered signals and its account's
	// account-only ones, of the last week: what a touch now answers.
	Signals []Signal
	// AccountHasTask: the account has an open or snoozed task on any
	// contact, so a touch there is planned work, not cold.
	AccountHasTask bool
}

// RefuseReason says why a guard refused outreach on a channel.
type RefuseReason string

// Refusal reasons.
const (
	RefuseDoNotContact RefuseReason = "do-not-contact" // the account must not be contacted at all
	RefuseOptedOut     RefuseReason = "opted-out"      // the contact opted out of the channel
	RefuseBadNumber    RefuseReason = "bad-number"     // the phone is flagged wrong
	RefuseNoAddress    RefuseReason = "no-address"     // no phone, email or LinkedIn on file
)

// Refusal is one task a guard would not open, and what was used instead.
type Refusal struct {
	Reason  RefuseReason `json:"reason"`
	Kind    TaskKind     `json:"kind"`              // what was asked for
	Instead TaskKind     `json:"instead,omitempty"` // what the plan opens instead; "": nothing
	Contact string       `json:"contact,omitempty"` // the contact's name, for the words
	Account string       `json:"account,omitempty"`
}

// Text is the refusal in one line: "no email task: Dana Kim opted out of
// email — call instead".
func (r Refusal) Text() string {
	s := "no " + kindNoun(r.Kind) + " task: " + r.Cause()
	switch r.Instead {
	case "":
		return s + " — no next action"
	case TaskTodo:
		return s + " — a to-do to find another way instead"
	}
	return s + " — " + kindNoun(r.Instead) + " instead"
}

// Cause is why the channel is refused: "Dana Kim opted out of email".
func (r Refusal) Cause() string {
	who := r.Contact
	if who == "" {
		who = "the contact"
	}
	switch r.Reason {
	case RefuseDoNotContact:
		acct := r.Account
		if acct == "" {
			acct = "the account"
		}
		return acct + " is marked do not contact"
	case RefuseOptedOut:
		return who + " opted out of " + channelNoun(r.Kind.Channel())
	case RefuseBadNumber:
		return who + "'s phone is flagged wrong"
	}
	return "no " + addressNoun(r.Kind) + " for " + who
}

// Offer is the refusal of a task asked for outright (add task), with what
// the contact does accept: "no call task: Dana Kim opted out of calls; add
// an email or LinkedIn task instead".
func (r Refusal) Offer(allowed []TaskKind) string {
	s := "no " + kindNoun(r.Kind) + " task: " + r.Cause()
	var out []string
	for _, k := range allowed {
		if k != TaskTodo {
			out = append(out, kindNoun(k))
		}
	}
	switch len(out) {
	case 0:
		return s + "; no channel is open for them"
	case 1:
		return s + "; add " + article(out[0]) + " " + out[0] + " task instead"
	}
	return s + "; add " + article(out[0]) + " " + strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1] + " task instead"
}

func article(w string) string {
	if strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

// Allowed lists the task kinds Guard lets through for contact c at a.
func Allowed(c Contact, a Account) []TaskKind {
	var out []TaskKind
	for _, k := range TaskKinds {
		if Guard(k, c, a) == nil {
			out = append(out, k)
		}
	}
	return out
}

func kindNoun(k TaskKind) string {
	if k == TaskLinkedIn {
		return "LinkedIn"
	}
	if k == TaskTodo {
		return "to-do"
	}
	return string(k)
}

func addressNoun(k TaskKind) string {
	switch k {
	case TaskCall:
		return "phone"
	case TaskEmail:
		return "email address"
	case TaskLinkedIn:
		return "LinkedIn profile"
	}
	return "address"
}

// Guard is the one consent check every path that opens or proposes
// outreach goes through: a task of kind k on contact c at account a is
// refused when the account is do-not-contact, the contact opted out of the
// channel, the phone is flagged wrong, or there is no address for it. A
// to-do contacts nobody and is refused only at a do-not-contact account
// when it is on a contact. nil: allowed.
func Guard(k TaskKind, c Contact, a Account) *Refusal {
	r := &Refusal{Kind: k, Contact: c.Name(), Account: a.Name}
	ch := k.Channel()
	switch {
	case a.DoNotContact && (ch != "" || c.ID != 0):
		r.Reason = RefuseDoNotContact
	case ch == "" || c.ID == 0:
		return nil
	case c.Consent.For(ch).OptedOut():
		r.Reason = RefuseOptedOut
	case ch == ChannelCall && c.Phone != "" && c.PhoneBad:
		r.Reason = RefuseBadNumber
	case ch == ChannelCall && c.Phone == "", ch == ChannelEmail && c.Email == "", ch == ChannelLinkedIn && c.LinkedInURL == "":
		r.Reason = RefuseNoAddress
	default:
		return nil
	}
	return r
}

// Closure is an open task a plan closes, and why.
type Closure struct {
	Task   Task        `json:"task"`
	Status TaskStatus  `json:"status"` // done, skipped or superseded
	Why    CloseReason `json:"why"`
}

// CloseReason says why a plan closes a task.
type CloseReason string

// Close reasons.
const (
	CloseWorked     CloseReason = "worked"     // the touch worked it: done
	CloseOptedOut   CloseReason = "opted-out"  // its channel was opted out: skipped
	CloseSuperseded CloseReason = "superseded" // the new follow-up of the same kind replaces it
)

// ConsentChange is an opt-out a plan records.
type ConsentChange struct {
	Channel Channel `json:"channel"`
	Consent Consent `json:"consent"`
}

// BudgetHold says that the next action, on its due date, will be held back
// by a touch budget, and until when.
type BudgetHold struct {
	Reason  HoldReason `json:"reason"` // contact-budget or account-budget
	Touches int        `json:"touches"`
	Budget  int        `json:"budget"`
	Window  string     `json:"window"` // "7 days"
	Until   time.Time  `json:"until"`  // when the budget frees the row
}

// Plan is everything one logged outcome does, decided in one place: the
// touch, the tasks it closes, the next action it opens (after every guard),
// the consent and phone-flag changes, the account's move, and what was
// refused or will be held, as data. The store persists a plan in one
// transaction; the front ends put it in words.
type Plan struct {
	Touch     Touch          `json:"touch"`
	Close     []Closure      `json:"closes"`
	Next      *Task          `json:"next_action"`
	Replaces  []Task         `json:"replaces,omitempty"` // open follow-ups of the same kind Next supersedes
	Consent   *ConsentChange `json:"consent,omitempty"`
	FlagPhone bool           `json:"flag_phone"`
	// Status is the account's new status; "": unchanged.
	Status  AccountStatus `json:"status,omitempty"`
	Refused []Refusal     `json:"refused,omitempty"`
	Held    *BudgetHold   `json:"held,omitempty"`
	// Answers are the signals the touch answers (they leave the list).
	Answers []Signal `json:"answers,omitempty"`
	// Cold: the touch counts against today's cold quota (IsCold).
	Cold bool `json:"cold"`
}

// PlanLog decides what logging req does, given the book's state. It is pure:
// the store calls it inside the transaction that persists the plan, and the
// front ends call it to show what a key will do before it is pressed.
// Guards hold on every path: the rule's proposal, a date the rep chose, and
// a follow-up made for an outcome that proposes none all pass Guard against
// the contact as it will be after this touch (an opt-out or wrong number
// recorded now counts), so no plan opens a task on a refused channel, a bad
// number or a do-not-contact account.
func (s Settings) PlanLog(st LogState, req LogRequest, now time.Time) Plan {
	if req.At.IsZero() {
		req.At = now
	}
	if req.Direction == "" {
		req.Direction = Outbound
	}
	c, a := st.Contact, st.Account
	p := Plan{Touch: Touch{ContactID: c.ID, AccountID: a.ID, Channel: req.Channel, Direction: req.Direction,
		Outcome: req.Outcome, Note: req.Note, At: req.At, Duration: req.Duration, Origin: OriginLocal}}
	if req.Outcome == OutcomeMeetingBooked && !req.MeetingAt.IsZero() {
		p.Touch.MeetingAt = req.MeetingAt
	}
	p.Answers = Answers(st.Signals, c.ID, a.ID, req.At)
	p.Cold = IsCold(p.Touch, st.Worked != nil, len(p.Answers), st.AccountHasTask || len(st.Open) > 0)
	closed := map[int64]bool{}
	if st.Worked != nil {
		p.Close = append(p.Close, Closure{Task: *st.Worked, Status: TaskDone, Why: CloseWorked})
		closed[st.Worked.ID] = true
	}
	rule := s.Rule(req.Outcome)
	if MovesStatus(a.Status, rule.SetStatus) {
		p.Status = rule.SetStatus
		a.Status = rule.SetStatus
	}
	if rule.FlagPhone && !c.PhoneBad && c.Phone != "" {
		p.FlagPhone = true
		c.PhoneBad = true
	}
	if rule.OptOut && slices.Contains(ConsentChannels, req.Channel) {
		if !c.Consent.For(req.Channel).OptedOut() {
			cs := Consent{State: ConsentOptedOut, Source: "logged " + req.At.Format("2006-01-02"), At: req.At}
			p.Consent = &ConsentChange{Channel: req.Channel, Consent: cs}
			c.Consent.Set(req.Channel, cs)
		}
		for _, k := range st.Open {
			if !closed[k.ID] && k.ContactID == c.ID && k.Kind.Channel() == req.Channel {
				p.Close = append(p.Close, Closure{Task: k, Status: TaskSkipped, Why: CloseOptedOut})
				closed[k.ID] = true
			}
		}
	}

	p.Next, p.Refused = s.planNext(req, c, a, now, rule)
	if p.Next == nil {
		return p
	}
	for _, k := range st.Open {
		if !closed[k.ID] && k.Origin == OriginLocal && k.Kind == p.Next.Kind && k.ContactID == p.Next.ContactID &&
			(k.ContactID != 0 || k.AccountID == p.Next.AccountID) {
			p.Close = append(p.Close, Closure{Task: k, Status: TaskSuperseded, Why: CloseSuperseded})
			p.Replaces = append(p.Replaces, k)
			closed[k.ID] = true
		}
	}
	p.Held = s.budgetHold(*p.Next, st, req.At)
	return p
}

// planNext is the next action for the rep's choice, after the guards.
func (s Settings) planNext(req LogRequest, c Contact, a Account, now time.Time, rule OutcomeRule) (*Task, []Refusal) {
	if req.Next.Mode == NextNone {
		return nil, nil
	}
	t := s.proposeRaw(req.Outcome, req.Channel, c, a, now, req.MeetingAt)
	if req.Next.Mode == NextAt {
		if t == nil {
			t = &Task{AccountID: a.ID, ContactID: c.ID, Kind: followUpKind(req.Channel), Title: "Follow up with " + nameOr(c),
				Priority: PriorityMedium, Status: TaskOpen, Origin: OriginLocal, CreatedAt: now}
			if c.ID == 0 {
				t.Title = "Follow up"
			}
		}
		t.Due, t.DueHasTime = req.Next.Due, req.Next.DueHasTime
	}
	if t == nil {
		return nil, nil
	}
	// The buyer has just said no: another channel they accept may be
	// offered, but no to-do to find a way round them.
	if rule.OptOut && t.Kind == TaskTodo {
		return nil, nil
	}
	return guardNext(t, c, a, !rule.OptOut)
}

// guardNext passes a proposed task through Guard: a refused channel falls
// back to the next one the contact accepts (a call to email, LinkedIn; an
// email to LinkedIn), then, when todo allows it, to a to-do to find another
// way; a do-not-contact account gets nothing.
func guardNext(t *Task, c Contact, a Account, todo bool) (*Task, []Refusal) {
	r := Guard(t.Kind, c, a)
	if r == nil {
		return t, nil
	}
	if r.Reason == RefuseDoNotContact {
		return nil, []Refusal{*r}
	}
	k, why := reachable(t.Kind, c)
	if k == TaskTodo && !todo {
		return nil, []Refusal{*r}
	}
	r.Instead = k
	out := *t
	out.Kind = k
	out.Title = defaultTitle(k) + " (" + why + ")"
	if k == TaskTodo {
		out.Title = "Find another way to reach " + nameOr(c) + " (" + why + ")"
	}
	return &out, []Refusal{*r}
}

func followUpKind(ch Channel) TaskKind {
	for _, k := range TaskKinds {
		if k.Channel() == ch && ch != "" {
			return k
		}
	}
	return TaskTodo
}

// budgetHold reports whether next, when it comes due, will be held back by
// the contact's or the account's touch budget, counting the touch being
// logged at at, and when the oldest counted touch leaves the window.
func (s Settings) budgetHold(next Task, st LogState, at time.Time) *BudgetHold {
	if next.Kind == TaskTodo || next.ContactID == 0 {
		return nil
	}
	b := s.Budget
	if b.Window <= 0 {
		return nil
	}
	due := next.Due
	if due.Before(at) {
		due = at
	}
	check := func(reason HoldReason, times []time.Time, limit int) *BudgetHold {
		if limit <= 0 {
			return nil
		}
		in := []time.Time{at}
		for _, t := range times {
			if !t.After(due) && t.After(due.Add(-b.Window)) {
				in = append(in, t)
			}
		}
		if len(in) < limit {
			return nil
		}
		sort.Slice(in, func(i, j int) bool { return in[i].Before(in[j]) })
		// The row is held while limit or more touches sit in the window:
		// it frees when all but limit-1 of them have aged out.
		until := in[len(in)-limit].Add(b.Window)
		return &BudgetHold{Reason: reason, Touches: len(in), Budget: limit, Window: windowPhrase(b.Window), Until: until}
	}
	if h := check(HoldContactBudget, st.ContactTouches, b.PerContact); h != nil {
		return h
	}
	return check(HoldAccountBudget, st.AccountTouches, b.PerAccount)
}

// Text is the hold in one line, with until formatted by the caller.
func (h BudgetHold) Text(until string) string {
	who := "contact"
	if h.Reason == HoldAccountBudget {
		who = "account"
	}
	return fmt.Sprintf("held by the %s budget until %s (%d touches in %s, budget %d)", who, until, h.Touches, h.Window, h.Budget)
}

// Short is Text without the figures, for a narrow line.
func (h BudgetHold) Short(until string) string {
	who := "contact"
	if h.Reason == HoldAccountBudget {
		who = "account"
	}
	return fmt.Sprintf("the %s budget (%d in %s) holds these until %s", who, h.Budget, h.Window, until)
}

var pipeline = []AccountStatus{StatusTarget, StatusWorking, StatusEngaged, StatusOpportunity}

// MovesStatus reports whether a rule's status change applies: an outcome
// moves an account forward in the pipeline, never back (a connect does not
// demote an opportunity), and never revives a disqualified one.
func MovesStatus(from, to AccountStatus) bool {
	if to == "" || to == from || from == StatusDisqualified {
		return false
	}
	fi, ti := slices.Index(pipeline, from), slices.Index(pipeline, to)
	return fi < 0 || ti < 0 || ti > fi
}

// Effects are what the plan did besides the touch and its next action, in
// the words both front ends show ("Dana Kim opted out of email"); the next
// action, what it replaces and a budget hold carry dates, which each front
// end words in its own date style.
func (p Plan) Effects(c Contact, from AccountStatus) []string {
	var out []string
	skipped := map[TaskKind]int{}
	for _, cl := range p.Close {
		switch cl.Why {
		case CloseWorked:
			out = append(out, fmt.Sprintf("task %q done", cl.Task.Title))
		case CloseOptedOut:
			skipped[cl.Task.Kind]++
		}
	}
	if p.Status != "" {
		out = append(out, fmt.Sprintf("account moved from %s to %s", from, p.Status))
	}
	if p.FlagPhone {
		out = append(out, fmt.Sprintf("%s's phone %s flagged as wrong", nameOr(c), c.Phone))
	}
	if p.Consent != nil {
		out = append(out, fmt.Sprintf("%s opted out of %s", nameOr(c), channelNoun(p.Consent.Channel)))
	}
	for _, k := range TaskKinds {
		if n := skipped[k]; n > 0 {
			out = append(out, fmt.Sprintf("%d open %s task(s) skipped", n, kindNoun(k)))
		}
	}
	for _, r := range p.Refused {
		out = append(out, r.Text())
	}
	for _, s := range p.Answers {
		what := s.Detail
		if what == "" {
			what = s.Kind.Verb()
		}
		out = append(out, fmt.Sprintf("answers %s: %s", nameOr(c), what))
	}
	return out
}

// Lines are the restraint figures as label and text, in the words both the
// stats screen and `shortlist stats` show.
func (r Restraint) Lines() [][2]string {
	held := "nothing"
	if r.HeldBack > 0 {
		var parts []string
		for _, h := range HeldByCount(r.HeldToday) {
			parts = append(parts, fmt.Sprintf("%d %s", h.N, strings.ReplaceAll(string(h.Reason), "-", " ")))
		}
		held = fmt.Sprintf("%d: %s", r.HeldBack, strings.Join(parts, ", "))
	}
	left := "nothing"
	if n := r.LeftOut[LeftOutBelowTier] + r.LeftOut[LeftOutExcluded]; n > 0 {
		left = fmt.Sprintf("%d stale accounts: %d below the focus tier, %d excluded", n, r.LeftOut[LeftOutBelowTier], r.LeftOut[LeftOutExcluded])
	}
	touches := fmt.Sprintf("no contact touched in the last %d days", r.WindowDays)
	if r.ContactsTouched > 0 {
		touches = fmt.Sprintf("%d contacts in %d days: median %s, most %d; %d at the budget of %d",
			r.ContactsTouched, r.WindowDays, strings.TrimSuffix(fmt.Sprintf("%.1f", r.MedianTouches), ".0"), r.MaxTouches, r.AtBudget, r.Budget)
	}
	return [][2]string{
		{"held back now", held},
		{"not suggested", left},
		{"opt-outs", fmt.Sprintf("%d recorded this week", r.OptOutsWeek)},
		{"touches", touches},
	}
}
