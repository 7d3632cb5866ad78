package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// The config file is described once, here: shortlist init writes it from
// these sections, shortlist config show prints the effective values through
// them, and the README's settings reference is generated from them, so the
// three cannot drift apart. The keys each section lists are the keys the
// parser (walk.go, config.go) accepts.

// keyDoc documents one key of a section.
type keyDoc struct {
	key  string // "per_contact"; "*" for a table whose keys are names (personas)
	kind string // what may be written: "whole number 1–1000"
	doc  string
}

// section is one table of the config file.
type section struct {
	name  string // "budget", "icp.criteria"
	array bool   // [[name]]: a list of tables
	doc   string
	keys  []keyDoc
	// tables returns the section's values in c: one map per table (an array
	// section may have none), keyed by the keys above.
	tables func(c Config) []map[string]any
	// example is written, commented out, when an array section has no
	// entries, so the file still shows how to add one.
	example string
}

func one(m map[string]any) []map[string]any { return []map[string]any{m} }

func days(d time.Duration) int64 { return int64(d / (24 * time.Hour)) }

func sections() []section {
	fields := strings.Join(fieldNames(), ", ")
	return []section{
		{name: "rep", doc: "Who the book belongs to. Dates such as \"today\" are the rep's.",
			keys: []keyDoc{
				{"name", "text", "your name, shown in the header"},
				{"email", "email address", "your email address"},
				{"time_zone", "IANA zone name", "your time zone, like \"America/Chicago\"; empty means the machine's zone"},
			},
			tables: func(c Config) []map[string]any {
				return one(map[string]any{"name": c.Rep.Name, "email": c.Rep.Email, "time_zone": c.Rep.TimeZone})
			}},
		{name: "calling_hours", doc: "Calls are suggested only inside these hours, in the contact's own zone; never outside 08:00–21:00.",
			keys: []keyDoc{
				{"start", "\"HH:MM\", 08:00–21:00", "first time of day a call is suggested"},
				{"end", "\"HH:MM\", after start, ≤ 21:00", "time of day calls stop being suggested"},
			},
			tables: func(c Config) []map[string]any {
				h := c.Settings.CallingHours
				return one(map[string]any{"start": clockText(h.Start), "end": clockText(h.End)})
			}},
		{name: "budget", doc: "Touch budgets: a contact or account that has had this many touches in the window is held back, with the reason shown.",
			keys: []keyDoc{
				{"per_contact", "whole number 1–1000", "touches per contact within the window"},
				{"per_account", "whole number 1–1000", "touches per account (all its contacts) within the window"},
				{"window_days", "whole number 1–366", "the window, in days"},
			},
			tables: func(c Config) []map[string]any {
				b := c.Settings.Budget
				return one(map[string]any{"per_contact": int64(b.PerContact), "per_account": int64(b.PerAccount), "window_days": days(b.Window)})
			}},
		{name: "restraint", doc: "Cold outreach is rationed: stale accounts are suggested only at or above this ICP tier, and never when an exclusion hits them. Tasks that exist stay on the list whatever the tier.",
			keys: []keyDoc{
				{"suggest_tier", "\"A\", \"B\", \"C\" or \"D\"", "the lowest tier suggested for cold outreach (default C: tiers A–C)"},
				{"cold_per_day", "whole number 0–1000", "cold (suggested) rows a day offers, counting the cold touches already logged today; past it they are held as cold-quota (0: none)"},
			},
			tables: func(c Config) []map[string]any {
				t := c.Settings.FocusTier
				if t == "" {
					t = model.TierC
				}
				return one(map[string]any{"suggest_tier": string(t), "cold_per_day": int64(c.Settings.ColdPerDay)})
			}},
		{name: "rank", doc: "Rank coefficients: each row's rank is the sum of these terms, in the manner of Taskwarrior's urgency.",
			keys: []keyDoc{
				{"fit", "number", "times the account's fit / 100"},
				{"overdue_day", "number", "per day a task is overdue"},
				{"overdue_max", "number", "cap on the overdue term"},
				{"due_today", "number", "a task due today"},
				{"stale_day", "number", "per day since the account's last touch"},
				{"stale_max", "number", "cap on the stale term"},
				{"callable_now", "number", "the contact is inside calling hours now"},
				{"suggested", "number", "added to every suggested row (negative puts suggestions after tasks)"},
				{"contact_fit", "number", "times the contact's persona and seniority level / 100"},
			},
			tables: func(c Config) []map[string]any {
				co := c.Settings.Coefficients
				return one(map[string]any{
					"fit": co.Fit, "overdue_day": co.OverdueDay, "overdue_max": co.OverdueMax, "due_today": co.DueToday,
					"stale_day": co.StaleDay, "stale_max": co.StaleMax, "callable_now": co.CallableNow,
					"suggested": co.Suggested, "contact_fit": co.ContactFit,
				})
			}},
		{name: "rank.tier", doc: "Rank points for the account's tier.",
			keys: []keyDoc{{"a", "number", "tier A"}, {"b", "number", "tier B"}, {"c", "number", "tier C"}, {"d", "number", "tier D"}},
			tables: func(c Config) []map[string]any {
				m := map[string]any{}
				for t, v := range c.Settings.Coefficients.Tier {
					m[strings.ToLower(string(t))] = v
				}
				return one(m)
			}},
		{name: "rank.priority", doc: "Rank points for a task's priority.",
			keys: []keyDoc{{"low", "number", "low priority"}, {"medium", "number", "medium priority"}, {"high", "number", "high priority"}},
			tables: func(c Config) []map[string]any {
				m := map[string]any{}
				for p, v := range c.Settings.Coefficients.Priority {
					m[string(p)] = v
				}
				return one(m)
			}},
		{name: "stale_after", doc: "Days an account of each tier may go untouched before it is suggested.",
			keys: []keyDoc{{"a", "whole number 1–3650", "tier A"}, {"b", "whole number 1–3650", "tier B"}, {"c", "whole number 1–3650", "tier C"}, {"d", "whole number 1–3650", "tier D"}},
			tables: func(c Config) []map[string]any {
				m := map[string]any{}
				for t, d := range c.Settings.StaleAfter {
					m[strings.ToLower(string(t))] = days(d)
				}
				return one(m)
			}},
		{name: "icp", doc: "The Ideal Customer Profile each account's fit is scored against. A changed profile re-scores the book on the next start.",
			keys: []keyDoc{{"name", "text", "the profile's name"}},
			tables: func(c Config) []map[string]any {
				return one(map[string]any{"name": c.Profile.Name})
			}},
		{name: "icp.tiers", doc: "The lowest fit (0–100) for each tier; below c is tier D. Must be a ≥ b ≥ c.",
			keys: []keyDoc{{"a", "whole number 0–100", "lowest fit for tier A"}, {"b", "whole number 0–100", "lowest fit for tier B"}, {"c", "whole number 0–100", "lowest fit for tier C"}},
			tables: func(c Config) []map[string]any {
				t := c.Profile.Thresholds
				return one(map[string]any{"a": int64(t.A), "b": int64(t.B), "c": int64(t.C)})
			}},
		{name: "icp.criteria", array: true, doc: "The criteria, each worth weight points. Fit is the share of points earned over the criteria whose data is known. Listing any replaces the whole default list.",
			keys: []keyDoc{
				{"name", "text", "shown in the fit explanation; defaults to the field"},
				{"field", "one of " + fields, "the account field tested"},
				{"weight", "whole number 0–1000", "points the criterion is worth"},
				{"values", "list of text", "accepted values (text fields; matched case-insensitively)"},
				{"min", "whole number ≥ 0", "lowest accepted value (employees, revenue)"},
				{"max", "whole number ≥ 0", "highest accepted value (employees, revenue)"},
			},
			tables: func(c Config) []map[string]any {
				var out []map[string]any
				for _, cr := range c.Profile.Criteria {
					m := testMap(cr.Name, cr.Field, cr.Values, cr.Min, cr.Max)
					m["weight"] = int64(cr.Weight)
					out = append(out, m)
				}
				return out
			}},
		{name: "icp.exclusions", array: true, doc: "Exclusions disqualify an account outright (the negative ICP). Listing any replaces the whole default list.",
			keys: []keyDoc{
				{"name", "text", "shown as the reason; defaults to the field"},
				{"field", "one of " + fields, "the account field tested"},
				{"values", "list of text", "excluded values (text fields)"},
				{"min", "whole number ≥ 0", "excluded from this value up (employees, revenue)"},
				{"max", "whole number ≥ 0", "excluded up to this value (employees, revenue)"},
			},
			tables: func(c Config) []map[string]any {
				var out []map[string]any
				for _, e := range c.Profile.Exclusions {
					out = append(out, testMap(e.Name, e.Field, e.Values, e.Min, e.Max))
				}
				return out
			}},
		{name: "icp.contacts", doc: "Which contacts the ICP wants: the committee roles an account should have reached.",
			keys: []keyDoc{{"committee", "list of " + strings.Join(names(model.Personas), ", "), "the buying-committee roles to reach at each account"}},
			tables: func(c Config) []map[string]any {
				return one(map[string]any{"committee": names(c.Profile.Contacts.Committee)})
			}},
		{name: "icp.contacts.personas", doc: "Points (0–100) a contact earns for their persona. Listing any replaces the whole table.",
			keys: []keyDoc{{"*", "whole number 0–100", "a persona: " + strings.Join(names(model.Personas), ", ")}},
			tables: func(c Config) []map[string]any {
				m := map[string]any{}
				for p, v := range c.Profile.Contacts.Personas {
					m[string(p)] = int64(v)
				}
				return one(m)
			}},
		{name: "icp.contacts.seniorities", doc: "Points (0–100) a contact earns for their seniority. Listing any replaces the whole table.",
			keys: []keyDoc{{"*", "whole number 0–100", "a seniority: " + strings.Join(names(model.Seniorities), ", ")}},
			tables: func(c Config) []map[string]any {
				m := map[string]any{}
				for s, v := range c.Profile.Contacts.Seniorities {
					m[string(s)] = int64(v)
				}
				return one(m)
			}},
		{name: "icp.title_rules", array: true, doc: "Title rules map job titles to a persona and seniority; they are tried before the built-in ones.",
			keys: []keyDoc{
				{"match", "list of text", "title words or phrases, matched whole and case-insensitively"},
				{"persona", "one of " + strings.Join(names(model.Personas), ", "), "the persona a matching title gets"},
				{"seniority", "one of " + strings.Join(names(model.Seniorities), ", "), "the seniority a matching title gets"},
			},
			example: "[[icp.title_rules]]\nmatch = [\"head of revenue\", \"cro\"]\npersona = \"decision-maker\"\nseniority = \"c-level\"",
			tables: func(c Config) []map[string]any {
				var out []map[string]any
				for _, r := range c.Profile.TitleRules {
					m := map[string]any{"match": slices.Clone(r.Match)}
					if r.Persona != "" {
						m["persona"] = string(r.Persona)
					}
					if r.Seniority != "" {
						m["seniority"] = string(r.Seniority)
					}
					out = append(out, m)
				}
				return out
			}},
		{name: "rules", array: true, doc: "Outcome → next action. Each rule changes the keys it names on the shipped rule for its outcome.",
			keys: []keyDoc{
				{"outcome", "one of " + strings.Join(names(model.Outcomes), ", "), "the outcome the rule is for"},
				{"next", "one of " + strings.Join(names(model.TaskKinds), ", ") + ", none", "the next action proposed"},
				{"next_title", "text", "the words the next action shows (required with next)"},
				{"after_business_days", "whole number 0–365", "due this many business days later (any after_* replaces the whole wait)"},
				{"after_days", "whole number 0–365", "due this many calendar days later"},
				{"after_hours", "whole number 0–8760", "due this many hours later"},
				{"before_meeting", "whole number 0–30", "due this many business days before the meeting"},
				{"set_status", "one of " + strings.Join(names(model.AccountStatuses), ", ") + ", or \"\"", "move the account to this status"},
				{"account_task", "true or false", "the next action is on the account, not the contact"},
				{"flag_phone", "true or false", "flag the contact's phone as bad"},
				{"opt_out", "true or false", "record the contact's opt-out and close their open tasks on the channel"},
				{"priority", "low, medium or high", "the next action's priority"},
			},
			tables: func(c Config) []map[string]any {
				var out []map[string]any
				for _, r := range c.Settings.Rules {
					out = append(out, ruleMap(r))
				}
				return out
			}},
		{name: "crm", doc: "The CRM the book syncs with. The token is never kept here: run shortlist auth hubspot. SHORTLIST_HUBSPOT_OWNER_EMAIL and SHORTLIST_HUBSPOT_BASE_URL override owner_email and base_url; for Salesforce, SHORTLIST_SALESFORCE_INSTANCE_URL, _LOGIN_URL, _CLIENT_ID and _API_VERSION override instance_url, login_url, client_id and api_version, and SHORTLIST_SALESFORCE_ACCESS_TOKEN gives a session (e.g. from sf org display --json).",
			keys: []keyDoc{
				{"kind", "\"hubspot\", \"salesforce\", or \"\" for none", "which CRM"},
				{"owner_email", "email address", "the CRM owner whose records are yours (Salesforce: optional, the login's own email)"},
				{"base_url", "https address (plain http only to this machine: 127.0.0.1, ::1, localhost)", "the API's base URL; empty means HubSpot's public one; the token travels to it"},
				{"meeting_minutes", "whole number 5–600", "how long a booked meeting is written to the CRM as (default 30)"},
				{"instance_url", "https address (plain http only to this machine)", "Salesforce: your org, like https://yourdomain.my.salesforce.com; the token travels to it"},
				{"login_url", "https address (plain http only to this machine)", "Salesforce: where sessions are issued and renewed; empty means https://login.salesforce.com (sandboxes: https://test.salesforce.com)"},
				{"client_id", "text", "Salesforce: the consumer key of your team's connected app (to sign in and renew sessions)"},
				{"api_version", "version like \"v60.0\" (46.0 or later)", "Salesforce: the REST API version; empty means v60.0"},
				{"daily_share", "number above 0, at most 1", "Salesforce: the most of the org's daily API requests one sync may spend (default 0.05, 5%)"},
			},
			tables: func(c Config) []map[string]any {
				m := map[string]any{"kind": c.CRM.Kind, "owner_email": c.CRM.OwnerEmail, "base_url": c.CRM.BaseURL,
					"meeting_minutes": int64(c.CRM.MeetingLength() / time.Minute)}
				if c.CRM.Kind == "salesforce" || c.CRM.InstanceURL != "" {
					m["instance_url"], m["login_url"], m["client_id"], m["api_version"] = c.CRM.InstanceURL, c.CRM.LoginURL, c.CRM.ClientID, c.CRM.APIVersion
					m["daily_share"] = c.CRM.DailyShare
					if c.CRM.DailyShare == 0 {
						m["daily_share"] = 0.05
					}
				}
				return one(m)
			}},
	}
}

func names[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func testMap(name string, f model.Field, values []string, lo, hi *int64) map[string]any {
	m := map[string]any{"name": name, "field": string(f)}
	if values != nil {
		m["values"] = slices.Clone(values)
	}
	if lo != nil {
		m["min"] = *lo
	}
	if hi != nil {
		m["max"] = *hi
	}
	return m
}

func ruleMap(r model.OutcomeRule) map[string]any {
	m := map[string]any{"outcome": string(r.Outcome)}
	if r.Next == "" {
		m["next"] = "none"
	} else {
		m["next"], m["next_title"] = string(r.Next), r.NextTitle
	}
	if r.After.BusinessDays != 0 {
		m["after_business_days"] = int64(r.After.BusinessDays)
	}
	if r.After.Days != 0 {
		m["after_days"] = int64(r.After.Days)
	}
	if r.After.Hours != 0 {
		m["after_hours"] = int64(r.After.Hours / time.Hour)
	}
	if r.BeforeMeeting != 0 {
		m["before_meeting"] = int64(r.BeforeMeeting)
	}
	if r.SetStatus != "" {
		m["set_status"] = string(r.SetStatus)
	}
	for k, b := range map[string]bool{"account_task": r.AccountTask, "flag_phone": r.FlagPhone, "opt_out": r.OptOut} {
		if b {
			m[k] = true
		}
	}
	if r.Priority != "" {
		m["priority"] = string(r.Priority)
	}
	return m
}

// tableKeys orders a table's keys: the documented order, then (for a table
// keyed by names) the names in sorted order.
func tableKeys(s section, m map[string]any) []string {
	var out []string
	for _, k := range s.keys {
		if k.key == "*" {
			return slices.Sorted(maps.Keys(m))
		}
		if _, ok := m[k.key]; ok {
			out = append(out, k.key)
		}
	}
	return out
}

// tomlValue writes v as a TOML value.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return tomlString(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = tomlString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("config: no TOML form for %T", v)) // a programming error in sections()
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// wrapComment writes text as "# " lines of at most width columns.
func wrapComment(b *strings.Builder, text string, width int) {
	line := "#"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > width && line != "#" {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}

// render writes c as TOML. With docs, every section and key carries its
// comment (shortlist init); without, only the values (config show).
func render(c Config, docs bool) string {
	var b strings.Builder
	for i, s := range sections() {
		tables := s.tables(c)
		if i > 0 {
			b.WriteString("\n")
		}
		if docs {
			wrapComment(&b, s.doc, 78)
			if s.array || s.keys[0].key == "*" {
				// Key comments go once, here, not on every entry.
				for _, k := range s.keys {
					wrapComment(&b, "  "+strings.Replace(k.key, "*", "<name>", 1)+": "+k.doc+" ("+k.kind+")", 78)
				}
			}
		}
		if len(tables) == 0 {
			if docs && s.example != "" {
				b.WriteString("# For example:\n")
				for _, l := range strings.Split(s.example, "\n") {
					b.WriteString("# " + l + "\n")
				}
			} else {
				fmt.Fprintf(&b, "# no [[%s]] entries\n", s.name)
			}
			continue
		}
		for j, m := range tables {
			if j > 0 {
				b.WriteString("\n")
			}
			if s.array {
				fmt.Fprintf(&b, "[[%s]]\n", s.name)
			} else {
				fmt.Fprintf(&b, "[%s]\n", s.name)
			}
			for _, k := range tableKeys(s, m) {
				if docs && j == 0 && len(tables) == 1 && s.keys[0].key != "*" {
					wrapComment(&b, keyDocOf(s, k).doc+" ("+keyDocOf(s, k).kind+")", 78)
				}
				fmt.Fprintf(&b, "%s = %s\n", k, tomlValue(m[k]))
			}
		}
	}
	return b.String()
}

func keyDocOf(s section, key string) keyDoc {
	for _, k := range s.keys {
		if k.key == key {
			return k
		}
	}
	return keyDoc{key: key}
}

// Tree is the configuration as nested maps shaped like the file, for
// `config show --json`: each section by its dotted name, an array section as
// a list of tables.
func (c Config) Tree() map[string]any {
	out := map[string]any{}
	for _, s := range sections() {
		tables := s.tables(c)
		if s.array {
			list := make([]map[string]any, 0, len(tables))
			list = append(list, tables...)
			out[s.name] = list
		} else if len(tables) == 1 {
			out[s.name] = tables[0]
		}
	}
	return out
}

// TOML is the configuration as a config file without comments: what
// `config show` prints. It parses back to the same configuration.
func (c Config) TOML() string { return render(c.masked(), false) }

// masked hides what must not be printed: credentials written into the CRM
// base URL (https://user:secret@host).
func (c Config) masked() Config {
	if u, err := url.Parse(c.CRM.BaseURL); err == nil && u.User != nil {
		u.User = nil
		c.CRM.BaseURL = strings.Replace(u.String(), "://", "://****@", 1)
	}
	return c
}

// Reference is the README's settings reference: a table per section, made
// from the same descriptions and defaults shortlist init writes.
func Reference() string {
	var b strings.Builder
	d := Default()
	for _, s := range sections() {
		head := "[" + s.name + "]"
		if s.array {
			head = "[[" + s.name + "]]"
		}
		fmt.Fprintf(&b, "#### `%s`\n\n%s\n\n", head, s.doc)
		b.WriteString("| Key | Value | Meaning | Default |\n|---|---|---|---|\n")
		tables := s.tables(d)
		for _, k := range s.keys {
			def := "—"
			switch {
			case s.array:
				def = "see `shortlist init`"
				if len(tables) == 0 {
					def = "none"
				}
			case k.key == "*":
				var parts []string
				for _, n := range tableKeys(s, tables[0]) {
					parts = append(parts, n+" = "+tomlValue(tables[0][n]))
				}
				def = strings.Join(parts, ", ")
			default:
				if v, ok := tables[0][k.key]; ok {
					def = tomlValue(v)
				}
			}
			key := "`" + k.key + "`"
			if k.key == "*" {
				key = "*name*"
			}
			if !s.array {
				def = "`" + mdEscape(def) + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", key, mdEscape(k.kind), mdEscape(k.doc), def)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
