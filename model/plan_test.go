package model

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// planFixture is a contact reachable on every channel at an account, with
// one open local call follow-up and one CRM call task.
func planFixture() (LogState, time.Time) {
	loc := time.UTC
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc) // a Tuesday
	c := Contact{ID: 7, AccountID: 3, FirstName: "Dana", LastName: "Kim", Phone: "+1 212 555 0100",
		Email: "dana@acme.example", LinkedInURL: "https://linkedin.example/in/dana"}
	a := Account{ID: 3, Name: "Acme", Status: StatusWorking, Tier: TierA, Fit: 80}
	st := LogState{Contact: c, Account: a, Open: []Task{
		{ID: 11, AccountID: 3, ContactID: 7, Kind: TaskCall, Title: "Call again", Due: now.AddDate(0, 0, 2), Status: TaskOpen, Origin: OriginLocal},
		{ID: 12, AccountID: 3, ContactID: 7, Kind: TaskCall, Title: "Manager's call", Due: now.AddDate(0, 0, 5), Status: TaskOpen, Origin: OriginCRM},
		{ID: 13, AccountID: 3, ContactID: 7, Kind: TaskEmail, Title: "Send deck", Due: now.AddDate(0, 0, 1), Status: TaskOpen, Origin: OriginLocal},
	}}
	return st, now
}

func TestPlanLog(t *testing.T) {
	s := DefaultSettings()
	st0, now := planFixture()
	tomorrow := NextChoice{Mode: NextAt, Due: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	auto := NextChoice{Mode: NextAuto}
	opted := Consent{State: ConsentOptedOut, Source: "crm"}
	tests := []struct {
		name    string
		channel Channel
		outcome Outcome
		next    NextChoice
		change  func(st *LogState)
		want    TaskKind // "": no next action
		refused RefuseReason
		instead TaskKind
		consent Channel // the opt-out recorded
		flag    bool
		closes  map[int64]TaskStatus
	}{
		{name: "opted out on email, then a date: no email task, LinkedIn instead (l O t)", channel: ChannelEmail, outcome: OutcomeOptedOut, next: tomorrow,
			want: TaskLinkedIn, refused: RefuseOptedOut, instead: TaskLinkedIn, consent: ChannelEmail,
			closes: map[int64]TaskStatus{13: TaskSkipped}},
		{name: "wrong number, then none, then +2 (l R s 2): no call on the flagged phone", channel: ChannelCall, outcome: OutcomeWrongNumber,
			next: NextChoice{Mode: NextAt, Due: now.AddDate(0, 0, 2)}, want: TaskEmail, flag: true,
			closes: map[int64]TaskStatus{13: TaskSuperseded}},
		{name: "opted out of calls with --next today: an email, never a call", channel: ChannelCall, outcome: OutcomeOptedOut,
			next: NextChoice{Mode: NextAt, Due: now}, want: TaskEmail, refused: RefuseOptedOut, instead: TaskEmail, consent: ChannelCall,
			closes: map[int64]TaskStatus{11: TaskSkipped, 12: TaskSkipped, 13: TaskSuperseded}},
		{name: "opted out, accepted as proposed: nothing", channel: ChannelCall, outcome: OutcomeOptedOut, next: auto, consent: ChannelCall,
			closes: map[int64]TaskStatus{11: TaskSkipped, 12: TaskSkipped}},
		{name: "opted out of the last open channel with a date: nothing, not a to-do round them", channel: ChannelEmail, outcome: OutcomeOptedOut, next: tomorrow,
			change: func(st *LogState) { st.Contact.Phone, st.Contact.LinkedInURL = "", "" }, refused: RefuseOptedOut, consent: ChannelEmail,
			closes: map[int64]TaskStatus{13: TaskSkipped}},
		{name: "no answer: the new call replaces the open local one, not the CRM's", channel: ChannelCall, outcome: OutcomeNoAnswer, next: auto,
			want: TaskCall, closes: map[int64]TaskStatus{11: TaskSuperseded}},
		{name: "do not contact: no task at all", channel: ChannelCall, outcome: OutcomeNoAnswer, next: auto,
			change: func(st *LogState) { st.Account.DoNotContact = true }, refused: RefuseDoNotContact},
		{name: "do not contact with a date: still nothing", channel: ChannelEmail, outcome: OutcomeSent, next: tomorrow,
			change: func(st *LogState) { st.Account.DoNotContact = true }, refused: RefuseDoNotContact},
		{name: "email opted out already: sent by email follows up on LinkedIn", channel: ChannelEmail, outcome: OutcomeSent, next: auto,
			change: func(st *LogState) { st.Contact.Consent.Email = opted }, want: TaskLinkedIn, refused: RefuseOptedOut, instead: TaskLinkedIn},
		{name: "none: no next action, nothing replaced", channel: ChannelCall, outcome: OutcomeNoAnswer, next: NextChoice{Mode: NextNone}},
		{name: "worked task closes done", channel: ChannelCall, outcome: OutcomeConnected, next: auto,
			change: func(st *LogState) { k := st.Open[0]; st.Worked = &k }, want: TaskCall,
			closes: map[int64]TaskStatus{11: TaskDone}},
		{name: "not interested has no rule for a date: a follow-up on the channel", channel: ChannelLinkedIn, outcome: OutcomeNotInterested, next: tomorrow,
			want: TaskEmail, closes: map[int64]TaskStatus{13: TaskSuperseded}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := st0
			st.Open = append([]Task(nil), st0.Open...)
			if tc.change != nil {
				tc.change(&st)
			}
			p := s.PlanLog(st, LogRequest{ContactID: 7, Channel: tc.channel, Outcome: tc.outcome, At: now, Next: tc.next}, now)
			switch {
			case tc.want == "" && p.Next != nil:
				t.Fatalf("next %+v, want none", *p.Next)
			case tc.want != "" && (p.Next == nil || p.Next.Kind != tc.want):
				t.Fatalf("next %+v, want a %s task", p.Next, tc.want)
			}
			if tc.next.Mode == NextAt && p.Next != nil && !p.Next.Due.Equal(tc.next.Due) {
				t.Errorf("due %v, want the chosen %v", p.Next.Due, tc.next.Due)
			}
			if tc.refused == "" && len(p.Refused) > 0 {
				t.Errorf("refused %+v, want nothing refused", p.Refused)
			}
			if tc.refused != "" && (len(p.Refused) != 1 || p.Refused[0].Reason != tc.refused || p.Refused[0].Instead != tc.instead) {
				t.Errorf("refused %+v, want %s with %q instead", p.Refused, tc.refused, tc.instead)
			}
			if (p.Consent == nil) != (tc.consent == "") || (p.Consent != nil && p.Consent.Channel != tc.consent) {
				t.Errorf("consent %+v, want an opt-out of %q", p.Consent, tc.consent)
			}
			if p.FlagPhone != tc.flag {
				t.Errorf("flag phone %v, want %v", p.FlagPhone, tc.flag)
			}
			got := map[int64]TaskStatus{}
			for _, cl := range p.Close {
				got[cl.Task.ID] = cl.Status
			}
			if len(got) != len(tc.closes) {
				t.Errorf("closes %v, want %v", got, tc.closes)
			}
			for id, want := range tc.closes {
				if got[id] != want {
					t.Errorf("task %d closes as %q, want %q (all: %v)", id, got[id], want, got)
				}
			}
			for _, r := range p.Refused {
				if txt := r.Text(); !strings.Contains(txt, "no ") || strings.ContainsAny(txt, "\n\x1b") {
					t.Errorf("refusal text %q is not one line", txt)
				}
			}
		})
	}
}

// TestPlanBudgetHold: a busy callback two hours out, for a contact already
// touched twice this week under a budget of 3, is held by the contact budget
// (this touch makes three), until the oldest of them leaves the window.
func TestPlanBudgetHold(t *testing.T) {
	s := DefaultSettings()
	s.Budget = Budget{PerContact: 3, PerAccount: 10, Window: 7 * 24 * time.Hour}
	st, now := planFixture()
	st.Open = nil
	oldest := now.Add(-5 * 24 * time.Hour)
	st.ContactTouches = []time.Time{now.Add(-24 * time.Hour), oldest}
	st.AccountTouches = st.ContactTouches
	p := s.PlanLog(st, LogRequest{ContactID: 7, Channel: ChannelCall, Outcome: OutcomeBusy, At: now, Next: NextChoice{Mode: NextAuto}}, now)
	if p.Next == nil || p.Held == nil {
		t.Fatalf("plan %+v, want a callback held by the budget", p)
	}
	if p.Held.Reason != HoldContactBudget || p.Held.Touches != 3 || !p.Held.Until.Equal(oldest.Add(7*24*time.Hour)) {
		t.Errorf("held %+v, want the contact budget, 3 touches, until %v", *p.Held, oldest.Add(7*24*time.Hour))
	}
	if txt := p.Held.Text("Mon 30 Nov 10:00"); !strings.Contains(txt, "contact budget until Mon 30 Nov 10:00") {
		t.Errorf("hold text %q", txt)
	}
	// A follow-up due after the oldest touch left the window is not held.
	far := NextChoice{Mode: NextAt, Due: oldest.Add(8 * 24 * time.Hour)}
	if p := s.PlanLog(st, LogRequest{ContactID: 7, Channel: ChannelCall, Outcome: OutcomeBusy, At: now, Next: far}, now); p.Held != nil {
		t.Errorf("a follow-up past the window is held: %+v", *p.Held)
	}
}

// TestPlanNeverRefusedOutreach is the guarantee as a property: over random
// contacts, consents, flags, accounts, outcomes, channels and choices, no
// plan opens a task on a channel the contact (after this touch) refuses, on a
// flagged number, or at a do-not-contact account; and what Guard refuses is
// never what the plan opened.
func TestPlanNeverRefusedOutreach(t *testing.T) {
	s := DefaultSettings()
	r := rand.New(rand.NewPCG(11, 17))
	st0, now := planFixture()
	pick := func(p float64) bool { return r.Float64() < p }
	consent := func() Consent {
		if pick(0.3) {
			return Consent{State: ConsentOptedOut}
		}
		return Consent{}
	}
	for i := 0; i < 20000; i++ {
		st := st0
		st.Open = append([]Task(nil), st0.Open...)
		c := &st.Contact
		if pick(0.2) {
			c.Phone = ""
		}
		if pick(0.2) {
			c.Email = ""
		}
		if pick(0.3) {
			c.LinkedInURL = ""
		}
		c.PhoneBad = pick(0.2)
		c.Consent = Consents{Call: consent(), Email: consent(), LinkedIn: consent()}
		st.Account.DoNotContact = pick(0.1)
		req := LogRequest{ContactID: c.ID, Channel: Channels[r.IntN(len(Channels))], Outcome: Outcomes[r.IntN(len(Outcomes))], At: now}
		switch r.IntN(3) {
		case 0:
			req.Next = NextChoice{Mode: NextAuto}
		case 1:
			req.Next = NextChoice{Mode: NextNone}
		default:
			req.Next = NextChoice{Mode: NextAt, Due: now.Add(time.Duration(r.IntN(300)) * time.Hour), DueHasTime: pick(0.5)}
		}
		p := s.PlanLog(st, req, now)
		after := st.Contact
		if p.FlagPhone {
			after.PhoneBad = true
		}
		if p.Consent != nil {
			after.Consent.Set(p.Consent.Channel, p.Consent.Consent)
		}
		if p.Next == nil {
			continue
		}
		k := p.Next.Kind
		switch {
		case st.Account.DoNotContact:
			t.Fatalf("case %d: %+v at a do-not-contact account opens %+v", i, req, *p.Next)
		case k.Channel() != "" && after.Consent.For(k.Channel()).OptedOut():
			t.Fatalf("case %d: %+v opens a %s task for a contact opted out of it (%+v)", i, req, k, after.Consent)
		case k == TaskCall && after.PhoneBad:
			t.Fatalf("case %d: %+v opens a call on a flagged phone", i, req)
		case Guard(k, after, st.Account) != nil && Guard(k, after, st.Account).Reason != RefuseNoAddress:
			t.Fatalf("case %d: %+v opens a %s task Guard refuses: %+v", i, req, k, Guard(k, after, st.Account))
		case req.Next.Mode == NextNone:
			t.Fatalf("case %d: none chosen, plan opens %+v", i, *p.Next)
		}
		if req.Outcome == OutcomeOptedOut && k == TaskTodo {
			t.Fatalf("case %d: an opt-out leads to a to-do to find a way round it: %+v", i, *p.Next)
		}
		for _, cl := range p.Close {
			if cl.Why == CloseSuperseded && (cl.Task.Origin != OriginLocal || cl.Task.Kind != k) {
				t.Fatalf("case %d: superseded %+v for a %s follow-up", i, cl.Task, k)
			}
		}
	}
}

func TestGuardAndOffer(t *testing.T) {
	st, _ := planFixture()
	c, a := st.Contact, st.Account
	c.Consent.Call = Consent{State: ConsentOptedOut}
	r := Guard(TaskCall, c, a)
	if r == nil || r.Reason != RefuseOptedOut {
		t.Fatalf("Guard(call) = %+v, want opted-out", r)
	}
	if got := r.Offer(Allowed(c, a)); got != "no call task: Dana Kim opted out of calls; add an email or LinkedIn task instead" {
		t.Errorf("offer %q", got)
	}
	if Guard(TaskTodo, c, a) != nil || Guard(TaskEmail, c, a) != nil {
		t.Error("a to-do or an email is refused for a contact who only opted out of calls")
	}
	a.DoNotContact = true
	if r := Guard(TaskTodo, c, a); r == nil || r.Reason != RefuseDoNotContact {
		t.Errorf("Guard(todo) at a do-not-contact account = %+v", r)
	}
	if got := Guard(TaskEmail, c, a).Offer(Allowed(c, a)); !strings.HasSuffix(got, "no channel is open for them") {
		t.Errorf("offer at a do-not-contact account %q", got)
	}
}

// TestRankHoldsRefusedTasks: a task that reached the book some other way (the
// CRM, an import, an older log) on a refused channel is shown held with the
// reason, never proposed: a call on a flagged phone, an email to a contact
// who opted out, any task at a do-not-contact account.
func TestRankHoldsRefusedTasks(t *testing.T) {
	st, now := planFixture()
	rk := NewRanker(DefaultSettings(), DefaultProfile())
	cases := []struct {
		name   string
		kind   TaskKind
		change func(c *Contact, a *Account)
		want   HoldReason
	}{
		{"call on a flagged phone", TaskCall, func(c *Contact, a *Account) { c.PhoneBad = true }, HoldBadNumber},
		{"email after an email opt-out", TaskEmail, func(c *Contact, a *Account) { c.Consent.Email = Consent{State: ConsentOptedOut} }, HoldOptedOut},
		{"linkedin with no profile", TaskLinkedIn, func(c *Contact, a *Account) { c.LinkedInURL = "" }, HoldNoChannel},
		{"todo at a do-not-contact account", TaskTodo, func(c *Contact, a *Account) { a.DoNotContact = true }, HoldDoNotContact},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, a := st.Contact, st.Account
			c.TimeZone = "UTC"
			tc.change(&c, &a)
			r := rk.Rank(Candidate{Kind: RowTask, Task: Task{ID: 1, Kind: tc.kind, Due: now, ContactID: c.ID, Origin: OriginCRM}, Account: a, Contact: c}, now)
			if !r.Held || r.HeldReason != tc.want || r.HeldDetail == "" || r.CallableNow {
				t.Errorf("row held %v %q %q callable %v, want held %q with the reason", r.Held, r.HeldReason, r.HeldDetail, r.CallableNow, tc.want)
			}
		})
	}
}
