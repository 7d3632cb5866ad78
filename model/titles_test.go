package model

import "testing"

func TestClassifyBuiltin(t *testing.T) {
	tests := []struct {
		title     string
		persona   Persona
		seniority Seniority
	}{
		{"CEO", PersonaDecisionMaker, SeniorityCLevel},
		{"Chief Executive Officer", PersonaDecisionMaker, SeniorityCLevel},
		{"Co-Founder & CTO", PersonaDecisionMaker, SeniorityCLevel},
		{"Founder", PersonaDecisionMaker, SeniorityCLevel},
		{"cfo", PersonaDecisionMaker, SeniorityCLevel},
		{"CRO / Chief Revenue Officer", PersonaDecisionMaker, SeniorityCLevel},
		{"Owner", PersonaDecisionMaker, SeniorityCLevel},
		{"President", PersonaDecisionMaker, SeniorityCLevel},
		{"Managing Director", PersonaDecisionMaker, SeniorityCLevel},
		{"Chief Information Security Officer", PersonaDecisionMaker, SeniorityCLevel},
		{"VP Sales", PersonaDecisionMaker, SeniorityVP},
		{"Vice President of Marketing", PersonaDecisionMaker, SeniorityVP},
		{"Senior Vice President, Operations", PersonaDecisionMaker, SeniorityVP},
		{"SVP Engineering", PersonaDecisionMaker, SeniorityVP},
		{"vp, revops", PersonaDecisionMaker, SeniorityVP},
		{"Head of Sales Operations", PersonaDecisionMaker, SeniorityVP},
		{"General Manager, EMEA", PersonaDecisionMaker, SeniorityVP},
		{"Director of Engineering", PersonaChampion, SeniorityDirector},
		{"Senior Director, Product Management", PersonaChampion, SeniorityDirector},
		{"IT Director", PersonaChampion, SeniorityDirector},
		{"Engineering Manager", PersonaInfluencer, SeniorityManager},
		{"Sales Manager", PersonaInfluencer, SeniorityManager},
		{"Team Lead, Data Platform", PersonaInfluencer, SeniorityManager},
		{"Customer Support Supervisor", PersonaInfluencer, SeniorityManager},
		{"Product Owner", PersonaInfluencer, SeniorityManager},
		{"Software Engineer", PersonaUser, SeniorityIndividual},
		{"Senior Data Analyst", PersonaUser, SeniorityIndividual},
		{"Marketing Specialist", PersonaUser, SeniorityIndividual},
		{"Sales Development Representative", PersonaUser, SeniorityIndividual},
		{"Associate", PersonaUser, SeniorityIndividual},
		{"Account Executive", PersonaUser, SeniorityIndividual},
		{"Assistant to the CEO", PersonaUser, SeniorityIndividual},
		{"Executive Assistant to CEO", PersonaUser, SeniorityIndividual},
		{"Chief of Staff", PersonaChampion, SeniorityDirector},
		{"Director, Go-to-Market", PersonaChampion, SeniorityDirector},
		{"Assistant Vice President", PersonaDecisionMaker, SeniorityVP},
		{"  ", PersonaUnknown, SeniorityUnknown},
		{"Wizard", PersonaUnknown, SeniorityUnknown},
		{"Coordinator of Vibes", PersonaUser, SeniorityIndividual},
		{"Captain", PersonaUnknown, SeniorityUnknown}, // not a chief title
		{"Ceramicist", PersonaUnknown, SeniorityUnknown},
	}
	p := DefaultProfile()
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			persona, seniority := p.Classify(tc.title)
			if persona != tc.persona || seniority != tc.seniority {
				t.Errorf("Classify(%q) = %s, %s; want %s, %s", tc.title, persona, seniority, tc.persona, tc.seniority)
			}
		})
	}
}

// TestClassifySupervisorIsNotVP guards word matching: "vp" must not be found
// inside "supervisor", nor "cto" inside "director".
func TestClassifySupervisorIsNotVP(t *testing.T) {
	p := Profile{}
	for _, title := range []string{"Supervisor", "Shift Supervisor", "Supervisory Analyst"} {
		if _, s := p.Classify(title); s == SeniorityVP {
			t.Errorf("Classify(%q) = vp", title)
		}
	}
	if _, s := p.Classify("Director"); s == SeniorityCLevel {
		t.Error("Director classified c-level")
	}
}

func TestClassifyProfileRulesFirst(t *testing.T) {
	p := Profile{TitleRules: []TitleRule{
		{Match: []string{"growth lead"}, Persona: PersonaChampion},
		{Match: []string{"Procurement"}, Persona: PersonaDecisionMaker, Seniority: SeniorityManager},
		{Match: []string{"principal"}, Seniority: SeniorityDirector},
	}}
	tests := []struct {
		title     string
		persona   Persona
		seniority Seniority
	}{
		// The profile sets the persona; seniority still comes from "lead".
		{"Growth Lead", PersonaChampion, SeniorityManager},
		{"Procurement Manager", PersonaDecisionMaker, SeniorityManager},
		{"PROCUREMENT specialist", PersonaDecisionMaker, SeniorityManager},
		{"Principal Engineer", PersonaUser, SeniorityDirector},
		{"Lead Generation", PersonaInfluencer, SeniorityManager},
		{"VP Growth", PersonaDecisionMaker, SeniorityVP},
	}
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			persona, seniority := p.Classify(tc.title)
			if persona != tc.persona || seniority != tc.seniority {
				t.Errorf("Classify(%q) = %s, %s; want %s, %s", tc.title, persona, seniority, tc.persona, tc.seniority)
			}
		})
	}
}
