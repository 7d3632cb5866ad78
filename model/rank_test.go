package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func testRanker(t testing.TB) *Ranker {
	t.Helper()
	s := DefaultSettings()
	s.RepZone = "Europe/Paris"
	return NewRanker(s, DefaultProfile())
}

func callCandidate(zone string) Candidate {
	return Candidate{
		Kind:    RowTask,
		Task:    Task{ID: 7, Kind: TaskCall, Priority: PriorityMedium, Status: TaskOpen},
		Account: Account{ID: 1, Name: "Acme", Tier: TierB, Fit: 60},
		Contact: Contact{ID: 2, FirstName: "Jane", LastName: "Doe", Phone: "+1 555 0100", TimeZone: zone},
	}
}

func TestCallingHoursAcrossZones(t *testing.T) {
	r := testRanker(t)
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		zone     string
		now      time.Time
		callable bool
		local    string // wall clock expected in the row, "Mon 15:04"
		detail   string // substring of HeldDetail when held
	}{
		{"chicago evening", "America/Chicago", utc(2026, 11, 24, 1, 40), false, "Mon 19:40",
			"calls 09:00–17:00 local; it is 19:40 in America/Chicago (opens in 13h20m)"},
		{"chicago morning", "America/Chicago", utc(2026, 11, 24, 15, 0), true, "Tue 09:00", ""},
		{"new york before spring forward", "America/New_York", utc(2026, 3, 6, 13, 30), false, "Fri 08:30", "(opens in 30m)"},
		{"new york after spring forward", "America/New_York", utc(2026, 3, 9, 13, 30), true, "Mon 09:30", ""},
		{"new york on the dst sunday", "America/New_York", utc(2026, 3, 8, 16, 0), false, "Sun 12:00",
			"calls 09:00–17:00 local on weekdays; it is Sunday 12:00 in America/New_York (opens in 21h00m)"},
		// Friday 17:40 EST to Monday 09:00 EDT is 2d14h20m, not 2d15h20m.
		{"new york weekend across dst", "America/New_York", utc(2026, 3, 6, 22, 40), false, "Fri 17:40", "(opens in 2d14h)"},
		{"paris friday before spring forward", "Europe/Paris", utc(2026, 3, 27, 16, 30), false, "Fri 17:30", "(opens in 2d14h)"},
		{"paris monday after spring forward", "Europe/Paris", utc(2026, 3, 30, 7, 0), true, "Mon 09:00", ""},
		{"paris friday before fall back", "Europe/Paris", utc(2026, 10, 23, 7, 0), true, "Fri 09:00", ""},
		{"paris end is exclusive", "Europe/Paris", utc(2026, 10, 23, 15, 0), false, "Fri 17:00", "(opens in 2d17h)"},
		{"paris monday after fall back", "Europe/Paris", utc(2026, 10, 26, 8, 0), true, "Mon 09:00", ""},
		{"kolkata opens", "Asia/Kolkata", utc(2026, 11, 23, 3, 30), true, "Mon 09:00", ""},
		{"kolkata a minute early", "Asia/Kolkata", utc(2026, 11, 23, 3, 29), false, "Mon 08:59", "(opens in 1m)"},
		{"auckland monday while utc is sunday", "Pacific/Auckland", utc(2026, 11, 22, 20, 0), true, "Mon 09:00", ""},
		{"kiritimati saturday while utc is friday", "Pacific/Kiritimati", utc(2026, 11, 27, 20, 0), false, "Sat 10:00", "on weekdays"},
		{"kiritimati monday while utc is sunday", "Pacific/Kiritimati", utc(2026, 11, 22, 19, 0), true, "Mon 09:00", ""},
		{"unknown zone falls back to the rep's", "Mars/Olympus", utc(2026, 11, 23, 19, 0), false, "Mon 20:00", "zone unknown"},
		{"empty zone falls back to the rep's", "", utc(2026, 11, 23, 9, 0), true, "Mon 10:00", ""},
	}
	t.Run("bad contact zone falls back to the account's", func(t *testing.T) {
		c := callCandidate("Bad/Zone")
		c.Account.TimeZone = "Asia/Kolkata"
		row := r.Rank(c, utc(2026, 11, 23, 3, 30))
		if row.Zone != "Asia/Kolkata" || !row.CallableNow {
			t.Errorf("zone %s callable %v (%s)", row.Zone, row.CallableNow, row.HeldDetail)
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			row := r.Rank(callCandidate(tc.zone), tc.now)
			if got := row.LocalTime.Format("Mon 15:04"); got != tc.local {
				t.Errorf("local time %s, want %s", got, tc.local)
			}
			if row.CallableNow != tc.callable {
				t.Errorf("callable %v, want %v (held %s: %s)", row.CallableNow, tc.callable, row.HeldReason, row.HeldDetail)
			}
			if tc.callable {
				if row.Held || !hasTerm(row, "callable now") {
					t.Errorf("callable row held (%s) or without the callable term: %+v", row.HeldDetail, row.Why)
				}
				return
			}
			if row.HeldReason != HoldCallingHours || !strings.Contains(row.HeldDetail, tc.detail) {
				t.Errorf("held %s %q, want %s containing %q", row.HeldReason, row.HeldDetail, HoldCallingHours, tc.detail)
			}
			if hasTerm(row, "callable now") {
				t.Error("held row has the callable term")
			}
		})
	}
}

func TestCallingHoursClampedToHardBounds(t *testing.T) {
	s := DefaultSettings()
	s.RepZone = "UTC"
	s.CallingHours = CallingHours{Start: Clock(7, 0), End: Clock(22, 0)}
	r := NewRanker(s, DefaultProfile())
	for _, tc := range []struct {
		h, m     int
		callable bool
	}{{7, 30, false}, {8, 0, true}, {20, 59, true}, {21, 0, false}, {21, 30, false}} {
		now := time.Date(2026, 11, 23, tc.h, tc.m, 0, 0, time.UTC)
		if row := r.Rank(callCandidate("UTC"), now); row.CallableNow != tc.callable {
			t.Errorf("%02d:%02d callable %v, want %v", tc.h, tc.m, row.CallableNow, tc.callable)
		}
	}
}

func hasTerm(row Row, name string) bool {
	for _, t := range row.Why {
		if t.Name == name {
			return true
		}
	}
	return false
}

func term(row Row, name string) (Term, bool) {
	for _, t := range row.Why {
		if t.Name == name {
			return t, true
		}
	}
	return Term{}, false
}

func TestGuardrailOrder(t *testing.T) {
	r := testRanker(t)
	open := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)   // 10:00 in London, a Monday
	closed := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC) // 20:00
	optedOut := Consent{State: ConsentOptedOut, Source: "crm", At: time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)}
	tests := []struct {
		name   string
		change func(c *Candidate)
		now    time.Time
		reason HoldReason
		detail string
	}{
		{"nothing in the way", func(c *Candidate) {}, open, "", ""},
		{"do not contact first", func(c *Candidate) {
			c.Account.DoNotContact, c.Contact.Consent.Call, c.ContactTouches = true, optedOut, 9
		}, closed, HoldDoNotContact, "Acme is marked do not contact"},
		{"opted out names channel, source and date", func(c *Candidate) {
			c.Contact.Consent.Call, c.ContactTouches = optedOut, 9
		}, closed, HoldOptedOut, "Jane Doe opted out of calls (crm, 2026-11-02)"},
		{"opted out of another channel does not hold", func(c *Candidate) { c.Contact.Consent.Email = optedOut }, open, "", ""},
		{"contact budget before account budget", func(c *Candidate) {
			c.ContactTouches, c.AccountTouches = 3, 6
		}, closed, HoldContactBudget, "Jane Doe touched 3 times in the last 14 days (budget 3)"},
		{"under the contact budget", func(c *Candidate) { c.ContactTouches = 2 }, open, "", ""},
		{"account budget", func(c *Candidate) { c.AccountTouches = 6 }, closed, HoldAccountBudget, "Acme touched 6 times in the last 14 days (budget 6)"},
		{"calling hours last", func(c *Candidate) {}, closed, HoldCallingHours, "it is 20:00 in Europe/London"},
		{"email ignores calling hours", func(c *Candidate) { c.Task.Kind, c.Contact.Email = TaskEmail, "j@acme.example" }, closed, "", ""},
		{"email opted out", func(c *Candidate) { c.Task.Kind, c.Contact.Consent.Email = TaskEmail, optedOut }, open, HoldOptedOut, "opted out of email"},
		{"todo contacts nobody", func(c *Candidate) {
			c.Task.Kind, c.Contact.Consent.Call, c.ContactTouches, c.AccountTouches = TaskTodo, optedOut, 9, 9
		}, closed, "", ""},
		{"todo on a do-not-contact account", func(c *Candidate) { c.Task.Kind, c.Account.DoNotContact = TaskTodo, true }, open, HoldDoNotContact, ""},
		{"account-level call has no contact budget", func(c *Candidate) {
			c.Contact, c.ContactTouches = Contact{}, 9
		}, open, "", ""},
		{"opted out without source or date", func(c *Candidate) {
			c.Contact.Consent.Call = Consent{State: ConsentOptedOut}
		}, open, HoldOptedOut, "opted out of calls (source unknown, date unknown)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := callCandidate("Europe/London")
			tc.change(&c)
			row := r.Rank(c, tc.now)
			if row.HeldReason != tc.reason || row.Held != (tc.reason != "") {
				t.Fatalf("held %v %q (%s), want %q", row.Held, row.HeldReason, row.HeldDetail, tc.reason)
			}
			if !strings.Contains(row.HeldDetail, tc.detail) {
				t.Errorf("detail %q, want it to contain %q", row.HeldDetail, tc.detail)
			}
		})
	}
}

func TestSuggestedRows(t *testing.T) {
	r := testRanker(t)
	open := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	closed := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	opted := Consent{State: ConsentOptedOut, Source: "import"}
	full := Contact{ID: 2, FirstName: "Jane", LastName: "Doe", TimeZone: "Europe/London",
		Phone: "+44 20 7946 0000", Email: "jane@acme.example", LinkedInURL: "https://linkedin.example/in/jane"}
	tests := []struct {
		name     string
		change   func(c *Contact)
		now      time.Time
		kind     TaskKind
		callable bool
		reason   HoldReason
		detail   string
	}{
		{"call when callable", func(c *Contact) {}, open, TaskCall, true, "", ""},
		{"email outside calling hours", func(c *Contact) {}, closed, TaskEmail, false, "", ""},
		{"linkedin without email", func(c *Contact) { c.Email = "" }, closed, TaskLinkedIn, false, "", ""},
		{"call held when nothing else", func(c *Contact) { c.Email, c.LinkedInURL = "", "" }, closed, TaskCall, false, HoldCallingHours, "opens in"},
		{"bad phone skips the call", func(c *Contact) { c.PhoneBad = true }, open, TaskEmail, false, "", ""},
		{"call opt-out skips the call", func(c *Contact) { c.Consent.Call = opted }, open, TaskEmail, false, "", ""},
		{"email opt-out", func(c *Contact) { c.Phone, c.Consent.Email = "", opted }, open, TaskLinkedIn, false, "", ""},
		{"no channel at all", func(c *Contact) {
			c.PhoneBad, c.Consent.Email, c.LinkedInURL = true, opted, ""
		}, open, TaskCall, false, HoldNoChannel, "no way to reach Jane Doe: phone flagged wrong, email opted out, no LinkedIn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := full
			tc.change(&ct)
			c := Candidate{Kind: RowSuggested, Account: Account{ID: 1, Name: "Acme", Tier: TierA, Fit: 80}, Contact: ct}
			row := r.Rank(c, tc.now)
			if row.Task.Kind != tc.kind || row.CallableNow != tc.callable || row.HeldReason != tc.reason {
				t.Fatalf("kind %s callable %v held %q (%s); want %s %v %q", row.Task.Kind, row.CallableNow, row.HeldReason, row.HeldDetail, tc.kind, tc.callable, tc.reason)
			}
			if !strings.Contains(row.HeldDetail, tc.detail) {
				t.Errorf("detail %q, want %q", row.HeldDetail, tc.detail)
			}
			task := row.Task
			if task.ID != 0 || task.AccountID != 1 || task.ContactID != 2 || !task.Due.Equal(tc.now) || task.Status != TaskOpen || task.Origin != OriginLocal {
				t.Errorf("proposed task %+v", task)
			}
			if task.Title != "First touch" {
				t.Errorf("title %q, want First touch", task.Title)
			}
			if !hasTerm(row, "suggested") || hasTerm(row, "priority") || hasTerm(row, "due today") {
				t.Errorf("terms %+v", row.Why)
			}
		})
	}
	t.Run("re-engage title counts days", func(t *testing.T) {
		a := Account{ID: 1, Name: "Acme", Tier: TierB, LastTouched: open.Add(-23*24*time.Hour - time.Hour)}
		row := r.Rank(Candidate{Kind: RowSuggested, Account: a, Contact: full}, open)
		if row.Task.Title != "Re-engage: 23 days untouched" {
			t.Errorf("title %q", row.Task.Title)
		}
		if tm, _ := term(row, "suggested"); tm.Detail != "suggested: tier B goes stale after 14 days; untouched for 23 days" || tm.Value != 2 {
			t.Errorf("suggested term %+v", tm)
		}
	})
	t.Run("no contact", func(t *testing.T) {
		row := r.Rank(Candidate{Kind: RowSuggested, Account: Account{ID: 1, Name: "Acme"}}, open)
		if row.HeldReason != HoldNoChannel || !strings.Contains(row.HeldDetail, "no contact at Acme") || row.Task.Kind != TaskTodo {
			t.Errorf("held %q %q kind %s", row.HeldReason, row.HeldDetail, row.Task.Kind)
		}
	})
	t.Run("do not contact beats suggestion", func(t *testing.T) {
		row := r.Rank(Candidate{Kind: RowSuggested, Account: Account{ID: 1, Name: "Acme", DoNotContact: true}, Contact: full}, open)
		if row.HeldReason != HoldDoNotContact {
			t.Errorf("held %q", row.HeldReason)
		}
	})
}

func TestRankTerms(t *testing.T) {
	r := testRanker(t)
	paris := mustZone(t, "Europe/Paris")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, paris) // a Monday
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, paris) }
	tests := []struct {
		name   string
		task   Task
		last   time.Time
		terms  map[string]Term // name → value and detail; checked exactly
		absent []string
	}{
		{"overdue three days", Task{Kind: TaskEmail, Due: day(20), Priority: PriorityHigh}, now.Add(-12 * 24 * time.Hour), map[string]Term{
			"tier":     {Value: 4, Detail: "tier B"},
			"fit":      {Value: 1.8, Detail: "fit 60"},
			"priority": {Value: 6, Detail: "priority high"},
			"overdue":  {Value: 1.5, Detail: "overdue 3 days"},
			"stale":    {Value: 0.1 * 12, Detail: "12 days since last touch"},
		}, []string{"due today", "callable now"}},
		{"overdue capped", Task{Kind: TaskEmail, Due: day(1), Priority: PriorityLow}, time.Time{}, map[string]Term{
			"priority": {Value: 1.8, Detail: "priority low"},
			"overdue":  {Value: 5, Detail: "overdue 22 days"},
			"stale":    {Value: 2, Detail: "never touched"},
		}, nil},
		{"overdue one day", Task{Kind: TaskEmail, Due: day(22).Add(23 * time.Hour), DueHasTime: true}, now.Add(-400 * 24 * time.Hour), map[string]Term{
			"overdue":  {Value: 0.5, Detail: "overdue 1 day"},
			"priority": {Value: 3.9, Detail: "priority medium"},
			"stale":    {Value: 2, Detail: "400 days since last touch"},
		}, nil},
		{"due today with a time", Task{Kind: TaskEmail, Due: now.Add(5 * time.Hour), DueHasTime: true, Priority: PriorityMedium}, now, map[string]Term{
			"due today": {Value: 4, Detail: "due today 15:00"},
		}, []string{"overdue", "stale"}},
		{"due today, time passed", Task{Kind: TaskEmail, Due: now.Add(-2 * time.Hour), DueHasTime: true, Priority: PriorityMedium}, now, map[string]Term{
			"due today": {Value: 4, Detail: "due today 08:00"},
		}, []string{"overdue"}},
		{"date-only due today", Task{Kind: TaskEmail, Due: day(23), Priority: PriorityMedium}, now, map[string]Term{
			"due today": {Value: 4, Detail: "due today"},
		}, nil},
		{"callable call", Task{Kind: TaskCall, Due: day(23), Priority: PriorityMedium}, now, map[string]Term{
			"callable now": {Value: 3, Detail: "callable now (10:00 local)"},
			"contact":      {Value: 2 * 0.95, Detail: "contact level 95 (vp, decision-maker)"},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Candidate{Kind: RowTask, Task: tc.task,
				Account: Account{ID: 1, Name: "Acme", Tier: TierB, Fit: 60, LastTouched: tc.last},
				Contact: Contact{ID: 2, FirstName: "Jane", Title: "VP Sales", Phone: "+33 1", TimeZone: "Europe/Paris"}}
			row := r.Rank(c, now)
			for name, want := range tc.terms {
				got, ok := term(row, name)
				if !ok {
					t.Errorf("no %q term in %+v", name, row.Why)
					continue
				}
				if math.Abs(got.Value-want.Value) > 1e-9 || got.Detail != want.Detail {
					t.Errorf("%s = %v %q, want %v %q", name, got.Value, got.Detail, want.Value, want.Detail)
				}
			}
			for _, name := range tc.absent {
				if hasTerm(row, name) {
					t.Errorf("unexpected %q term", name)
				}
			}
			var sum float64
			for _, tm := range row.Why {
				if tm.Value == 0 {
					t.Errorf("zero term %q shown", tm.Name)
				}
				sum += tm.Value
			}
			if math.Abs(sum-row.Rank) > 1e-9 {
				t.Errorf("rank %v is not the sum of its terms %v", row.Rank, sum)
			}
		})
	}
}

func TestStaleBefore(t *testing.T) {
	r := NewRanker(DefaultSettings(), DefaultProfile())
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for tier, days := range map[Tier]int{TierA: 7, TierB: 14, TierC: 30, TierD: 60, "": 60} {
		if got, want := r.StaleBefore(tier, now), now.Add(-time.Duration(days)*24*time.Hour); !got.Equal(want) {
			t.Errorf("StaleBefore(%q) = %s, want %s", tier, got, want)
		}
	}
}

// randomCandidate builds a task candidate from anywhere in the space the store
// can hand over: any tier, fit, priority, due date, touch history, zone,
// contact and consent.
func randomCandidate(rng *rand.Rand, now time.Time) Candidate {
	zones := []string{"", "UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Auckland", "Nowhere/Atlantis"}
	kinds := []TaskKind{TaskCall, TaskEmail, TaskLinkedIn, TaskTodo}
	prios := []Priority{PriorityLow, PriorityMedium, PriorityHigh, ""}
	titles := []string{"CEO", "VP Sales", "Director of IT", "Engineering Manager", "Analyst", "Wizard", ""}
	c := Candidate{
		Kind: RowTask,
		Task: Task{Kind: kinds[rng.IntN(len(kinds))], Priority: prios[rng.IntN(len(prios))],
			Due: now.Add(time.Duration(rng.Int64N(int64(90*24*time.Hour))) - 60*24*time.Hour), DueHasTime: rng.IntN(2) == 0},
		Account: Account{ID: 1, Name: "A", Tier: Tiers[rng.IntN(len(Tiers))], Fit: rng.IntN(130) - 10,
			DoNotContact: rng.IntN(20) == 0, TimeZone: zones[rng.IntN(len(zones))]},
		ContactTouches: rng.IntN(5), AccountTouches: rng.IntN(8),
	}
	if rng.IntN(3) > 0 {
		c.Account.LastTouched = now.Add(-time.Duration(rng.Int64N(int64(400 * 24 * time.Hour))))
	}
	if rng.IntN(5) > 0 {
		c.Contact = Contact{ID: 2, Title: titles[rng.IntN(len(titles))], Phone: "+1", TimeZone: zones[rng.IntN(len(zones))]}
		if rng.IntN(4) == 0 {
			c.Contact.Consent.Call.State = ConsentOptedOut
		}
		if rng.IntN(3) == 0 {
			c.Contact.Persona, c.Contact.Seniority = Personas[rng.IntN(len(Personas))], Seniorities[rng.IntN(len(Seniorities))]
		}
	}
	return c
}

func randomCoefficients(rng *rand.Rand) Coefficients {
	f := func() float64 { return math.Round((rng.Float64()*20-5)*100) / 100 }
	return Coefficients{
		Tier: map[Tier]float64{TierA: f(), TierB: f(), TierC: f(), TierD: f()},
		Fit:  f(), OverdueDay: f(), OverdueMax: f(), DueToday: f(),
		Priority: map[Priority]float64{PriorityHigh: f(), PriorityMedium: f(), PriorityLow: f()},
		StaleDay: f(), StaleMax: f(), CallableNow: f(), Suggested: f(), ContactFit: f(),
	}
}

// TestRankBoundsProperty: for any task row at any time, the tier, fit and
// priority terms sum exactly to BaseRank, and Rank never exceeds
// BaseRank + MaxDynamic — with the shipped coefficients and random ones.
// The same holds for suggested rows with SuggestedBase and
// MaxSuggestedDynamic.
func TestRankBoundsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for set := 0; set < 20; set++ {
		s := DefaultSettings()
		if set > 0 {
			s.Coefficients = randomCoefficients(rng)
		}
		r := NewRanker(s, DefaultProfile())
		maxDyn := r.MaxDynamic()
		for i := 0; i < n/20; i++ {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			c := randomCandidate(rng, now)
			row := r.Rank(c, now)
			base := r.BaseRank(c.Account.Tier, c.Account.Fit, c.Task.Priority)
			var fromTerms float64
			for _, tm := range row.Why {
				if tm.Name == "tier" || tm.Name == "fit" || tm.Name == "priority" {
					fromTerms += tm.Value
				}
			}
			if fromTerms != base {
				t.Fatalf("set %d: base terms sum to %v, BaseRank %v (%+v)", set, fromTerms, base, row.Why)
			}
			if row.Rank > base+maxDyn {
				t.Fatalf("set %d: rank %v > BaseRank %v + MaxDynamic %v (%+v)", set, row.Rank, base, maxDyn, row.Why)
			}

			c.Kind, c.Task = RowSuggested, Task{}
			row = r.Rank(c, now)
			sbase := r.SuggestedBase(c.Account.Tier, c.Account.Fit)
			if row.Rank > sbase+r.MaxSuggestedDynamic() {
				t.Fatalf("set %d: suggested rank %v > SuggestedBase %v + MaxSuggestedDynamic %v (%+v)", set, row.Rank, sbase, r.MaxSuggestedDynamic(), row.Why)
			}
			fromTerms = 0
			for _, tm := range row.Why {
				if tm.Name == "tier" || tm.Name == "fit" {
					fromTerms += tm.Value
				}
			}
			if fromTerms != sbase {
				t.Fatalf("set %d: suggested base terms sum to %v, SuggestedBase %v", set, fromTerms, sbase)
			}
		}
	}
}

func TestRankerConcurrentUse(t *testing.T) {
	r := testRanker(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for i := 0; i < 200; i++ {
				_ = r.Rank(randomCandidate(rng, now), now)
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkScore(b *testing.B) {
	p := DefaultProfile()
	a := Account{Industry: "Fintech", Employees: ptr(800), AnnualRevenue: ptr(120_000_000), Country: "DE",
		Technologies: []string{"Segment", "Snowflake", "Looker"}}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Score(a)
	}
}

// BenchmarkRate is BenchmarkScore's account without the explanation, as a
// re-score of the whole book computes it.
func BenchmarkRate(b *testing.B) {
	p := DefaultProfile()
	a := Account{Industry: "Fintech", Employees: ptr(800), AnnualRevenue: ptr(120_000_000), Country: "DE",
		Technologies: []string{"Segment", "Snowflake", "Looker"}}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = p.Rate(a)
	}
}

func BenchmarkRank(b *testing.B) {
	r := testRanker(b)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := callCandidate("America/New_York")
	c.Task.Due = now.Add(-48 * time.Hour)
	c.Contact.Title = "VP Sales"
	c.Account.LastTouched = now.Add(-10 * 24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Rank(c, now)
	}
}

// BenchmarkRankBook scores and ranks a book of 100,000 synthetic accounts, as
// a rescore after a profile change plus a full worklist pass would.
func BenchmarkRankBook(b *testing.B) {
	const n = 100_000
	rng := rand.New(rand.NewPCG(42, 42))
	industries := []string{"Software", "SaaS", "Retail", "Fintech", "Government", "Logistics", "Manufacturing", ""}
	countries := []string{"US", "DE", "FR", "BR", "JP", "GB", ""}
	techs := []string{"Salesforce", "HubSpot", "Snowflake", "SAP", "Oracle", "Segment"}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cands := make([]Candidate, n)
	for i := range cands {
		c := randomCandidate(rng, now)
		a := &c.Account
		a.ID, a.Name = int64(i+1), fmt.Sprintf("Account %d", i)
		a.Industry, a.Country = industries[rng.IntN(len(industries))], countries[rng.IntN(len(countries))]
		if rng.IntN(10) > 0 {
			a.Employees = ptr(rng.Int64N(20000))
		}
		if rng.IntN(3) > 0 {
			a.AnnualRevenue = ptr(rng.Int64N(2_000_000_000))
		}
		for _, t := range techs {
			if rng.IntN(4) == 0 {
				a.Technologies = append(a.Technologies, t)
			}
		}
		if rng.IntN(4) == 0 {
			c.Kind = RowSuggested
		}
		cands[i] = c
	}
	p := DefaultProfile()
	r := NewRanker(DefaultSettings(), p)
	b.ReportAllocs()
	for b.Loop() {
		for i := range cands {
			f := p.Score(cands[i].Account)
			cands[i].Account.Fit, cands[i].Account.Tier = f.Score, f.Tier
			_ = r.Rank(cands[i], now)
		}
	}
}
