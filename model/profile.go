package model

// Field names an account field an ICP criterion looks at.
type Field string

// Criterion fields.
const (
	FieldIndustry        Field = "industry"         // Values: a set, case-insensitive
	FieldEmployees       Field = "employees"        // Min/Max: an inclusive range
	FieldRevenue         Field = "revenue"          // Min/Max: an inclusive range
	FieldCountry         Field = "country"          // Values: a set (ISO code or name)
	FieldRegion          Field = "region"           // Values: a set
	FieldTechnologiesAny Field = "technologies-any" // Values: any one present
	FieldTechnologiesAll Field = "technologies-all" // Values: every one present
)

// Fields lists every criterion field.
var Fields = []Field{FieldIndustry, FieldEmployees, FieldRevenue, FieldCountry, FieldRegion, FieldTechnologiesAny, FieldTechnologiesAll}

// Criterion is one weighted test of an account against the ICP.
type Criterion struct {
	Name   string   `toml:"name" json:"name"` // shown in the explanation
	Field  Field    `toml:"field" json:"field"`
	Weight int      `toml:"weight" json:"weight"`
	Values []string `toml:"values" json:"values,omitempty"`
	Min    *int64   `toml:"min" json:"min,omitempty"`
	Max    *int64   `toml:"max" json:"max,omitempty"`
}

// Exclusion disqualifies an account outright: the negative ICP.
type Exclusion struct {
	Name   string   `toml:"name" json:"name"`
	Field  Field    `toml:"field" json:"field"`
	Values []string `toml:"values" json:"values,omitempty"`
	Min    *int64   `toml:"min" json:"min,omitempty"`
	Max    *int64   `toml:"max" json:"max,omitempty"`
}

// Thresholds are the lowest fit for each tier; below C is tier D.
type Thresholds struct {
	A int `toml:"a" json:"a"`
	B int `toml:"b" json:"b"`
	C int `toml:"c" json:"c"`
}

// TitleRule maps a job title to a persona and seniority. A rule matches when
// the title contains any of Match as a whole word or phrase, case-insensitively.
// The profile's rules are tried before the built-in ones.
type TitleRule struct {
	Match     []string  `toml:"match" json:"match"`
	Persona   Persona   `toml:"persona" json:"persona,omitempty"`
	Seniority Seniority `toml:"seniority" json:"seniority,omitempty"`
}

// ContactCriteria says which contact level the ICP wants: points per persona
// and per seniority, and the committee roles an account should have reached.
type ContactCriteria struct {
	Personas    map[Persona]int   `toml:"personas" json:"personas"`
	Seniorities map[Seniority]int `toml:"seniorities" json:"seniorities"`
	Committee   []Persona         `toml:"committee" json:"committee"`
}

// Profile is the Ideal Customer Profile an account's fit is scored against.
type Profile struct {
	Name       string          `toml:"name" json:"name"`
	Criteria   []Criterion     `toml:"criteria" json:"criteria"`
	Exclusions []Exclusion     `toml:"exclusions" json:"exclusions"`
	Thresholds Thresholds      `toml:"tiers" json:"tiers"`
	Contacts   ContactCriteria `toml:"contacts" json:"contacts"`
	TitleRules []TitleRule     `toml:"title_rules" json:"title_rules"`
}

// CriterionStatus is how an account fared on one criterion.
type CriterionStatus string

// Criterion statuses.
const (
	CriterionMet     CriterionStatus = "met"
	CriterionPartial CriterionStatus = "partial"
	CriterionMissed  CriterionStatus = "missed"
	CriterionUnknown CriterionStatus = "unknown" // the data is missing: shown, not scored as a miss
)

// CriterionResult explains one criterion's part in a fit score.
type CriterionResult struct {
	Name     string          `json:"name"`
	Field    Field           `json:"field"`
	Status   CriterionStatus `json:"status"`
	Earned   int             `json:"earned"`
	Possible int             `json:"possible"`
	Detail   string          `json:"detail"` // e.g. "420 employees, wanted 200–5,000"
}

// Fit is an account's explained ICP fit.
type Fit struct {
	Score      int               `json:"score"` // 0–100 over the criteria whose data is known
	Tier       Tier              `json:"tier"`
	Excluded   bool              `json:"excluded"`
	ExcludedBy string            `json:"excluded_by,omitempty"` // the exclusion's name and the value that hit it
	Known      int               `json:"known_weight"`          // weight of the criteria with data
	Total      int               `json:"total_weight"`          // weight of all criteria
	Criteria   []CriterionResult `json:"criteria"`
}
