package model

import (
	"strings"
	"testing"
	"time"
)

func TestSpeedTerm(t *testing.T) {
	s := DefaultSettings()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		age    time.Duration
		want   float64
		detail string
	}{
		{"at once: the peak", 0, 10, "replied just now"},
		{"40 minutes: the issue's example", 40 * time.Minute, 9.0, "replied 40 min ago"},
		{"the end of the first hour", time.Hour, 8.6, "replied 1 h ago"},
		{"six hours: half", 6 * time.Hour, 5.0, "replied 6 h ago"},
		{"a day", 24 * time.Hour, 2.0, "replied 24 h ago"},
		{"three days", 72 * time.Hour, 0.8, "replied 3 days ago"},
		{"end of the week", 7 * 24 * time.Hour, 0.3, "replied 7 days ago"},
		{"a clock a little behind the CRM's: no more than the peak", -5 * time.Minute, 10, "replied just now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.SpeedTerm(Signal{Kind: SignalReplied, At: now.Add(-tc.age)}, now)
			if got.Value != tc.want || got.Detail != tc.detail || got.Name != "speed" {
				t.Errorf("age %v: %+v, want %.1f %q", tc.age, got, tc.want, tc.detail)
			}
		})
	}
	// Strictly decreasing over the week, minute by minute at first.
	prev := 11.0
	for age := time.Duration(0); age <= SignalWindow; age += 17 * time.Minute {
		v := s.SpeedTerm(Signal{At: now.Add(-age)}, now).Value
		if v > prev {
			t.Fatalf("speed rose from %.1f to %.1f at %v", prev, v, age)
		}
		prev = v
	}
}

func respondFixture() (Candidate, time.Time) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC) // 10:00 in New York
	c := Contact{ID: 7, AccountID: 3, FirstName: "Dana", LastName: "Kim", Phone: "+1 212 555 0100",
		Email: "dana@acme.example", LinkedInURL: "https://linkedin.example/in/dana", TimeZone: "America/New_York",
		Persona: PersonaDecisionMaker, Seniority: SeniorityVP}
	a := Account{ID: 3, Name: "Acme", Tier: TierB, Fit: 60, LastTouched: now.AddDate(0, 0, -2)}
	sig := Signal{ID: 1, AccountID: 3, ContactID: 7, Kind: SignalReplied, At: now.Add(-40 * time.Minute),
		Detail: "replied: 'Can we talk Thursday?'", Source: SignalSourceHubSpot, Channel: TaskEmail}
	return Candidate{Kind: RowSignal, Account: a, Contact: c, Signal: sig}, now
}

func TestRespondRowChannel(t *testing.T) {
	r := NewRanker(DefaultSettings(), DefaultProfile())
	opted := Consent{State: ConsentOptedOut, Source: "crm", At: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name    string
		change  func(c *Candidate, now *time.Time)
		want    TaskKind
		held    HoldReason
		inTitle string
		inHeld  string
	}{
		{name: "an email reply is answered by email", want: TaskEmail, inTitle: "Can we talk Thursday?"},
		{name: "a call in is answered by a call in calling hours", want: TaskCall,
			change: func(c *Candidate, _ *time.Time) { c.Signal.Kind, c.Signal.Channel = SignalCalled, TaskCall }},
		{name: "no channel recorded: the kind decides (a form: email)", want: TaskEmail,
			change: func(c *Candidate, _ *time.Time) { c.Signal.Kind, c.Signal.Channel = SignalForm, "" }},
		{name: "opted out of email: answered on another channel, and the title says why", want: TaskCall, inTitle: "Dana Kim opted out of email",
			change: func(c *Candidate, _ *time.Time) { c.Contact.Consent.Email = opted }},
		{name: "opted out of email, calls closed in their zone: LinkedIn", want: TaskLinkedIn,
			change: func(c *Candidate, now *time.Time) { c.Contact.Consent.Email = opted; *now = now.Add(9 * time.Hour) }},
		{name: "called in after hours: email now rather than a held call", want: TaskEmail, inTitle: "outside calling hours",
			change: func(c *Candidate, now *time.Time) {
				c.Signal.Kind, c.Signal.Channel = SignalCalled, TaskCall
				*now = now.Add(9 * time.Hour)
			}},
		{name: "every channel opted out: held with the reason, never proposed", want: TaskEmail, held: HoldOptedOut, inHeld: "no other channel",
			change: func(c *Candidate, _ *time.Time) {
				c.Contact.Consent = Consents{Call: opted, Email: opted, LinkedIn: opted}
			}},
		{name: "do-not-contact account: held", want: TaskEmail, held: HoldDoNotContact,
			change: func(c *Candidate, _ *time.Time) { c.Account.DoNotContact = true }},
		{name: "an account-only visit: find who it was (a to-do, never held for channels)", want: TaskTodo, inTitle: "Find who at Acme came back to the site",
			change: func(c *Candidate, _ *time.Time) {
				c.Contact = Contact{}
				c.Signal.ContactID, c.Signal.Kind, c.Signal.Channel, c.Signal.Detail = 0, SignalVisited, "", ""
			}},
		{name: "the touch budget still applies", want: TaskEmail, held: HoldContactBudget,
			change: func(c *Candidate, _ *time.Time) { c.ContactTouches = 3 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, now := respondFixture()
			if tc.change != nil {
				tc.change(&c, &now)
			}
			row := r.Rank(c, now)
			if row.Kind != RowSignal || row.Signal == nil || row.Signal.ID != 1 {
				t.Fatalf("row kind %q signal %v", row.Kind, row.Signal)
			}
			if row.Task.Kind != tc.want || row.HeldReason != tc.held {
				t.Fatalf("answer %q held %q (%s), want %q held %q", row.Task.Kind, row.HeldReason, row.HeldDetail, tc.want, tc.held)
			}
			if !strings.Contains(row.Task.Title, tc.inTitle) || !strings.Contains(row.HeldDetail, tc.inHeld) {
				t.Errorf("title %q held %q, want %q / %q", row.Task.Title, row.HeldDetail, tc.inTitle, tc.inHeld)
			}
			// Consent is absolute: an unheld answer never uses a refused channel.
			if !row.Held && Guard(row.Task.Kind, c.Contact, c.Account) != nil {
				t.Errorf("proposed %q, which Guard refuses", row.Task.Kind)
			}
		})
	}
}

func TestRespondRowRanksBySpeed(t *testing.T) {
	r := NewRanker(DefaultSettings(), DefaultProfile())
	c, now := respondFixture()
	row := r.Rank(c, now)
	var speed *Term
	for i := range row.Why {
		if row.Why[i].Name == "speed" {
			speed = &row.Why[i]
		}
		if row.Why[i].Name == "stale" || row.Why[i].Name == "suggested" {
			t.Errorf("respond row carries %q", row.Why[i].Name)
		}
	}
	if speed == nil || speed.Value != 9.0 || speed.Detail != "replied 40 min ago" {
		t.Fatalf("speed term %+v, want +9.0 replied 40 min ago", speed)
	}
	old := c
	old.Signal.At = now.Add(-3 * 24 * time.Hour)
	if r.Rank(old, now).Rank >= row.Rank {
		t.Errorf("a three-day-old signal ranks with a fresh one: %.1f vs %.1f", r.Rank(old, now).Rank, row.Rank)
	}
}

func TestColdQuota(t *testing.T) {
	s := DefaultSettings()
	s.ColdPerDay = 3
	mk := func(held ...bool) []Row {
		out := make([]Row, len(held))
		for i, h := range held {
			out[i] = Row{Kind: RowSuggested, Held: h}
			if h {
				out[i].HeldReason = HoldCallingHours
			}
		}
		return out
	}
	tests := []struct {
		name     string
		rows     []Row
		used     int
		wantHeld int
		cold     []bool // which rows end held by the quota
	}{
		{"under the cap: nothing held", mk(false, false), 0, 0, []bool{false, false}},
		{"the cap holds the rest", mk(false, false, false, false, false), 0, 2, []bool{false, false, false, true, true}},
		{"touches made today use the quota", mk(false, false, false), 2, 2, []bool{false, true, true}},
		{"quota spent: every suggestion held", mk(false, false), 3, 2, []bool{true, true}},
		{"more touches than the cap: still just held", mk(false), 7, 1, []bool{true}},
		{"rows held for another reason keep it and take no place", mk(true, false, true, false, false, false), 0, 1,
			[]bool{false, false, false, false, false, true}},
		{"held rows in between, cap reached after them", mk(false, true, false, false, false), 0, 1, []bool{false, false, false, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := s.ColdQuota(tc.rows, tc.used); n != tc.wantHeld {
				t.Errorf("held %d, want %d", n, tc.wantHeld)
			}
			for i, r := range tc.rows {
				if got := r.HeldReason == HoldColdQuota; got != tc.cold[i] {
					t.Errorf("row %d cold-quota %v, want %v", i, got, tc.cold[i])
				}
				if r.HeldReason == HoldColdQuota && (!r.Held || !strings.Contains(r.HeldDetail, "cold")) {
					t.Errorf("row %d: %+v", i, r)
				}
			}
		})
	}
	// A respond or task row is never cold.
	rows := []Row{{Kind: RowSignal}, {Kind: RowTask}}
	s.ColdPerDay = 0
	if s.ColdQuota(rows, 5) != 0 || rows[0].Held || rows[1].Held {
		t.Errorf("non-suggested rows held by the cold quota: %+v", rows)
	}
}

func TestPlanLogAnswers(t *testing.T) {
	s := DefaultSettings()
	st, now := planFixture()
	mine := Signal{ID: 1, AccountID: 3, ContactID: 7, Kind: SignalReplied, At: now.Add(-time.Hour), Detail: "replied: 'hi'"}
	acct := Signal{ID: 2, AccountID: 3, Kind: SignalVisited, At: now.Add(-2 * time.Hour)}
	other := Signal{ID: 3, AccountID: 3, ContactID: 8, Kind: SignalForm, At: now.Add(-time.Hour)}
	later := Signal{ID: 4, AccountID: 3, ContactID: 7, Kind: SignalClicked, At: now.Add(time.Hour)}
	st.Signals = []Signal{mine, acct, other, later}
	p := s.PlanLog(st, LogRequest{ContactID: 7, Channel: ChannelCall, Outcome: OutcomeConnected, Next: NextChoice{Mode: NextAuto}}, now)
	var ids []int64
	for _, a := range p.Answers {
		ids = append(ids, a.ID)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("answers %v, want the contact's and the account's own (1, 2), not another contact's or a later one", ids)
	}
	if p.Cold {
		t.Error("an answer counted as cold")
	}
	if eff := strings.Join(p.Effects(st.Contact, st.Account.Status), "; "); !strings.Contains(eff, "answers Dana Kim: replied: 'hi'") {
		t.Errorf("effects %q do not say what was answered", eff)
	}
}

func TestIsCold(t *testing.T) {
	out := Touch{Direction: Outbound, Channel: ChannelEmail}
	tests := []struct {
		name    string
		t       Touch
		worked  bool
		answers int
		task    bool
		want    bool
	}{
		{"outreach nobody asked for", out, false, 0, false, true},
		{"working a task", out, true, 0, false, false},
		{"an answer", out, false, 1, false, false},
		{"the account has planned work", out, false, 0, true, false},
		{"the buyer called in", Touch{Direction: Inbound, Channel: ChannelCall}, false, 0, false, false},
		{"a meeting is not cold outreach", Touch{Direction: Outbound, Channel: ChannelMeeting}, false, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsCold(tc.t, tc.worked, tc.answers, tc.task); got != tc.want {
				t.Errorf("cold %v, want %v", got, tc.want)
			}
		})
	}
	// PlanLog decides it from the book: the fixture's contact has open tasks.
	s := DefaultSettings()
	st, now := planFixture()
	req := LogRequest{ContactID: 7, Channel: ChannelEmail, Outcome: OutcomeSent}
	if s.PlanLog(st, req, now).Cold {
		t.Error("a touch at an account with open tasks is cold")
	}
	st.Open = nil
	if !s.PlanLog(st, req, now).Cold {
		t.Error("a touch on a stale account with no task or signal is not cold")
	}
}

func TestOneRowPerBuyer(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	row := func(contact, account int64, rank float64, ago time.Duration) Row {
		return Row{Kind: RowSignal, Contact: Contact{ID: contact}, Account: Account{ID: account}, Rank: rank,
			Task: Task{Title: "Answer"}, Signal: &Signal{At: now.Add(-ago)}}
	}
	rows := []Row{row(1, 1, 12, time.Hour), row(2, 1, 15, time.Minute), row(1, 1, 14, time.Minute), row(0, 1, 9, time.Hour), row(0, 1, 8, 2*time.Hour), row(0, 2, 8, time.Hour)}
	got := OneRowPerBuyer(rows)
	if len(got) != 4 {
		t.Fatalf("%d rows, want one per buyer (contacts 1, 2, account 1's and account 2's unknowns)", len(got))
	}
	if got[0].Contact.ID != 2 || got[1].Contact.ID != 1 || got[1].Rank != 14 || got[1].Task.Title != "Answer (+1 more waiting)" {
		t.Errorf("rows %+v", got[:2])
	}
	if got[2].Account.ID != 1 || got[2].Rank != 9 || got[3].Account.ID != 2 || got[3].Task.Title != "Answer" {
		t.Errorf("account-only rows %+v", got[2:])
	}
}
