// Package config reads Shortlist's config file (TOML): who the rep is, the
// working rules (calling hours, touch budgets, rank weights, outcome rules),
// the ICP profile and the CRM link. Everything starts from the shipped
// defaults (model.DefaultSettings, model.DefaultProfile); a file only says
// what differs. Lists in the file ([[icp.criteria]], [[icp.exclusions]],
// [[icp.title_rules]], icp.contacts maps) replace the default list whole;
// [[rules]] entries override the default rule for their outcome.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/adrg/xdg"

	"github.com/shortlisthq/shortlist/model"
)

// Rep is who the book belongs to.
type Rep struct {
	Name     string
	Email    string
	TimeZone string // IANA; "" means the machine's local zone
}

// CRM says which CRM the book syncs with.
type CRM struct {
	Kind       string // "hubspot", or "" when none is configured
	OwnerEmail string // the CRM owner whose records are the rep's
	BaseURL    string // the API's base URL; "" means the CRM's public one
	// MeetingMinutes is how long a booked meeting is written to the CRM
	// as (its end time); 0 means DefaultMeetingMinutes.
	MeetingMinutes int

	// Salesforce (kind = "salesforce").
	InstanceURL string  // the org's https://<mydomain>.my.salesforce.com
	LoginURL    string  // where tokens are issued; "" means https://login.salesforce.com
	ClientID    string  // the connected app's consumer key
	APIVersion  string  // like "v60.0"; "" means the adapter's default
	DailyShare  float64 // the most of the org's daily API requests a sync spends; 0 means 5%
}

// DefaultMeetingMinutes is the length of a booked meeting when
// [crm] meeting_minutes does not say.
const DefaultMeetingMinutes = 30

// MeetingLength is how long a booked meeting is written as.
func (c CRM) MeetingLength() time.Duration {
	if c.MeetingMinutes <= 0 {
		return DefaultMeetingMinutes * time.Minute
	}
	return time.Duration(c.MeetingMinutes) * time.Minute
}

// CRMKinds are the CRMs a config may name.
var CRMKinds = []string{"hubspot", "salesforce"}

// Config is a loaded config file with the defaults filled in.
type Config struct {
	Path     string // the file read; "" when built from defaults only
	Rep      Rep
	CRM      CRM
	Settings model.Settings
	Profile  model.Profile
	// FromFile lists the top-level sections the file sets ("rep", "icp"…);
	// FromEnv the keys environment variables set (see ApplyEnv). Together
	// they say where each part of the configuration came from.
	FromFile []string
	FromEnv  []string
}

// Default is the configuration used when there is no config file.
func Default() Config {
	return Config{CRM: CRM{MeetingMinutes: DefaultMeetingMinutes}, Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
}

// DefaultPath is where the config file lives unless told otherwise:
// $XDG_CONFIG_HOME/shortlist/config.toml. It creates nothing.
func DefaultPath() string {
	return filepath.Join(xdg.ConfigHome, "shortlist", "config.toml")
}

// Load reads the config file at path. A missing file is an error that
// satisfies errors.Is(err, fs.ErrNotExist), so a caller can fall back to
// Default for the default path and refuse for an explicit one.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return Config{}, err
	}
	c.Path = path
	return c, nil
}

// topKeys are the sections a config file may have.
var topKeys = []string{"rep", "calling_hours", "budget", "restraint", "rank", "stale_after", "icp", "rules", "crm"}

// Parse reads a config document; name is the file name its errors show.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	var doc map[string]any
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, &Error{File: name, Problems: []Problem{{Line: pe.Position.Line, Msg: pe.Message}}}
		}
		return Config{}, &Error{File: name, Problems: []Problem{{Msg: err.Error()}}}
	}
	w := &walker{lines: scanLines(string(data))}
	w.unknown("", doc, topKeys)
	if v, ok := doc["rep"]; ok {
		w.rep(v, &c)
	}
	if v, ok := doc["calling_hours"]; ok {
		w.callingHours(v, &c.Settings)
	}
	if v, ok := doc["budget"]; ok {
		w.budget(v, &c.Settings)
	}
	if v, ok := doc["restraint"]; ok {
		w.restraint(v, &c.Settings)
	}
	if v, ok := doc["rank"]; ok {
		w.rank(v, &c.Settings)
	}
	if v, ok := doc["stale_after"]; ok {
		w.staleAfter(v, &c.Settings)
	}
	if v, ok := doc["icp"]; ok {
		w.icp(v, &c.Profile)
	}
	if v, ok := doc["rules"]; ok {
		w.rules(v, &c.Settings)
	}
	if v, ok := doc["crm"]; ok {
		w.crm(v, &c.CRM)
	}
	if err := w.err(name); err != nil {
		return Config{}, err
	}
	// The model has the last word on what is consistent; point its findings
	// at the section they are about.
	for _, err := range []error{c.Profile.Validate(), c.Settings.Validate()} {
		if err != nil {
			key := validationKey(err.Error())
			return Config{}, &Error{File: name, Problems: []Problem{{Line: w.lines.line(key), Key: key, Msg: err.Error()}}}
		}
	}
	c.FromFile = fileSections(md)
	return c, nil
}

// validationKey maps a model validation message to the config section it is
// about, so the error can name a line; "" when it cannot tell.
func validationKey(msg string) string {
	for _, m := range []struct{ prefix, key string }{
		{"tier thresholds", "icp.tiers"}, {"criterion", "icp.criteria"}, {"criteria", "icp.criteria"},
		{"exclusion", "icp.exclusions"}, {"contact ", "icp.contacts"}, {"title rule", "icp.title_rules"},
		{"calling hours", "calling_hours"}, {"rep zone", "rep.time_zone"}, {"budget", "budget"},
		{"stale after", "stale_after"}, {"outcome rule", "rules"}, {"rank", "rank"}, {"unknown priority", "rules"},
		{"waits", "rules"},
	} {
		if strings.HasPrefix(msg, m.prefix) {
			return m.key
		}
	}
	return ""
}

func (w *walker) rep(v any, c *Config) {
	m, ok := w.table("rep", v, "name", "email", "time_zone")
	if !ok {
		return
	}
	if v, ok := m["name"]; ok {
		if s, ok := w.str("rep.name", v); ok {
			c.Rep.Name = strings.TrimSpace(s)
		}
	}
	if v, ok := m["email"]; ok {
		if s, ok := w.str("rep.email", v); ok {
			if s = strings.TrimSpace(s); s != "" && !strings.Contains(s, "@") {
				w.fail("rep.email", "%q is not an email address", s)
			}
			c.Rep.Email = s
		}
	}
	if v, ok := m["time_zone"]; ok {
		if s, ok := w.str("rep.time_zone", v); ok {
			if _, err := time.LoadLocation(s); err != nil || s == "Local" {
				w.fail("rep.time_zone", "unknown time zone %q: use an IANA name like \"America/Chicago\"", s)
			} else {
				c.Rep.TimeZone = s
			}
		}
	}
	c.Settings.RepName, c.Settings.RepEmail, c.Settings.RepZone = c.Rep.Name, c.Rep.Email, c.Rep.TimeZone
}

func (w *walker) callingHours(v any, s *model.Settings) {
	m, ok := w.table("calling_hours", v, "start", "end")
	if !ok {
		return
	}
	h := s.CallingHours
	for key, dst := range map[string]*model.ClockTime{"start": &h.Start, "end": &h.End} {
		if v, ok := m[key]; ok {
			if t, ok := w.clock("calling_hours."+key, v); ok {
				*dst = t
			}
		}
	}
	if h.Start >= h.End {
		w.fail("calling_hours", "start must be before end")
		return
	}
	if hard := model.HardCallingHours; h.Start < hard.Start || h.End > hard.End {
		w.fail("calling_hours", "must lie within %s–%s: calls are never suggested outside those hours", clockText(hard.Start), clockText(hard.End))
		return
	}
	s.CallingHours = h
}

func clockText(t model.ClockTime) string {
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

// clock reads "HH:MM".
func (w *walker) clock(path string, v any) (model.ClockTime, bool) {
	s, ok := w.str(path, v)
	if !ok {
		return 0, false
	}
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		w.fail(path, "%q is not a time of day: write it like \"09:00\"", s)
		return 0, false
	}
	return model.Clock(t.Hour(), t.Minute()), true
}

func (w *walker) budget(v any, s *model.Settings) {
	m, ok := w.table("budget", v, "per_contact", "per_account", "window_days")
	if !ok {
		return
	}
	if v, ok := m["per_contact"]; ok {
		if n, ok := w.whole("budget.per_contact", v, 1, 1000); ok {
			s.Budget.PerContact = int(n)
		}
	}
	if v, ok := m["per_account"]; ok {
		if n, ok := w.whole("budget.per_account", v, 1, 1000); ok {
			s.Budget.PerAccount = int(n)
		}
	}
	if v, ok := m["window_days"]; ok {
		if n, ok := w.whole("budget.window_days", v, 1, 366); ok {
			s.Budget.Window = time.Duration(n) * 24 * time.Hour
		}
	}
}

func (w *walker) restraint(v any, s *model.Settings) {
	m, ok := w.table("restraint", v, "suggest_tier", "cold_per_day")
	if !ok {
		return
	}
	if v, ok := m["suggest_tier"]; ok {
		if t, ok := w.str("restraint.suggest_tier", v); ok {
			tier, err := model.ParseTier(t)
			if err != nil {
				w.fail("restraint.suggest_tier", "must be A, B, C or D (the lowest tier suggested for cold outreach), got %q", t)
				return
			}
			s.FocusTier = tier
		}
	}
	if v, ok := m["cold_per_day"]; ok {
		if n, ok := w.whole("restraint.cold_per_day", v, 0, 1000); ok {
			s.ColdPerDay = int(n)
		}
	}
}

var rankKeys = []string{"tier", "fit", "overdue_day", "overdue_max", "due_today", "priority", "stale_day", "stale_max", "callable_now", "suggested", "contact_fit"}

func (w *walker) rank(v any, s *model.Settings) {
	m, ok := w.table("rank", v, rankKeys...)
	if !ok {
		return
	}
	co := &s.Coefficients
	co.Tier = maps.Clone(co.Tier)
	co.Priority = maps.Clone(co.Priority)
	if co.Tier == nil {
		co.Tier = map[model.Tier]float64{}
	}
	if co.Priority == nil {
		co.Priority = map[model.Priority]float64{}
	}
	if v, ok := m["tier"]; ok {
		if t, ok := w.table("rank.tier", v, "a", "b", "c", "d"); ok {
			for k, v := range t {
				if n, ok := w.number("rank.tier."+k, v); ok {
					co.Tier[model.Tier(strings.ToUpper(k))] = n
				}
			}
		}
	}
	if v, ok := m["priority"]; ok {
		if t, ok := w.table("rank.priority", v, "low", "medium", "high"); ok {
			for k, v := range t {
				if n, ok := w.number("rank.priority."+k, v); ok {
					co.Priority[model.Priority(k)] = n
				}
			}
		}
	}
	scalars := map[string]*float64{
		"fit": &co.Fit, "overdue_day": &co.OverdueDay, "overdue_max": &co.OverdueMax, "due_today": &co.DueToday,
		"stale_day": &co.StaleDay, "stale_max": &co.StaleMax, "callable_now": &co.CallableNow,
		"suggested": &co.Suggested, "contact_fit": &co.ContactFit,
	}
	for k, dst := range scalars {
		if v, ok := m[k]; ok {
			if n, ok := w.number("rank."+k, v); ok {
				*dst = n
			}
		}
	}
}

func (w *walker) staleAfter(v any, s *model.Settings) {
	m, ok := w.table("stale_after", v, "a", "b", "c", "d")
	if !ok {
		return
	}
	s.StaleAfter = maps.Clone(s.StaleAfter)
	if s.StaleAfter == nil {
		s.StaleAfter = map[model.Tier]time.Duration{}
	}
	for k, v := range m {
		if n, ok := w.whole("stale_after."+k, v, 1, 3650); ok {
			s.StaleAfter[model.Tier(strings.ToUpper(k))] = time.Duration(n) * 24 * time.Hour
		}
	}
}

func (w *walker) icp(v any, p *model.Profile) {
	m, ok := w.table("icp", v, "name", "criteria", "exclusions", "tiers", "contacts", "title_rules")
	if !ok {
		return
	}
	if v, ok := m["name"]; ok {
		if s, ok := w.str("icp.name", v); ok {
			p.Name = s
		}
	}
	if v, ok := m["criteria"]; ok {
		p.Criteria = []model.Criterion{}
		for i, t := range w.tables("icp.criteria", v) {
			path := fmt.Sprintf("icp.criteria[%d]", i)
			w.unknown(path, t, []string{"name", "field", "weight", "values", "min", "max"})
			var c model.Criterion
			c.Name, c.Field, c.Values, c.Min, c.Max = w.test(path, t)
			if v, ok := t["weight"]; ok {
				if n, ok := w.whole(path+".weight", v, 0, 1000); ok {
					c.Weight = int(n)
				}
			} else {
				w.fail(path, "missing weight: how many points the criterion is worth")
			}
			p.Criteria = append(p.Criteria, c)
		}
	}
	if v, ok := m["exclusions"]; ok {
		p.Exclusions = []model.Exclusion{}
		for i, t := range w.tables("icp.exclusions", v) {
			path := fmt.Sprintf("icp.exclusions[%d]", i)
			w.unknown(path, t, []string{"name", "field", "values", "min", "max"})
			var e model.Exclusion
			e.Name, e.Field, e.Values, e.Min, e.Max = w.test(path, t)
			p.Exclusions = append(p.Exclusions, e)
		}
	}
	if v, ok := m["tiers"]; ok {
		if t, ok := w.table("icp.tiers", v, "a", "b", "c"); ok {
			th := map[string]*int{"a": &p.Thresholds.A, "b": &p.Thresholds.B, "c": &p.Thresholds.C}
			for k, v := range t {
				dst, known := th[k]
				if !known {
					continue // w.table has reported the unknown key
				}
				if n, ok := w.whole("icp.tiers."+k, v, 0, 100); ok {
					*dst = int(n)
				}
			}
		}
	}
	if v, ok := m["contacts"]; ok {
		w.contacts(v, &p.Contacts)
	}
	if v, ok := m["title_rules"]; ok {
		p.TitleRules = []model.TitleRule{}
		for i, t := range w.tables("icp.title_rules", v) {
			path := fmt.Sprintf("icp.title_rules[%d]", i)
			w.unknown(path, t, []string{"match", "persona", "seniority"})
			var r model.TitleRule
			if v, ok := t["match"]; ok {
				r.Match, _ = w.strs(path+".match", v)
			}
			if len(r.Match) == 0 {
				w.fail(path, `missing match: the title words it applies to, like match = ["head of sales"]`)
			}
			if v, ok := t["persona"]; ok {
				r.Persona, _ = oneOf(w, path+".persona", v, model.Personas)
			}
			if v, ok := t["seniority"]; ok {
				r.Seniority, _ = oneOf(w, path+".seniority", v, model.Seniorities)
			}
			if r.Persona == "" && r.Seniority == "" {
				w.fail(path, "set persona, seniority or both")
			}
			p.TitleRules = append(p.TitleRules, r)
		}
	}
}

// test reads the parts a criterion and an exclusion share.
func (w *walker) test(path string, t map[string]any) (name string, field model.Field, values []string, lo, hi *int64) {
	if v, ok := t["name"]; ok {
		name, _ = w.str(path+".name", v)
	}
	if v, ok := t["field"]; ok {
		field, _ = oneOf(w, path+".field", v, model.Fields)
	} else {
		w.fail(path, "missing field: one of %s", strings.Join(fieldNames(), ", "))
	}
	if name == "" {
		name = string(field)
	}
	if v, ok := t["values"]; ok {
		values, _ = w.strs(path+".values", v)
	}
	for key, dst := range map[string]**int64{"min": &lo, "max": &hi} {
		if v, ok := t[key]; ok {
			if n, ok := w.whole(path+"."+key, v, 0, -1); ok {
				*dst = &n
			}
		}
	}
	_, hasValues := t["values"]
	_, hasMin := t["min"]
	_, hasMax := t["max"]
	switch field {
	case model.FieldEmployees, model.FieldRevenue:
		if hasValues {
			w.fail(path+".values", "field %s takes min and max, not values", field)
		}
		if !hasMin && !hasMax {
			w.fail(path, "field %s needs min, max or both", field)
		}
		if lo != nil && hi != nil && *lo > *hi {
			w.fail(path+".min", "must not be more than max (%d)", *hi)
		}
	case "":
	default:
		if hasMin || hasMax {
			w.fail(path, "field %s takes values, not min or max", field)
		}
		if len(values) == 0 {
			w.fail(path, `field %s needs values, like values = ["a", "b"]`, field)
		}
	}
	return name, field, values, lo, hi
}

func fieldNames() []string {
	s := make([]string, len(model.Fields))
	for i, f := range model.Fields {
		s[i] = string(f)
	}
	return s
}

func (w *walker) contacts(v any, cc *model.ContactCriteria) {
	m, ok := w.table("icp.contacts", v, "personas", "seniorities", "committee")
	if !ok {
		return
	}
	if v, ok := m["personas"]; ok {
		if t, ok := w.table("icp.contacts.personas", v); ok {
			cc.Personas = map[model.Persona]int{}
			for k, v := range t {
				path := "icp.contacts.personas." + k
				if p, ok := oneOf(w, path, k, model.Personas); ok {
					if n, ok := w.whole(path, v, 0, 100); ok {
						cc.Personas[p] = int(n)
					}
				}
			}
		}
	}
	if v, ok := m["seniorities"]; ok {
		if t, ok := w.table("icp.contacts.seniorities", v); ok {
			cc.Seniorities = map[model.Seniority]int{}
			for k, v := range t {
				path := "icp.contacts.seniorities." + k
				if s, ok := oneOf(w, path, k, model.Seniorities); ok {
					if n, ok := w.whole(path, v, 0, 100); ok {
						cc.Seniorities[s] = int(n)
					}
				}
			}
		}
	}
	if v, ok := m["committee"]; ok {
		if names, ok := w.strs("icp.contacts.committee", v); ok {
			cc.Committee = []model.Persona{}
			for i, n := range names {
				if p, ok := oneOf(w, fmt.Sprintf("icp.contacts.committee[%d]", i), n, model.Personas); ok {
					cc.Committee = append(cc.Committee, p)
				}
			}
		}
	}
}

var ruleKeys = []string{"outcome", "next", "next_title", "after_business_days", "after_days", "after_hours", "before_meeting", "set_status", "account_task", "flag_phone", "opt_out", "priority"}

// rules applies [[rules]]: each entry overrides the fields it names on the
// default rule for its outcome. Any after_* key replaces the whole wait.
func (w *walker) rules(v any, s *model.Settings) {
	s.Rules = slices.Clone(s.Rules)
	for i, t := range w.tables("rules", v) {
		path := fmt.Sprintf("rules[%d]", i)
		w.unknown(path, t, ruleKeys)
		ov, ok := t["outcome"]
		if !ok {
			w.fail(path, "missing outcome: the outcome this rule is for, like outcome = \"no-answer\"")
			continue
		}
		o, ok := oneOf(w, path+".outcome", ov, model.Outcomes)
		if !ok {
			continue
		}
		idx := slices.IndexFunc(s.Rules, func(r model.OutcomeRule) bool { return r.Outcome == o })
		if idx < 0 {
			s.Rules = append(s.Rules, model.OutcomeRule{Outcome: o})
			idx = len(s.Rules) - 1
		}
		r := s.Rules[idx]
		if v, ok := t["next"]; ok {
			if str, ok := v.(string); ok && strings.EqualFold(strings.TrimSpace(str), "none") {
				r.Next = ""
			} else if k, ok := oneOf(w, path+".next", v, append(slices.Clone(model.TaskKinds), "none")); ok {
				r.Next = k
			}
		}
		if v, ok := t["next_title"]; ok {
			r.NextTitle, _ = w.str(path+".next_title", v)
		}
		if _, a := t["after_business_days"]; a || t["after_days"] != nil || t["after_hours"] != nil {
			r.After = model.Wait{}
		}
		if v, ok := t["after_business_days"]; ok {
			if n, ok := w.whole(path+".after_business_days", v, 0, 365); ok {
				r.After.BusinessDays = int(n)
			}
		}
		if v, ok := t["after_days"]; ok {
			if n, ok := w.whole(path+".after_days", v, 0, 365); ok {
				r.After.Days = int(n)
			}
		}
		if v, ok := t["after_hours"]; ok {
			if n, ok := w.whole(path+".after_hours", v, 0, 24*365); ok {
				r.After.Hours = time.Duration(n) * time.Hour
			}
		}
		if v, ok := t["before_meeting"]; ok {
			if n, ok := w.whole(path+".before_meeting", v, 0, 30); ok {
				r.BeforeMeeting = int(n)
			}
		}
		if v, ok := t["set_status"]; ok {
			if str, ok := v.(string); ok && strings.TrimSpace(str) == "" {
				r.SetStatus = ""
			} else {
				r.SetStatus, _ = oneOf(w, path+".set_status", v, model.AccountStatuses)
			}
		}
		for key, dst := range map[string]*bool{"account_task": &r.AccountTask, "flag_phone": &r.FlagPhone, "opt_out": &r.OptOut} {
			if v, ok := t[key]; ok {
				if b, ok := w.boolean(path+"."+key, v); ok {
					*dst = b
				}
			}
		}
		if v, ok := t["priority"]; ok {
			r.Priority, _ = oneOf(w, path+".priority", v, []model.Priority{model.PriorityLow, model.PriorityMedium, model.PriorityHigh})
		}
		if r.Next != "" && r.NextTitle == "" {
			w.fail(path, "set next_title: the words the next action shows, like next_title = \"Call again\"")
		}
		s.Rules[idx] = r
	}
}

func (w *walker) crm(v any, c *CRM) {
	m, ok := w.table("crm", v, "kind", "owner_email", "base_url", "meeting_minutes",
		"instance_url", "login_url", "client_id", "api_version", "daily_share")
	if !ok {
		return
	}
	if v, ok := m["kind"]; ok {
		if s, ok := v.(string); ok && (s == "" || strings.EqualFold(s, "none")) {
			c.Kind = ""
		} else {
			c.Kind, _ = oneOf(w, "crm.kind", v, CRMKinds)
		}
	}
	if v, ok := m["owner_email"]; ok {
		if s, ok := w.str("crm.owner_email", v); ok {
			if s = strings.TrimSpace(s); s != "" && !strings.Contains(s, "@") {
				w.fail("crm.owner_email", "%q is not an email address", s)
			}
			c.OwnerEmail = s
		}
	}
	if v, ok := m["base_url"]; ok {
		if s, ok := w.str("crm.base_url", v); ok {
			if err := checkBaseURL(s); err != nil {
				w.fail("crm.base_url", "%s", err)
			} else {
				c.BaseURL = strings.TrimRight(s, "/")
			}
		}
	}
	if v, ok := m["meeting_minutes"]; ok {
		if n, ok := w.whole("crm.meeting_minutes", v, 5, 600); ok {
			c.MeetingMinutes = int(n)
		}
	}
	for _, k := range []struct {
		key string
		dst *string
	}{{"instance_url", &c.InstanceURL}, {"login_url", &c.LoginURL}} {
		if v, ok := m[k.key]; ok {
			if s, ok := w.str("crm."+k.key, v); ok {
				if err := checkOrgURL(s); err != nil {
					w.fail("crm."+k.key, "%s", err)
				} else {
					*k.dst = strings.TrimRight(strings.TrimSpace(s), "/")
				}
			}
		}
	}
	if v, ok := m["client_id"]; ok {
		if s, ok := w.str("crm.client_id", v); ok {
			c.ClientID = strings.TrimSpace(s)
		}
	}
	if v, ok := m["api_version"]; ok {
		if s, ok := w.str("crm.api_version", v); ok {
			if s = strings.TrimSpace(s); s != "" && !apiVersionRE.MatchString(s) {
				w.fail("crm.api_version", "%q is not a Salesforce API version: write it like \"v60.0\"", model.Shorten(model.Display(s), 40))
			} else {
				c.APIVersion = s
			}
		}
	}
	if v, ok := m["daily_share"]; ok {
		if f, ok := w.number("crm.daily_share", v); ok {
			if f <= 0 || f > 1 {
				w.fail("crm.daily_share", "must be above 0 and at most 1 (0.05 is 5%% of the org's daily API requests)")
			} else {
				c.DailyShare = f
			}
		}
	}
}

// apiVersionRE is a Salesforce REST version: v60.0 or 60.0.
var apiVersionRE = regexp.MustCompile(`^v?\d{2,3}\.\d$`)

// checkOrgURL is checkBaseURL for a Salesforce host: the token travels to
// it, so plain http only to this machine.
func checkOrgURL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if err := model.CheckWebURL(s); err != nil {
		shown := "the address"
		if u, perr := url.Parse(s); perr == nil {
			shown = fmt.Sprintf("%q", model.Shorten(model.Display(u.Redacted()), 100))
		}
		return fmt.Errorf("%s is refused: %s; write it like \"https://yourdomain.my.salesforce.com\"", shown, err)
	}
	return nil
}

// checkBaseURL applies model.CheckWebURL to [crm] base_url (the file's or
// SHORTLIST_HUBSPOT_BASE_URL): the token travels to it, so plain http is
// refused for any host but this machine. "" means the CRM's public API.
func checkBaseURL(s string) error {
	if s == "" {
		return nil
	}
	if err := model.CheckWebURL(s); err != nil {
		shown := "the address" // never echo what may hold a password
		if u, perr := url.Parse(s); perr == nil {
			shown = fmt.Sprintf("%q", model.Shorten(model.Display(u.Redacted()), 100))
		}
		return fmt.Errorf("%s is refused: %s; write it like \"https://api.hubapi.com\"", shown, err)
	}
	return nil
}
