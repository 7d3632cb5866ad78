package model_test

import (
	"math/rand/v2"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestRateMatchesScore: the re-score stores Rate's number and tier while
// the screens show Score's; they must never disagree, whatever the profile
// and however thin or odd the account.
func TestRateMatchesScore(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", " ", "SaaS", "saas ", "Fintech", "Retail", "US", "de", "EMEA", " emea"}
	techs := []string{"Salesforce", "salesforce", "HubSpot", "Snowflake", " dbt", "Kafka"}
	fields := []model.Field{model.FieldIndustry, model.FieldCountry, model.FieldRegion, model.FieldEmployees,
		model.FieldRevenue, model.FieldTechnologiesAny, model.FieldTechnologiesAll, "bogus"}
	pick := func(pool []string, max int) []string {
		var out []string
		for range r.IntN(max + 1) {
			out = append(out, pool[r.IntN(len(pool))])
		}
		return out
	}
	num := func() *int64 {
		if r.IntN(4) == 0 {
			return nil
		}
		v := int64(r.IntN(2000)) - 10
		return &v
	}
	profiles := []model.Profile{model.DefaultProfile()}
	for range 200 {
		p := model.Profile{Thresholds: model.Thresholds{A: 70 + r.IntN(30), B: 40 + r.IntN(30), C: r.IntN(40)}}
		for range r.IntN(6) {
			f := fields[r.IntN(len(fields))]
			p.Criteria = append(p.Criteria, model.Criterion{Name: "c", Field: f, Weight: r.IntN(40),
				Values: pick(append(texts, techs...), 4), Min: num(), Max: num()})
		}
		for range r.IntN(3) {
			f := fields[r.IntN(len(fields))]
			p.Exclusions = append(p.Exclusions, model.Exclusion{Name: "x", Field: f,
				Values: pick(append(texts, techs...), 2), Min: num(), Max: num()})
		}
		profiles = append(profiles, p)
	}
	checked := 0
	for _, p := range profiles {
		for range 200 {
			a := model.Account{Industry: texts[r.IntN(len(texts))], Country: texts[r.IntN(len(texts))],
				Region: texts[r.IntN(len(texts))], Employees: num(), AnnualRevenue: num(), Technologies: pick(techs, 4)}
			f := p.Score(a)
			score, tier := p.Rate(a)
			if score != f.Score || tier != f.Tier {
				t.Fatalf("Rate = %d %s, Score = %d %s\nprofile %+v\naccount %+v", score, tier, f.Score, f.Tier, p, a)
			}
			checked++
		}
	}
	if checked < 40000 {
		t.Fatalf("checked %d accounts", checked)
	}
}
