package model

import (
	"strings"
	"unicode"
)

// titleRule is a TitleRule with its phrases split into words once.
type titleRule struct {
	phrases   [][]string
	persona   Persona
	seniority Seniority
}

// builtinTitleRules are tried in order after the profile's own. Order matters:
// the exceptions come first ("product owner" is not an owner of the company,
// "chief of staff" is not a chief executive), then the levels from the top.
// "c?o" stands for any three-letter chief title (CEO, CTO, CFO, CRO…).
var builtinTitleRules = compileTitleRules([]TitleRule{
	{Match: []string{"product owner", "process owner", "account owner"}, Persona: PersonaInfluencer, Seniority: SeniorityManager},
	{Match: []string{"chief of staff"}, Persona: PersonaChampion, Seniority: SeniorityDirector},
	{Match: []string{"c?o", "chief", "founder", "cofounder", "owner", "president", "managing director", "managing partner"}, Persona: PersonaDecisionMaker, Seniority: SeniorityCLevel},
	{Match: []string{"vp", "svp", "evp", "avp", "head", "general manager"}, Persona: PersonaDecisionMaker, Seniority: SeniorityVP},
	{Match: []string{"director"}, Persona: PersonaChampion, Seniority: SeniorityDirector},
	{Match: []string{"manager", "lead", "supervisor", "team leader"}, Persona: PersonaInfluencer, Seniority: SeniorityManager},
	{Match: []string{
		"engineer", "analyst", "specialist", "representative", "associate", "assistant", "coordinator",
		"developer", "consultant", "administrator", "admin", "designer", "scientist", "architect",
		"account executive", "rep", "sdr", "bdr", "intern",
	}, Persona: PersonaUser, Seniority: SeniorityIndividual},
})

func compileTitleRules(rules []TitleRule) []titleRule {
	out := make([]titleRule, 0, len(rules))
	for _, r := range rules {
		tr := titleRule{persona: r.Persona, seniority: r.Seniority}
		for _, m := range r.Match {
			if w := titleWords(m); len(w) > 0 {
				tr.phrases = append(tr.phrases, w)
			}
		}
		out = append(out, tr)
	}
	return out
}

// Classify derives persona and seniority from a job title: the profile's
// title rules first, then the built-in ones. Matching is by whole words and
// phrases, case-insensitively ("Supervisor" does not contain "VP"). A profile
// rule that sets only one of the two leaves the other to the built-in rules.
// Who a title serves does not count: "Assistant to the CEO" is an assistant.
func (p Profile) Classify(title string) (Persona, Seniority) {
	return classify(compileTitleRules(p.TitleRules), title)
}

// classify is Classify with the profile's rules already compiled, so a
// ranker classifying many contacts splits the rules into words only once.
func classify(own []titleRule, title string) (Persona, Seniority) {
	words := ownRole(titleWords(title))
	persona, seniority := PersonaUnknown, SeniorityUnknown
	if len(words) == 0 {
		return persona, seniority
	}
	setP, setS := false, false
	apply := func(r titleRule) bool {
		if !r.matches(words) {
			return false
		}
		if !setP && r.persona != "" {
			persona, setP = r.persona, true
		}
		if !setS && r.seniority != "" {
			seniority, setS = r.seniority, true
		}
		return setP && setS
	}
	for _, r := range own {
		if apply(r) {
			return persona, seniority
		}
	}
	for _, r := range builtinTitleRules {
		if apply(r) {
			break
		}
	}
	return persona, seniority
}

// titleWords lowercases a title and splits it into words at anything that is
// not a letter, digit or "?", joining "vice president" into "vp" so that the
// president rule cannot claim it.
func titleWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '?'
	})
	out := words[:0]
	for i := 0; i < len(words); i++ {
		if words[i] == "vice" && i+1 < len(words) && words[i+1] == "president" {
			out = append(out, "vp")
			i++
			continue
		}
		out = append(out, words[i])
	}
	return out
}

// ownRole cuts the part of a title that names whom the person serves:
// "executive assistant to the ceo" → "executive assistant".
func ownRole(words []string) []string {
	for i, w := range words {
		if w != "to" || i == 0 {
			continue
		}
		if i+1 < len(words) && words[i+1] == "the" {
			return words[:i]
		}
		switch words[i-1] {
		case "assistant", "advisor", "adviser", "aide", "secretary", "reporting", "reports", "counsel":
			return words[:i]
		}
	}
	return words
}

func (r titleRule) matches(words []string) bool {
	for _, ph := range r.phrases {
		if containsPhrase(words, ph) {
			return true
		}
	}
	return false
}

func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, w := range phrase {
			if !wordMatches(words[i+j], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// wordMatches compares one title word with one pattern word, where "?"
// stands for any single letter.
func wordMatches(word, pattern string) bool {
	if !strings.Contains(pattern, "?") {
		return word == pattern
	}
	if len(word) != len(pattern) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '?' && pattern[i] != word[i] {
			return false
		}
		if pattern[i] == '?' && (word[i] < 'a' || word[i] > 'z') {
			return false
		}
	}
	return true
}
