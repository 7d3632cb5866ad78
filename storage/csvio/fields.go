package csvio

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/shortlisthq/shortlist/model"
)

// aliases are the headers each field is recognised by, normalised (see
// normalize): what HubSpot, Salesforce, Apollo, LinkedIn Sales Navigator and
// hand-made spreadsheets call them. The field's own name is always one.
func aliases(k model.RecordKind) map[string][]string {
	switch k {
	case model.KindAccounts:
		return map[string][]string{
			"crm_id":         {"recordid", "companyid", "hubspotid", "hubspotcompanyid", "hubspotrecordid", "salesforceid", "sfdcid", "externalid"},
			"name":           {"companyname", "company", "accountname", "account", "organization", "organisation", "organizationname", "businessname"},
			"domain":         {"website", "websiteurl", "companydomain", "companydomainname", "companywebsite", "url", "web", "homepage"},
			"industry":       {"sector", "vertical"},
			"employees":      {"numberofemployees", "noofemployees", "employeecount", "headcount", "companysize", "employeesize", "staff", "size"},
			"annual_revenue": {"revenue", "annualrevenueusd", "companyrevenue", "yearlyrevenue"},
			"country":        {"countryregion", "countryname", "billingcountry", "hqcountry"},
			"region":         {"state", "stateregion", "stateorregion", "province", "stateprovince", "county", "billingstate", "hqstate"},
			"city":           {"town", "billingcity", "hqcity"},
			"time_zone":      {"tz", "zone", "ianatimezone"},
			"technologies":   {"technology", "techstack", "tech", "webtechnologies"},
			"owner":          {"accountowner", "companyowner", "recordowner"},
			"status":         {"accountstatus"},
			"crm_tier":       {"icptier", "idealcustomerprofiletier", "idealcustomerprofile"},
			"do_not_contact": {"dnc"},
			"crm_url":        {"recordurl", "hubspoturl"},
		}
	case model.KindContacts:
		return map[string][]string{
			"crm_id":           {"recordid", "contactid", "hubspotid", "hubspotcontactid", "hubspotrecordid", "salesforceid", "leadid", "externalid"},
			"first_name":       {"first", "firstname", "givenname", "forename"},
			"last_name":        {"last", "lastname", "surname", "familyname"},
			"name":             {"fullname", "contactname", "contact", "personname"},
			"title":            {"jobtitle", "position", "role", "jobrole"},
			"persona":          {"buyingrole"},
			"seniority":        {"level", "managementlevel"},
			"email":            {"emailaddress", "workemail", "businessemail", "mail", "primaryemail", "email1"},
			"phone":            {"phonenumber", "workphone", "businessphone", "directphone", "directdial", "telephone", "tel", "officephone", "corporatephone"},
			"mobile":           {"mobilephone", "mobilephonenumber", "mobilenumber", "cell", "cellphone"},
			"phone_bad":        {"badphone", "wrongnumber"},
			"linkedin_url":     {"linkedin", "linkedinprofile", "linkedinprofileurl", "personlinkedinurl"},
			"time_zone":        {"tz", "zone", "ianatimezone"},
			"account":          {"company", "companyname", "accountname", "organization", "organisation", "associatedcompany", "employer"},
			"account_crm_id":   {"companyid", "associatedcompanyid", "companyrecordid", "accountcrmid", "companycrmid"},
			"account_domain":   {"companydomain", "companydomainname", "companywebsite", "website", "domain", "accountwebsite"},
			"email_opt_out":    {"emailoptout", "emailoptedout", "unsubscribed", "donotemail", "hasoptedoutofemail", "unsubscribedfromallemail", "optedout"},
			"do_not_call":      {"donotcall", "dnc", "calloptout", "callsoptout", "donotphone"},
			"linkedin_opt_out": {"linkedinoptout", "donotlinkedin"},
		}
	}
	return nil
}

// computedColumns are the columns export writes that an import leaves
// alone: Shortlist's own ids, scores and clocks.
func computedColumns(k model.RecordKind) []string {
	switch k {
	case model.KindAccounts:
		return []string{"id", "fit", "tier", "fitscore", "icpfit", "lasttouched", "updatedat"}
	case model.KindContacts:
		return []string{"id", "accountid", "lasttouched", "updatedat"}
	}
	return nil
}

// normalize reduces a header to lower-case letters and digits, so "Company
// Name", "company_name" and "COMPANY-NAME" read alike; a leading "#" means
// "number of" ("# Employees").
func normalize(h string) string {
	h = strings.TrimSpace(h)
	var b strings.Builder
	if strings.HasPrefix(h, "#") {
		b.WriteString("numberof")
	}
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mapping says which field each column of a file fills.
type Mapping struct {
	Kind     model.RecordKind
	Fields   []string // per column: the field, or "" when the column is not imported
	Columns  []model.ImportColumn
	Ignored  []string // headers no field matched (or a second column for one field)
	Computed []string // export-only headers, not imported
	index    map[string]int
	delim    rune
}

// field returns the index of a field in model.ImportFields, or -1.
func (m *Mapping) field(name string) int {
	if i, ok := m.index[name]; ok {
		return i
	}
	return -1
}

// Map decides the field of each header: overrides first (header → field, ""
// to ignore the column; the header matched exactly, else normalised), then
// the field names and their aliases. A second column for a field already
// filled is ignored. It fails when an override names an unknown field or a
// header the file lacks, or when no column identifies a record.
func Map(k model.RecordKind, header []string, overrides map[string]string) (Mapping, error) {
	fields := model.ImportFields(k)
	if fields == nil {
		return Mapping{}, fmt.Errorf("%s cannot be imported: import accounts or contacts", k)
	}
	m := Mapping{Kind: k, Fields: make([]string, len(header)), index: map[string]int{}}
	for i, f := range fields {
		m.index[f] = i
	}
	byAlias := map[string]string{}
	for f, as := range aliases(k) {
		for _, a := range as {
			byAlias[a] = f
		}
	}
	for _, f := range fields {
		byAlias[normalize(f)] = f
	}
	computed := computedColumns(k)

	// Overrides, in a fixed order so errors are the same run to run.
	forced := make([]bool, len(header))
	keys := make([]string, 0, len(overrides))
	for h := range overrides {
		keys = append(keys, h)
	}
	sort.Strings(keys)
	for _, h := range keys {
		f := strings.TrimSpace(overrides[h])
		if f != "" && m.field(f) < 0 {
			return Mapping{}, fmt.Errorf("map %q: %w %q: fields for %s are %s", h+"="+f, model.ErrUnknownField, f, k, strings.Join(fields, ", "))
		}
		col := slices.Index(header, strings.TrimSpace(h))
		if col < 0 {
			want := normalize(h)
			col = slices.IndexFunc(header, func(x string) bool { return normalize(x) == want })
		}
		if col < 0 {
			return Mapping{}, fmt.Errorf("map %s: the file has no column %s (its columns: %s)", quote(h+"="+f), quote(h), quoteAll(header))
		}
		m.Fields[col], forced[col] = f, true
	}
	taken := map[string]bool{}
	for col, f := range m.Fields {
		if forced[col] && f != "" {
			taken[f] = true
		}
	}
	for col, h := range header {
		if forced[col] {
			continue
		}
		n := normalize(h)
		f, ok := byAlias[n]
		switch {
		case ok && !taken[f]:
			m.Fields[col], taken[f] = f, true
		case ok:
			m.Ignored = append(m.Ignored, fmt.Sprintf("%s (a second %s column)", label(h, col), f))
		case slices.Contains(computed, n):
			m.Computed = append(m.Computed, text(h))
		default:
			m.Ignored = append(m.Ignored, label(h, col))
		}
	}
	for col, f := range m.Fields {
		if f != "" {
			m.Columns = append(m.Columns, model.ImportColumn{Header: label(header[col], col), Field: f})
		}
	}
	if err := m.identifies(taken); err != nil {
		return Mapping{}, err
	}
	return m, nil
}

// identifies checks that some column can tell records apart.
func (m *Mapping) identifies(taken map[string]bool) error {
	switch m.Kind {
	case model.KindAccounts:
		if !taken["name"] && !taken["domain"] && !taken["crm_id"] {
			return fmt.Errorf(`no column gives the company name, domain or CRM id: name one with --map "Header=name"`)
		}
	case model.KindContacts:
		if !taken["name"] && !taken["first_name"] && !taken["last_name"] && !taken["email"] && !taken["crm_id"] {
			return fmt.Errorf(`no column gives the contact's name, email or CRM id: name one with --map "Header=email"`)
		}
	}
	return nil
}

// label names a column for messages: its header, cleaned for the
// terminal, or its position.
func label(h string, col int) string {
	h = text(h)
	if h == "" {
		return fmt.Sprintf("column %d (no header)", col+1)
	}
	return h
}

// maxListed is how many names a message lists before "and N more".
const maxListed = 8

func quoteAll(ss []string) string {
	q := make([]string, min(len(ss), maxListed))
	for i := range q {
		q[i] = quote(ss[i])
	}
	if len(ss) > maxListed {
		return fmt.Sprintf("%s and %d more", strings.Join(q, ", "), len(ss)-maxListed)
	}
	return strings.Join(q, ", ")
}
