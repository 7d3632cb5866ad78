package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestProposeNext(t *testing.T) {
	s := DefaultSettings()
	paris := mustZone(t, "Europe/Paris")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, paris) }
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, paris) }
	monday := at(11, 23, 10, 0)
	friday := at(11, 27, 16, 0)
	opted := Consent{State: ConsentOptedOut, Source: "crm"}
	full := Contact{ID: 2, FirstName: "Jane", LastName: "Doe", Phone: "+33 1 00", Email: "jane@acme.example", LinkedInURL: "https://linkedin.example/in/jane"}
	tests := []struct {
		name    string
		outcome Outcome
		channel Channel
		change  func(c *Contact)
		now     time.Time
		meeting time.Time
		kind    TaskKind // "" expects no proposal
		due     time.Time
		hasTime bool
		title   string // "" skips the check
		account bool   // an account-level task
	}{
		{name: "no answer: call in 2 business days", outcome: OutcomeNoAnswer, now: monday, kind: TaskCall, due: date(2026, 11, 25), title: "Call again"},
		{name: "no answer on friday skips the weekend", outcome: OutcomeNoAnswer, now: friday, kind: TaskCall, due: date(2026, 12, 1)},
		{name: "busy: call back in 2 hours", outcome: OutcomeBusy, now: monday, kind: TaskCall, due: at(11, 23, 12, 0), hasTime: true},
		{name: "voicemail: email next business day", outcome: OutcomeLeftVoicemail, now: monday, kind: TaskEmail, due: date(2026, 11, 24)},
		{name: "voicemail on friday: monday", outcome: OutcomeLeftVoicemail, now: friday, kind: TaskEmail, due: date(2026, 11, 30)},
		{name: "connected: follow up in 30 days", outcome: OutcomeConnected, now: monday, kind: TaskCall, due: date(2026, 12, 23)},
		{name: "30 days landing on a saturday moves to monday", outcome: OutcomeBadTiming, now: at(10, 29, 11, 0), kind: TaskCall, due: date(2026, 11, 30)},
		{name: "meeting booked: prep the business day before", outcome: OutcomeMeetingBooked, now: monday, meeting: at(11, 26, 15, 0), kind: TaskTodo, due: date(2026, 11, 25), title: "Prepare for the meeting"},
		{name: "monday meeting: prep friday", outcome: OutcomeMeetingBooked, now: monday, meeting: at(11, 30, 9, 0), kind: TaskTodo, due: date(2026, 11, 27)},
		{name: "weekend meeting: prep friday", outcome: OutcomeMeetingBooked, now: monday, meeting: at(11, 28, 9, 0), kind: TaskTodo, due: date(2026, 11, 27)},
		{name: "meeting today: prep today", outcome: OutcomeMeetingBooked, now: monday, meeting: at(11, 23, 16, 0), kind: TaskTodo, due: date(2026, 11, 23)},
		{name: "meeting unknown: tomorrow", outcome: OutcomeMeetingBooked, now: friday, kind: TaskTodo, due: date(2026, 11, 30)},
		{name: "meeting in another zone uses now's date", outcome: OutcomeMeetingBooked, now: monday,
			meeting: time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC), kind: TaskTodo, due: date(2026, 11, 26)},
		{name: "not interested: email in 90 days", outcome: OutcomeNotInterested, now: monday, kind: TaskEmail, due: date(2027, 2, 22)},
		{name: "wrong person: find the right contact", outcome: OutcomeWrongPerson, now: monday, kind: TaskTodo, due: date(2026, 11, 24), title: "Find the right contact", account: true},
		{name: "wrong number: email", outcome: OutcomeWrongNumber, now: monday, kind: TaskEmail, due: date(2026, 11, 24)},
		{name: "wrong number, email opted out: linkedin", outcome: OutcomeWrongNumber, now: monday, change: func(c *Contact) { c.Consent.Email = opted },
			kind: TaskLinkedIn, due: date(2026, 11, 24), title: "LinkedIn message (email opted out)"},
		{name: "wrong number, nothing else: todo, never a call", outcome: OutcomeWrongNumber, now: monday, change: func(c *Contact) { c.Email, c.LinkedInURL = "", "" },
			kind: TaskTodo, due: date(2026, 11, 24), title: "Find another way to reach Jane Doe (no email, no LinkedIn)"},
		{name: "opted out: nothing", outcome: OutcomeOptedOut, now: monday},
		{name: "sent: follow up in 3 business days", outcome: OutcomeSent, now: monday, kind: TaskEmail, due: date(2026, 11, 26)},
		{name: "sent on linkedin: same kind", outcome: OutcomeSent, channel: ChannelLinkedIn, now: monday, kind: TaskLinkedIn, due: date(2026, 11, 26)},
		{name: "sent by email: same kind", outcome: OutcomeSent, channel: ChannelEmail, now: friday, kind: TaskEmail, due: date(2026, 12, 2)},
		{name: "call opted out: email instead", outcome: OutcomeNoAnswer, now: monday, change: func(c *Contact) { c.Consent.Call = opted },
			kind: TaskEmail, due: date(2026, 11, 25), title: "Email (calls opted out)"},
		{name: "phone flagged: email instead", outcome: OutcomeConnected, now: monday, change: func(c *Contact) { c.PhoneBad = true },
			kind: TaskEmail, due: date(2026, 12, 23), title: "Email (phone flagged wrong)"},
		{name: "no phone, no email: linkedin", outcome: OutcomeNoAnswer, now: monday, change: func(c *Contact) { c.Phone, c.Email = "", "" },
			kind: TaskLinkedIn, due: date(2026, 11, 25), title: "LinkedIn message (no phone, no email)"},
		{name: "no channel at all: todo", outcome: OutcomeBusy, now: monday, change: func(c *Contact) { c.Phone, c.Email, c.Consent.LinkedIn = "", "", opted },
			kind: TaskTodo, due: at(11, 23, 12, 0), hasTime: true, title: "Find another way to reach Jane Doe (no phone, no email, LinkedIn opted out)"},
		{name: "email opted out never becomes a call", outcome: OutcomeLeftVoicemail, now: monday, change: func(c *Contact) { c.Consent.Email, c.LinkedInURL = opted, "" },
			kind: TaskTodo, due: date(2026, 11, 24)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := full
			if tc.change != nil {
				tc.change(&c)
			}
			a := Account{ID: 1, Name: "Acme"}
			got := s.ProposeNextOn(tc.outcome, tc.channel, c, a, tc.now, tc.meeting)
			if tc.kind == "" {
				if got != nil {
					t.Fatalf("proposed %+v, want nothing", got)
				}
				return
			}
			if got == nil {
				t.Fatal("proposed nothing")
			}
			if got.Kind != tc.kind || !got.Due.Equal(tc.due) || got.DueHasTime != tc.hasTime {
				t.Errorf("%s due %s (time %v); want %s due %s (time %v)", got.Kind, got.Due, got.DueHasTime, tc.kind, tc.due, tc.hasTime)
			}
			if !tc.hasTime && got.Due.Location() != paris {
				t.Errorf("date-only due in %s, want now's location", got.Due.Location())
			}
			if tc.title != "" && got.Title != tc.title {
				t.Errorf("title %q, want %q", got.Title, tc.title)
			}
			wantContact := int64(2)
			if tc.account {
				wantContact = 0
			}
			if got.AccountID != 1 || got.ContactID != wantContact || got.Priority != PriorityMedium || got.Status != TaskOpen ||
				got.Origin != OriginLocal || !got.CreatedAt.Equal(tc.now) || got.ID != 0 {
				t.Errorf("task fields %+v", got)
			}
			if tc.channel == "" {
				if plain := s.ProposeNext(tc.outcome, c, a, tc.now, tc.meeting); plain == nil || *plain != *got {
					t.Errorf("ProposeNext %+v differs from ProposeNextOn without a channel %+v", plain, got)
				}
			}
		})
	}
}

func TestProposeNextRulePriorityAndMissingRule(t *testing.T) {
	s := DefaultSettings()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := Contact{ID: 2, Phone: "+1", Email: "x@y.example"}
	for i := range s.Rules {
		if s.Rules[i].Outcome == OutcomeNoAnswer {
			s.Rules[i].Priority = PriorityHigh
		}
	}
	if got := s.ProposeNext(OutcomeNoAnswer, c, Account{ID: 1}, now, time.Time{}); got == nil || got.Priority != PriorityHigh {
		t.Errorf("priority from the rule: %+v", got)
	}
	s.Rules = s.Rules[:1]
	if got := s.ProposeNext(OutcomeSent, c, Account{ID: 1}, now, time.Time{}); got != nil {
		t.Errorf("no rule, proposed %+v", got)
	}
	if r := s.Rule(OutcomeSent); r.Outcome != OutcomeSent || r.Next != "" {
		t.Errorf("missing rule = %+v", r)
	}
}

func TestDefaultRules(t *testing.T) {
	s := DefaultSettings()
	if len(s.Rules) != len(Outcomes) {
		t.Errorf("%d rules for %d outcomes", len(s.Rules), len(Outcomes))
	}
	for _, tc := range []struct {
		o      Outcome
		check  func(OutcomeRule) bool
		reason string
	}{
		{OutcomeMeetingBooked, func(r OutcomeRule) bool { return r.SetStatus == StatusEngaged && r.BeforeMeeting == 1 }, "engaged, prep one day before"},
		{OutcomeNotInterested, func(r OutcomeRule) bool { return r.SetStatus == StatusNurture }, "nurture"},
		{OutcomeWrongNumber, func(r OutcomeRule) bool { return r.FlagPhone }, "flags the phone"},
		{OutcomeOptedOut, func(r OutcomeRule) bool { return r.OptOut && r.Next == "" }, "records consent, no next action"},
		{OutcomeWrongPerson, func(r OutcomeRule) bool { return r.AccountTask }, "account-level"},
	} {
		if !tc.check(s.Rule(tc.o)) {
			t.Errorf("%s: want %s, got %+v", tc.o, tc.reason, s.Rule(tc.o))
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Settings)
		want   string
	}{
		{"defaults are valid", func(s *Settings) {}, ""},
		{"start after end", func(s *Settings) { s.CallingHours = CallingHours{Start: Clock(17, 0), End: Clock(9, 0)} }, "calling hours 17:00–09:00: start must be before end"},
		{"empty window", func(s *Settings) { s.CallingHours.End = s.CallingHours.Start }, "start must be before end"},
		{"too early", func(s *Settings) { s.CallingHours.Start = Clock(7, 30) }, "calling hours 07:30–17:00: must lie within 08:00–21:00"},
		{"too late", func(s *Settings) { s.CallingHours.End = Clock(21, 30) }, "must lie within 08:00–21:00"},
		{"hard bounds are fine", func(s *Settings) { s.CallingHours = HardCallingHours }, ""},
		{"unknown rep zone", func(s *Settings) { s.RepZone = "Mars/Olympus" }, `rep zone "Mars/Olympus" is unknown`},
		{"known rep zone", func(s *Settings) { s.RepZone = "Asia/Kolkata" }, ""},
		{"contact budget zero", func(s *Settings) { s.Budget.PerContact = 0 }, "budget per contact 0: must be at least 1"},
		{"account budget zero", func(s *Settings) { s.Budget.PerAccount = 0 }, "budget per account 0: must be at least 1"},
		{"window zero", func(s *Settings) { s.Budget.Window = 0 }, "budget window 0s: must be longer than zero"},
		{"nan coefficient", func(s *Settings) { s.Coefficients.Fit = math.NaN() }, "rank coefficient fit: NaN is not a finite number"},
		{"infinite tier", func(s *Settings) { s.Coefficients.Tier[TierC] = math.Inf(1) }, "rank coefficient tier C: +Inf"},
		{"infinite priority", func(s *Settings) { s.Coefficients.Priority[PriorityLow] = math.Inf(-1) }, "rank coefficient priority low"},
		{"negative coefficients are allowed", func(s *Settings) { s.Coefficients.Suggested = -3 }, ""},
		{"stale after missing", func(s *Settings) { delete(s.StaleAfter, TierC) }, "stale after for tier C: must be longer than zero"},
		{"duplicate rule", func(s *Settings) { s.Rules = append(s.Rules, OutcomeRule{Outcome: OutcomeBusy}) }, `outcome rule "busy": defined twice; keep one`},
		{"unknown outcome", func(s *Settings) { s.Rules = append(s.Rules, OutcomeRule{Outcome: "ghosted"}) }, `outcome rule: unknown outcome "ghosted"`},
		{"unknown next kind", func(s *Settings) { s.Rules[0].Next = "fax" }, `outcome rule "no-answer": unknown task kind "fax"`},
		{"unknown priority", func(s *Settings) { s.Rules[0].Priority = "urgent" }, `outcome rule "no-answer": unknown priority "urgent"`},
		{"unknown status", func(s *Settings) { s.Rules[0].SetStatus = "hot" }, `outcome rule "no-answer": unknown account status "hot"`},
		{"negative wait", func(s *Settings) { s.Rules[0].After.Days = -1 }, `outcome rule "no-answer": waits must not be negative`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			tc.change(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("no error, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
