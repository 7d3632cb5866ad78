package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Score explains an account's fit: per-criterion points, unknowns shown and
// left out of the denominator, exclusions forcing tier D with ExcludedBy set.
//
// A criterion whose data is missing is "unknown": it earns nothing and costs
// nothing, so a thin CRM record is not punished for being thin. When nothing
// is known the score is 0 (Known is 0, and Summary says so).
func (p Profile) Score(a Account) Fit {
	f := Fit{Criteria: make([]CriterionResult, 0, len(p.Criteria))}
	earned := 0
	for _, c := range p.Criteria {
		r := c.evaluate(a)
		f.Total += c.Weight
		if r.Status != CriterionUnknown {
			f.Known += c.Weight
			earned += r.Earned
		}
		f.Criteria = append(f.Criteria, r)
	}
	for _, x := range p.Exclusions {
		if hit, value := x.hits(a); hit {
			f.Excluded = true
			f.ExcludedBy = x.Name + ": " + value
			f.Tier = TierD
			return f
		}
	}
	f.Score = percent(earned, f.Known)
	f.Tier = p.Thresholds.tier(f.Score)
	return f
}

// Excludes reports whether one of the profile's exclusions (the negative
// ICP) hits the account.
func (p Profile) Excludes(a Account) bool {
	for _, x := range p.Exclusions {
		if x.excludes(a) {
			return true
		}
	}
	return false
}

// Rate is Score's number and tier without the explanation: what a re-score
// of the whole book stores, at a fraction of the cost of building every
// criterion's words. Rate(a) equals (Score(a).Score, Score(a).Tier).
func (p Profile) Rate(a Account) (int, Tier) {
	earned, known := 0, 0
	for _, c := range p.Criteria {
		if st, pts := c.earn(a); st != CriterionUnknown {
			known += c.Weight
			earned += pts
		}
	}
	for _, x := range p.Exclusions {
		if x.excludes(a) {
			return 0, TierD
		}
	}
	score := percent(earned, known)
	return score, p.Thresholds.tier(score)
}

// percent is earned points as a whole percentage of the known ones; 0 when
// nothing is known.
func percent(earned, known int) int {
	if known <= 0 {
		return 0
	}
	return int(math.Round(100 * float64(earned) / float64(known)))
}

// Summary says in a line how the score came about, including the cases a
// bare number hides: an exclusion, and nothing known.
func (f Fit) Summary() string {
	switch {
	case f.Excluded:
		return "excluded (" + f.ExcludedBy + "): tier D"
	case f.Known == 0:
		return "nothing known to score: fit 0, tier " + string(f.Tier)
	case f.Known < f.Total:
		return fmt.Sprintf("fit %d, tier %s, on %d of %d points of data", f.Score, f.Tier, f.Known, f.Total)
	}
	return fmt.Sprintf("fit %d, tier %s", f.Score, f.Tier)
}

func (t Thresholds) tier(score int) Tier {
	switch {
	case score >= t.A:
		return TierA
	case score >= t.B:
		return TierB
	case score >= t.C:
		return TierC
	}
	return TierD
}

// earn is a criterion's status and points for an account, without the
// words evaluate adds; the two must agree (TestRateMatchesScore).
func (c Criterion) earn(a Account) (CriterionStatus, int) {
	switch c.Field {
	case FieldIndustry, FieldCountry, FieldRegion:
		v := accountText(a, c.Field)
		if v == "" {
			return CriterionUnknown, 0
		}
		if containsFold(c.Values, v) {
			return CriterionMet, c.Weight
		}
		return CriterionMissed, 0
	case FieldEmployees, FieldRevenue:
		v := accountNumber(a, c.Field)
		if v == nil {
			return CriterionUnknown, 0
		}
		if inRange(*v, c.Min, c.Max) {
			return CriterionMet, c.Weight
		}
		return CriterionMissed, 0
	case FieldTechnologiesAny, FieldTechnologiesAll:
		if len(a.Technologies) == 0 {
			return CriterionUnknown, 0
		}
		have := countPresent(c.Values, a.Technologies)
		switch {
		case c.Field == FieldTechnologiesAny && have > 0:
			return CriterionMet, c.Weight
		case c.Field == FieldTechnologiesAny || (have == 0 && len(c.Values) > 0):
			return CriterionMissed, 0
		case have == len(c.Values):
			return CriterionMet, c.Weight
		}
		return CriterionPartial, c.Weight * have / len(c.Values)
	}
	return CriterionUnknown, 0
}

// evaluate scores one criterion against an account: earn's status and
// points, with the words that explain them.
func (c Criterion) evaluate(a Account) CriterionResult {
	st, pts := c.earn(a)
	return CriterionResult{Name: c.Name, Field: c.Field, Possible: c.Weight, Status: st, Earned: pts, Detail: c.detail(a, st)}
}

// detail says what earn found, in a rep's words.
func (c Criterion) detail(a Account, st CriterionStatus) string {
	switch c.Field {
	case FieldIndustry, FieldCountry, FieldRegion:
		name, v := fieldLabel(c.Field), accountText(a, c.Field)
		switch st {
		case CriterionUnknown:
			return name + " unknown"
		case CriterionMet:
			return name + " " + v
		}
		return name + " " + v + ", wanted " + listSome(c.Values, 4)
	case FieldEmployees, FieldRevenue:
		v := accountNumber(a, c.Field)
		if st == CriterionUnknown {
			return fieldLabel(c.Field) + " unknown"
		}
		return numberPhrase(c.Field, *v) + ", wanted " + rangePhrase(c.Field, c.Min, c.Max)
	case FieldTechnologiesAny:
		switch st {
		case CriterionUnknown:
			return "technologies unknown"
		case CriterionMet:
			return "uses " + strings.Join(present(c.Values, a.Technologies), ", ")
		}
		return "uses none of " + listSome(c.Values, 4)
	case FieldTechnologiesAll:
		switch st {
		case CriterionUnknown:
			return "technologies unknown"
		case CriterionMet:
			return "uses all of " + strings.Join(trimmed(c.Values), ", ")
		}
		have := present(c.Values, a.Technologies)
		return fmt.Sprintf("uses %d of %d; missing %s", len(have), len(c.Values), strings.Join(missing(c.Values, a.Technologies), ", "))
	}
	return "unknown field " + strconv.Quote(string(c.Field))
}

// excludes reports whether the exclusion disqualifies the account; hits
// adds the value that did. Missing data never excludes.
func (x Exclusion) excludes(a Account) bool {
	switch x.Field {
	case FieldIndustry, FieldCountry, FieldRegion:
		v := accountText(a, x.Field)
		return v != "" && containsFold(x.Values, v)
	case FieldEmployees, FieldRevenue:
		v := accountNumber(a, x.Field)
		return v != nil && inRange(*v, x.Min, x.Max)
	case FieldTechnologiesAny:
		return countPresent(x.Values, a.Technologies) > 0
	case FieldTechnologiesAll:
		return len(x.Values) > 0 && countPresent(x.Values, a.Technologies) == len(x.Values)
	}
	return false
}

// hits is excludes with the value that disqualified the account, in a
// rep's words.
func (x Exclusion) hits(a Account) (bool, string) {
	if !x.excludes(a) {
		return false, ""
	}
	switch x.Field {
	case FieldIndustry, FieldCountry, FieldRegion:
		return true, fieldLabel(x.Field) + " " + accountText(a, x.Field)
	case FieldEmployees, FieldRevenue:
		return true, numberPhrase(x.Field, *accountNumber(a, x.Field))
	case FieldTechnologiesAny:
		return true, "uses " + strings.Join(present(x.Values, a.Technologies), ", ")
	}
	return true, "uses " + strings.Join(trimmed(x.Values), ", ")
}

func fieldLabel(f Field) string {
	switch f {
	case FieldEmployees:
		return "employees"
	case FieldRevenue:
		return "revenue"
	case FieldTechnologiesAny, FieldTechnologiesAll:
		return "technologies"
	}
	return string(f)
}

func accountText(a Account, f Field) string {
	switch f {
	case FieldIndustry:
		return strings.TrimSpace(a.Industry)
	case FieldCountry:
		return strings.TrimSpace(a.Country)
	case FieldRegion:
		return strings.TrimSpace(a.Region)
	}
	return ""
}

func accountNumber(a Account, f Field) *int64 {
	if f == FieldEmployees {
		return a.Employees
	}
	return a.AnnualRevenue
}

func inRange(v int64, lo, hi *int64) bool {
	return (lo == nil || v >= *lo) && (hi == nil || v <= *hi)
}

// sameValue is how ICP values compare: case-insensitively, ignoring spaces
// around them.
func sameValue(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func containsFold(set []string, v string) bool {
	for _, s := range set {
		if sameValue(s, v) {
			return true
		}
	}
	return false
}

// present lists the wanted values the account has, in the wanted order.
func present(want, have []string) []string {
	var out []string
	for _, w := range want {
		if containsFold(have, w) {
			out = append(out, strings.TrimSpace(w))
		}
	}
	return out
}

// countPresent is len(present(want, have)) without building the list.
func countPresent(want, have []string) int {
	n := 0
	for _, w := range want {
		if containsFold(have, w) {
			n++
		}
	}
	return n
}

func trimmed(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.TrimSpace(v)
	}
	return out
}

func missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !containsFold(have, w) {
			out = append(out, strings.TrimSpace(w))
		}
	}
	return out
}

// listSome shows at most n values and how many more there are, so a long
// industry list does not flood a detail line.
func listSome(vs []string, n int) string {
	vs = trimmed(vs)
	if len(vs) <= n {
		return strings.Join(vs, ", ")
	}
	return fmt.Sprintf("%s +%d more", strings.Join(vs[:n], ", "), len(vs)-n)
}

func numberPhrase(f Field, v int64) string {
	if f == FieldRevenue {
		return "revenue " + money(v)
	}
	if v == 1 {
		return "1 employee"
	}
	return thousands(v) + " employees"
}

func rangePhrase(f Field, lo, hi *int64) string {
	show := thousands
	if f == FieldRevenue {
		show = money
	}
	switch {
	case lo != nil && hi != nil:
		return show(*lo) + "–" + show(*hi)
	case lo != nil:
		return "at least " + show(*lo)
	case hi != nil:
		return "at most " + show(*hi)
	}
	return "any"
}

// thousands formats 5000 as "5,000".
func thousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// money formats whole currency units short: 20M, 1.5B, 750K.
func money(v int64) string {
	abs := math.Abs(float64(v))
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}} {
		if abs >= u.div {
			return strconv.FormatFloat(math.Round(float64(v)/u.div*10)/10, 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatInt(v, 10)
}

// Validate reports the first problem with a profile (a negative weight, tier
// thresholds out of order, min > max, an unknown field or persona), naming
// the criterion, so a person can find it in their config.
func (p Profile) Validate() error {
	for _, c := range p.Criteria {
		if err := checkTest(c.Field, c.Values, c.Min, c.Max); err != nil {
			return fmt.Errorf("criterion %q: %w", c.label(), err)
		}
		if c.Weight < 0 {
			return fmt.Errorf("criterion %q: weight %d is negative", c.label(), c.Weight)
		}
	}
	total := 0
	for _, c := range p.Criteria {
		total += c.Weight
	}
	if total == 0 {
		return errors.New("criteria weights add up to 0: give at least one criterion a weight above 0")
	}
	for _, x := range p.Exclusions {
		name := x.Name
		if name == "" {
			name = string(x.Field)
		}
		if err := checkTest(x.Field, x.Values, x.Min, x.Max); err != nil {
			return fmt.Errorf("exclusion %q: %w", name, err)
		}
	}
	t := p.Thresholds
	if !(100 >= t.A && t.A > t.B && t.B > t.C && t.C >= 0) {
		return fmt.Errorf("tier thresholds A %d, B %d, C %d: need 100 ≥ A > B > C ≥ 0", t.A, t.B, t.C)
	}
	for persona, pts := range p.Contacts.Personas {
		if !knownPersona(persona) {
			return fmt.Errorf("contact personas: unknown persona %q: use one of %s", persona, joinNames(Personas))
		}
		if pts < 0 || pts > 100 {
			return fmt.Errorf("contact personas: %s points %d: must be 0–100", persona, pts)
		}
	}
	for s, pts := range p.Contacts.Seniorities {
		if !knownSeniority(s) {
			return fmt.Errorf("contact seniorities: unknown seniority %q: use one of %s", s, joinNames(Seniorities))
		}
		if pts < 0 || pts > 100 {
			return fmt.Errorf("contact seniorities: %s points %d: must be 0–100", s, pts)
		}
	}
	for _, persona := range p.Contacts.Committee {
		if !knownPersona(persona) || persona == PersonaUnknown {
			return fmt.Errorf("contact committee: unknown persona %q: use one of %s", persona, joinNames(Personas[:len(Personas)-1]))
		}
	}
	for i, r := range p.TitleRules {
		if len(r.Match) == 0 || len(titleWords(strings.Join(r.Match, " "))) == 0 {
			return fmt.Errorf("title rule %d: match is empty: give the words a title must contain", i+1)
		}
		if r.Persona == "" && r.Seniority == "" {
			return fmt.Errorf("title rule %d (%s): sets neither persona nor seniority", i+1, strings.Join(r.Match, ", "))
		}
		if r.Persona != "" && !knownPersona(r.Persona) {
			return fmt.Errorf("title rule %d (%s): unknown persona %q: use one of %s", i+1, strings.Join(r.Match, ", "), r.Persona, joinNames(Personas))
		}
		if r.Seniority != "" && !knownSeniority(r.Seniority) {
			return fmt.Errorf("title rule %d (%s): unknown seniority %q: use one of %s", i+1, strings.Join(r.Match, ", "), r.Seniority, joinNames(Seniorities))
		}
	}
	return nil
}

func (c Criterion) label() string {
	if c.Name != "" {
		return c.Name
	}
	return string(c.Field)
}

// checkTest validates the shape of a criterion or exclusion test.
func checkTest(f Field, values []string, lo, hi *int64) error {
	switch f {
	case FieldIndustry, FieldCountry, FieldRegion, FieldTechnologiesAny, FieldTechnologiesAll:
		if len(values) == 0 {
			return fmt.Errorf("%s needs values", f)
		}
		for _, v := range values {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("%s has an empty value", f)
			}
		}
		if lo != nil || hi != nil {
			return fmt.Errorf("%s takes values, not min or max", f)
		}
	case FieldEmployees, FieldRevenue:
		if lo == nil && hi == nil {
			return fmt.Errorf("%s needs a min, a max or both", f)
		}
		if lo != nil && hi != nil && *lo > *hi {
			return fmt.Errorf("min %d is above max %d", *lo, *hi)
		}
		if len(values) > 0 {
			return fmt.Errorf("%s takes min and max, not values", f)
		}
	default:
		return fmt.Errorf("unknown field %q: use one of %s", f, joinNames(Fields))
	}
	return nil
}

func knownPersona(p Persona) bool {
	for _, v := range Personas {
		if v == p {
			return true
		}
	}
	return false
}

func knownSeniority(s Seniority) bool {
	for _, v := range Seniorities {
		if v == s {
			return true
		}
	}
	return false
}

// ContactLevel is 0–100: how well a contact's persona and seniority match the
// contact level the profile wants, the mean of the points for each (or the
// one the profile gives points for). A contact without a persona or
// seniority is classified from the title.
func (p Profile) ContactLevel(c Contact) int {
	persona, seniority := roles(compileTitleRules(p.TitleRules), c)
	return p.Contacts.level(persona, seniority)
}

func (cc ContactCriteria) level(persona Persona, seniority Seniority) int {
	hasP, hasS := len(cc.Personas) > 0, len(cc.Seniorities) > 0
	pp, sp := clampPoints(cc.Personas[persona]), clampPoints(cc.Seniorities[seniority])
	switch {
	case hasP && hasS:
		return (pp + sp + 1) / 2
	case hasP:
		return pp
	case hasS:
		return sp
	}
	return 0
}

func clampPoints(v int) int { return min(max(v, 0), 100) }

// roles is the contact's persona and seniority, from the title where the
// record has none.
func roles(own []titleRule, c Contact) (Persona, Seniority) {
	persona, seniority := c.Persona, c.Seniority
	if persona == "" || persona == PersonaUnknown || seniority == "" || seniority == SeniorityUnknown {
		tp, ts := classify(own, c.Title)
		if persona == "" || persona == PersonaUnknown {
			persona = tp
		}
		if seniority == "" || seniority == SeniorityUnknown {
			seniority = ts
		}
	}
	return persona, seniority
}

// CommitteeGaps are the profile's committee personas with no contact reached
// (a touch connected, meeting booked or inbound) among the given ones.
// A conversation that went nowhere (bad timing, not interested) still
// reached the person, so it counts as reached too.
func (p Profile) CommitteeGaps(contacts []Contact, touches []Touch) []Persona {
	reached := make(map[int64]bool)
	for _, t := range touches {
		switch {
		case t.Direction == Inbound,
			t.Outcome == OutcomeConnected, t.Outcome == OutcomeMeetingBooked,
			t.Outcome == OutcomeBadTiming, t.Outcome == OutcomeNotInterested:
			reached[t.ContactID] = true
		}
	}
	covered := make(map[Persona]bool)
	own := compileTitleRules(p.TitleRules)
	for _, c := range contacts {
		if reached[c.ID] {
			persona, _ := roles(own, c)
			covered[persona] = true
		}
	}
	var gaps []Persona
	for _, persona := range p.Contacts.Committee {
		if !covered[persona] {
			gaps = append(gaps, persona)
		}
	}
	return gaps
}
