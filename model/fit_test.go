package model

import (
	"strings"
	"testing"
)

func ptr(v int64) *int64 { return &v }

func TestScore(t *testing.T) {
	p := Profile{
		Criteria: []Criterion{
			{Name: "Industry", Field: FieldIndustry, Weight: 30, Values: []string{"Software", " SaaS "}},
			{Name: "Company size", Field: FieldEmployees, Weight: 20, Min: ptr(200), Max: ptr(5000)},
			{Name: "Revenue", Field: FieldRevenue, Weight: 10, Min: ptr(20_000_000)},
			{Name: "Country", Field: FieldCountry, Weight: 10, Values: []string{"US", "Germany"}},
			{Name: "Region", Field: FieldRegion, Weight: 10, Values: []string{"EMEA"}},
			{Name: "CRM", Field: FieldTechnologiesAny, Weight: 10, Values: []string{"Salesforce", "HubSpot"}},
			{Name: "Data stack", Field: FieldTechnologiesAll, Weight: 10, Values: []string{"Snowflake", "dbt", "Fivetran"}},
		},
		Exclusions: []Exclusion{
			{Name: "Public sector", Field: FieldIndustry, Values: []string{"Government"}},
			{Name: "Too small", Field: FieldEmployees, Max: ptr(19)},
			{Name: "Competitor stack", Field: FieldTechnologiesAll, Values: []string{"Outreach", "Gong"}},
		},
		Thresholds: Thresholds{A: 75, B: 55, C: 35},
	}
	full := Account{
		Industry: "software ", Employees: ptr(420), AnnualRevenue: ptr(45_000_000), Country: "us", Region: "emea",
		Technologies: []string{" hubspot", "Snowflake", "DBT", "Fivetran"},
	}
	type crit struct {
		status CriterionStatus
		earned int
		detail string
	}
	tests := []struct {
		name     string
		account  Account
		score    int
		tier     Tier
		known    int
		excluded string
		criteria map[string]crit // by name; only those listed are checked
	}{
		{
			name: "everything met", account: full, score: 100, tier: TierA, known: 100,
			criteria: map[string]crit{
				"Industry":     {CriterionMet, 30, "industry software"},
				"Company size": {CriterionMet, 20, "420 employees, wanted 200–5,000"},
				"Revenue":      {CriterionMet, 10, "revenue 45M, wanted at least 20M"},
				"CRM":          {CriterionMet, 10, "uses HubSpot"},
				"Data stack":   {CriterionMet, 10, "uses all of Snowflake, dbt, Fivetran"},
			},
		},
		{
			name: "nothing known", account: Account{}, score: 0, tier: TierD, known: 0,
			criteria: map[string]crit{
				"Industry":     {CriterionUnknown, 0, "industry unknown"},
				"Company size": {CriterionUnknown, 0, "employees unknown"},
				"Revenue":      {CriterionUnknown, 0, "revenue unknown"},
				"CRM":          {CriterionUnknown, 0, "technologies unknown"},
			},
		},
		{
			// Only industry (30, met) and size (20, missed) known: 30/50.
			name: "unknowns left out of the denominator", account: Account{Industry: "SaaS", Employees: ptr(150)},
			score: 60, tier: TierB, known: 50,
			criteria: map[string]crit{
				"Company size": {CriterionMissed, 0, "150 employees, wanted 200–5,000"},
				"Country":      {CriterionUnknown, 0, "country unknown"},
			},
		},
		{
			name: "ranges are inclusive at both ends", account: Account{Employees: ptr(5000), AnnualRevenue: ptr(20_000_000)},
			score: 100, tier: TierA, known: 30,
			criteria: map[string]crit{"Company size": {CriterionMet, 20, "5,000 employees, wanted 200–5,000"}},
		},
		{
			name: "one above max misses", account: Account{Employees: ptr(5001)}, score: 0, tier: TierD, known: 20,
		},
		{
			// 2 of 3 wanted: 10*2/3 = 6 of 10.
			name: "all-of earns in proportion", account: Account{Technologies: []string{"Snowflake", "dbt"}},
			score: 30, tier: TierD, known: 20,
			criteria: map[string]crit{
				"Data stack": {CriterionPartial, 6, "uses 2 of 3; missing Fivetran"},
				"CRM":        {CriterionMissed, 0, "uses none of Salesforce, HubSpot"},
			},
		},
		{
			name: "missed set shows what was wanted", account: Account{Industry: "Retail", Country: "France"},
			score: 0, tier: TierD, known: 40,
			criteria: map[string]crit{
				"Industry": {CriterionMissed, 0, "industry Retail, wanted Software, SaaS"},
				"Country":  {CriterionMissed, 0, "country France, wanted US, Germany"},
			},
		},
		{
			name: "excluded by industry", account: Account{Industry: " government", Employees: ptr(900)},
			score: 0, tier: TierD, known: 50, excluded: "Public sector: industry government",
		},
		{
			name: "excluded by size", account: func() Account { a := full; a.Employees = ptr(12); return a }(),
			score: 0, tier: TierD, known: 100, excluded: "Too small: 12 employees",
		},
		{
			name: "all-of exclusion needs every value", account: Account{Technologies: []string{"Outreach"}},
			score: 0, tier: TierD, known: 20,
		},
		{
			name: "all-of exclusion hits", account: Account{Technologies: []string{"gong", "Outreach"}},
			score: 0, tier: TierD, known: 20, excluded: "Competitor stack: uses Outreach, Gong",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := p.Score(tc.account)
			if f.Score != tc.score || f.Tier != tc.tier || f.Known != tc.known || f.Total != 100 {
				t.Errorf("score %d tier %s known %d/%d; want %d %s %d/100", f.Score, f.Tier, f.Known, f.Total, tc.score, tc.tier, tc.known)
			}
			if f.Excluded != (tc.excluded != "") || f.ExcludedBy != tc.excluded {
				t.Errorf("excluded %v by %q; want %q", f.Excluded, f.ExcludedBy, tc.excluded)
			}
			if len(f.Criteria) != len(p.Criteria) {
				t.Fatalf("%d criteria explained, want %d", len(f.Criteria), len(p.Criteria))
			}
			for _, r := range f.Criteria {
				want, ok := tc.criteria[r.Name]
				if !ok {
					continue
				}
				if r.Status != want.status || r.Earned != want.earned || r.Detail != want.detail {
					t.Errorf("%s: %s %d %q; want %s %d %q", r.Name, r.Status, r.Earned, r.Detail, want.status, want.earned, want.detail)
				}
			}
		})
	}
}

func TestScoreTiers(t *testing.T) {
	p := Profile{
		Criteria:   []Criterion{{Name: "size", Field: FieldEmployees, Weight: 100, Min: ptr(0)}},
		Thresholds: Thresholds{A: 75, B: 55, C: 35},
	}
	for _, tc := range []struct {
		score int
		want  Tier
	}{{100, TierA}, {75, TierA}, {74, TierB}, {55, TierB}, {54, TierC}, {35, TierC}, {34, TierD}, {0, TierD}} {
		if got := p.Thresholds.tier(tc.score); got != tc.want {
			t.Errorf("tier(%d) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

func TestFitSummary(t *testing.T) {
	p := DefaultProfile()
	for _, tc := range []struct {
		name string
		a    Account
		want string
	}{
		{"nothing known", Account{}, "nothing known to score: fit 0, tier D"},
		{"excluded", Account{Industry: "Government"}, "excluded (Public sector: industry Government): tier D"},
		{"partly known", Account{Industry: "SaaS"}, "fit 100, tier A, on 30 of 100 points of data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Score(tc.a).Summary(); got != tc.want {
				t.Errorf("Summary() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDefaultProfileScoresATypicalBuyer(t *testing.T) {
	p := DefaultProfile()
	if err := p.Validate(); err != nil {
		t.Fatalf("default profile: %v", err)
	}
	a := Account{Industry: "Fintech", Employees: ptr(800), AnnualRevenue: ptr(120_000_000), Country: "DE", Technologies: []string{"Salesforce"}}
	if f := p.Score(a); f.Tier != TierA || f.Score != 100 {
		t.Errorf("typical buyer: %s", f.Summary())
	}
	small := Account{Industry: "Software", Employees: ptr(15)}
	if f := p.Score(small); !f.Excluded {
		t.Errorf("15 employees not excluded: %s", f.Summary())
	}
}

func TestProfileValidate(t *testing.T) {
	base := DefaultProfile
	tests := []struct {
		name   string
		change func(p *Profile)
		want   string // substring of the error; "" for valid
	}{
		{"default is valid", func(p *Profile) {}, ""},
		{"negative weight", func(p *Profile) { p.Criteria[0].Weight = -5 }, `criterion "Industry": weight -5 is negative`},
		{"min above max", func(p *Profile) { p.Criteria[1].Min, p.Criteria[1].Max = ptr(5000), ptr(200) }, `criterion "Company size": min 5000 is above max 200`},
		{"unknown field", func(p *Profile) { p.Criteria[0].Field = "headcount" }, `criterion "Industry": unknown field "headcount"`},
		{"empty set", func(p *Profile) { p.Criteria[3].Values = nil }, `criterion "Country": country needs values`},
		{"blank value", func(p *Profile) { p.Criteria[3].Values = []string{"US", " "} }, `criterion "Country": country has an empty value`},
		{"range without bounds", func(p *Profile) { p.Criteria[1].Min, p.Criteria[1].Max = nil, nil }, `criterion "Company size": employees needs a min, a max or both`},
		{"values on a range", func(p *Profile) { p.Criteria[1].Values = []string{"big"} }, `takes min and max, not values`},
		{"min on a set", func(p *Profile) { p.Criteria[0].Min = ptr(1) }, `industry takes values, not min or max`},
		{"unnamed criterion uses field", func(p *Profile) { p.Criteria[0].Name = ""; p.Criteria[0].Weight = -1 }, `criterion "industry": weight -1`},
		{"all weights zero", func(p *Profile) {
			for i := range p.Criteria {
				p.Criteria[i].Weight = 0
			}
		}, "criteria weights add up to 0"},
		{"no criteria", func(p *Profile) { p.Criteria = nil }, "criteria weights add up to 0"},
		{"exclusion min above max", func(p *Profile) { p.Exclusions[1].Min = ptr(50) }, `exclusion "Too small": min 50 is above max 19`},
		{"exclusion unknown field", func(p *Profile) { p.Exclusions[0].Field = "sector" }, `exclusion "Public sector": unknown field "sector"`},
		{"thresholds out of order", func(p *Profile) { p.Thresholds = Thresholds{A: 50, B: 60, C: 35} }, `tier thresholds A 50, B 60, C 35: need 100 ≥ A > B > C ≥ 0`},
		{"threshold above 100", func(p *Profile) { p.Thresholds.A = 101 }, `need 100 ≥ A > B > C ≥ 0`},
		{"threshold below 0", func(p *Profile) { p.Thresholds.C = -1 }, `need 100 ≥ A > B > C ≥ 0`},
		{"equal thresholds", func(p *Profile) { p.Thresholds.B = p.Thresholds.C }, `need 100 ≥ A > B > C ≥ 0`},
		{"unknown persona", func(p *Profile) { p.Contacts.Personas["buyer"] = 10 }, `contact personas: unknown persona "buyer"`},
		{"persona points above 100", func(p *Profile) { p.Contacts.Personas[PersonaUser] = 120 }, `contact personas: user points 120: must be 0–100`},
		{"unknown seniority", func(p *Profile) { p.Contacts.Seniorities["senior"] = 10 }, `contact seniorities: unknown seniority "senior"`},
		{"unknown committee persona", func(p *Profile) { p.Contacts.Committee = append(p.Contacts.Committee, "sponsor") }, `contact committee: unknown persona "sponsor"`},
		{"title rule unknown persona", func(p *Profile) {
			p.TitleRules = []TitleRule{{Match: []string{"growth"}, Persona: "hacker"}}
		}, `title rule 1 (growth): unknown persona "hacker"`},
		{"title rule unknown seniority", func(p *Profile) {
			p.TitleRules = []TitleRule{{Match: []string{"growth"}, Seniority: "senior"}}
		}, `title rule 1 (growth): unknown seniority "senior"`},
		{"title rule empty match", func(p *Profile) {
			p.TitleRules = []TitleRule{{Match: []string{" - "}, Persona: PersonaUser}}
		}, `title rule 1: match is empty`},
		{"title rule sets nothing", func(p *Profile) {
			p.TitleRules = []TitleRule{{Match: []string{"growth"}}}
		}, `title rule 1 (growth): sets neither persona nor seniority`},
		{"valid title rule", func(p *Profile) {
			p.TitleRules = []TitleRule{{Match: []string{"growth lead"}, Persona: PersonaChampion}}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.change(&p)
			err := p.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("no error, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			if err != nil && err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
				t.Errorf("error %q does not start lowercase", err)
			}
		})
	}
}

func TestContactLevel(t *testing.T) {
	p := DefaultProfile()
	tests := []struct {
		name string
		c    Contact
		want int
	}{
		{"stored roles", Contact{Persona: PersonaDecisionMaker, Seniority: SeniorityCLevel}, 100},
		{"vp decision maker", Contact{Persona: PersonaDecisionMaker, Seniority: SeniorityVP}, 95},
		{"director champion", Contact{Persona: PersonaChampion, Seniority: SeniorityDirector}, 78},
		{"individual user", Contact{Persona: PersonaUser, Seniority: SeniorityIndividual}, 20},
		{"from the title", Contact{Title: "VP of Engineering"}, 95},
		{"unknown title", Contact{Title: "Wizard"}, 0},
		{"stored persona, seniority from title", Contact{Persona: PersonaChampion, Title: "Engineering Manager"}, 65},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.ContactLevel(tc.c); got != tc.want {
				t.Errorf("ContactLevel = %d, want %d", got, tc.want)
			}
		})
	}
	onlyPersonas := Profile{Contacts: ContactCriteria{Personas: map[Persona]int{PersonaChampion: 80}}}
	if got := onlyPersonas.ContactLevel(Contact{Persona: PersonaChampion, Seniority: SeniorityManager}); got != 80 {
		t.Errorf("personas only: %d, want 80", got)
	}
	if got := (Profile{}).ContactLevel(Contact{Persona: PersonaChampion}); got != 0 {
		t.Errorf("no contact criteria: %d, want 0", got)
	}
}

func TestCommitteeGaps(t *testing.T) {
	p := DefaultProfile()
	contacts := []Contact{
		{ID: 1, Persona: PersonaDecisionMaker},
		{ID: 2, Title: "Director of Finance"}, // champion, from the title
		{ID: 3, Persona: PersonaInfluencer},
		{ID: 4, Persona: PersonaUser},
	}
	tests := []struct {
		name    string
		touches []Touch
		want    []Persona
	}{
		{"nobody reached", nil, []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer}},
		{"no answer does not count", []Touch{{ContactID: 1, Outcome: OutcomeNoAnswer, Direction: Outbound}}, []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer}},
		{"connected counts", []Touch{{ContactID: 1, Outcome: OutcomeConnected, Direction: Outbound}}, []Persona{PersonaChampion, PersonaInfluencer}},
		{"persona from title", []Touch{{ContactID: 2, Outcome: OutcomeMeetingBooked, Direction: Outbound}}, []Persona{PersonaDecisionMaker, PersonaInfluencer}},
		{"inbound counts", []Touch{{ContactID: 3, Outcome: OutcomeSent, Direction: Inbound}}, []Persona{PersonaDecisionMaker, PersonaChampion}},
		{"user is not on the committee", []Touch{{ContactID: 4, Outcome: OutcomeConnected}}, []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer}},
		{"touch for another account's contact", []Touch{{ContactID: 99, Outcome: OutcomeConnected}}, []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer}},
		{"all reached", []Touch{
			{ContactID: 1, Outcome: OutcomeBadTiming}, {ContactID: 2, Outcome: OutcomeNotInterested}, {ContactID: 3, Outcome: OutcomeConnected},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.CommitteeGaps(contacts, tc.touches)
			if strings.Join(personaStrings(got), ",") != strings.Join(personaStrings(tc.want), ",") {
				t.Errorf("gaps %v, want %v", got, tc.want)
			}
		})
	}
}

func personaStrings(ps []Persona) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func TestThousandsAndMoney(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 5000: "5,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[int64]string{500: "500", 750_000: "750K", 20_000_000: "20M", 1_500_000_000: "1.5B", 1_000_000_000: "1B"} {
		if got := money(in); got != want {
			t.Errorf("money(%d) = %q, want %q", in, got, want)
		}
	}
}
