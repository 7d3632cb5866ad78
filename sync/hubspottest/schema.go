package hubspottest

import "strings"

// propDef is a property definition: a built-in one or one created through
// the properties API.
type propDef struct {
	Name        string
	Label       string
	Type        string // string, number, date, datetime, enumeration, bool
	FieldType   string
	GroupName   string
	Description string
	Unique      bool
	ReadOnly    bool     // HubSpot computes it or changes it through another API
	Options     []string // enumeration values enforced on write; nil: any
	Custom      bool
}

// typeInfo is what the server knows about one object type.
type typeInfo struct {
	Name     string // plural, as in URLs
	TypeID   string // HubSpot's object type id, e.g. "0-2"
	Singular string // upper case, as HubSpot's messages name it
	Modified string // the modified-date property
	Defaults []string
	// Engagement types take hs_timestamp and refuse unique properties
	// unless Options.UniqueOnEngagements.
	Engagement bool
}

var types = []typeInfo{
	{Name: "companies", TypeID: "0-2", Singular: "COMPANY", Modified: "hs_lastmodifieddate", Defaults: []string{"name", "domain"}},
	{Name: "contacts", TypeID: "0-1", Singular: "CONTACT", Modified: "lastmodifieddate", Defaults: []string{"firstname", "lastname", "email"}},
	{Name: "calls", TypeID: "0-48", Singular: "CALL", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp", "hs_call_title"}},
	{Name: "tasks", TypeID: "0-27", Singular: "TASK", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp", "hs_task_subject", "hs_task_status"}},
	{Name: "notes", TypeID: "0-46", Singular: "NOTE", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp"}},
	{Name: "meetings", TypeID: "0-47", Singular: "MEETING", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp", "hs_meeting_title"}},
	{Name: "emails", TypeID: "0-49", Singular: "EMAIL", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp", "hs_email_subject"}},
	{Name: "communications", TypeID: "0-18", Singular: "COMMUNICATION", Modified: "hs_lastmodifieddate", Engagement: true, Defaults: []string{"hs_timestamp", "hs_communication_channel_type"}},
}

// requiredOnCreate are the properties HubSpot's engagement docs require
// when a record of a type is created, besides hs_timestamp (every
// engagement's): a communication must say its channel and that it was
// logged by hand.
var requiredOnCreate = map[string][]string{
	"communications": {"hs_communication_channel_type", "hs_communication_logged_from"},
}

// maxValueLen is HubSpot's cap on a property value, in characters.
const maxValueLen = 65_536

// lookupType maps a URL's object type (plural, singular or type id, any
// case) to its info.
func lookupType(s string) (typeInfo, bool) {
	s = strings.ToLower(s)
	for _, t := range types {
		if s == t.Name || s == t.TypeID || s == strings.TrimSuffix(t.Name, "s") || (t.Name == "companies" && s == "company") {
			return t, true
		}
	}
	return typeInfo{}, false
}

// mustType is lookupType for the seeding methods, whose callers pass
// constants: an unknown type there is a bug in the test.
func mustType(s string) typeInfo {
	t, ok := lookupType(s)
	if !ok {
		panic("hubspottest: unknown object type " + s)
	}
	return t
}

// builtinProps returns the built-in property definitions of an object type:
// the ones Shortlist reads or writes, with the types and enumerations
// HubSpot gives them.
func builtinProps(t typeInfo) map[string]*propDef {
	m := map[string]*propDef{}
	add := func(name, typ string, opts ...string) *propDef {
		p := &propDef{Name: name, Label: name, Type: typ, FieldType: fieldFor(typ), GroupName: strings.TrimSuffix(t.Name, "s") + "information"}
		if len(opts) > 0 {
			p.Options = opts
		}
		m[name] = p
		return p
	}
	add("hs_object_id", "number").ReadOnly = true
	add("createdate", "datetime")
	add("hubspot_owner_id", "enumeration")
	add(t.Modified, "datetime").ReadOnly = true
	switch t.Name {
	case "companies":
		for _, n := range []string{"name", "domain", "website", "industry", "phone", "address", "city", "state", "country", "zip", "description", "timezone", "type", "lifecyclestage", "linkedin_company_page"} {
			add(n, "string")
		}
		add("numberofemployees", "number")
		add("annualrevenue", "number")
		add("notes_last_contacted", "datetime")
		add("hs_ideal_customer_profile", "enumeration", "tier_1", "tier_2", "tier_3")
		add("hs_is_target_account", "bool", "true", "false")
	case "contacts":
		for _, n := range []string{"firstname", "lastname", "phone", "mobilephone", "jobtitle", "company", "city", "state", "country", "zip", "hs_timezone", "hs_language", "lifecyclestage", "hs_lead_status", "hs_linkedin_url", "linkedin", "website"} {
			add(n, "string")
		}
		add("email", "string").Unique = true
		add("associatedcompanyid", "number")
		add("notes_last_contacted", "datetime")
		// Changed through the communication-preferences API only.
		add("hs_email_optout", "bool", "true", "false").ReadOnly = true
		// What the buyer did, as HubSpot's tracking and forms record it on
		// the contact: calculated, so read-only to the API (seed them with
		// Update, as the tracking would set them). Opens are served too, so
		// a test can show they are not read as signals.
		for _, n := range []string{"recent_conversion_date", "first_conversion_date", "hs_sales_email_last_replied",
			"hs_sales_email_last_clicked", "hs_sales_email_last_opened", "hs_email_last_click_date", "hs_email_last_open_date",
			"hs_analytics_last_visit_timestamp", "hs_analytics_first_visit_timestamp"} {
			add(n, "datetime").ReadOnly = true
		}
		add("recent_conversion_event_name", "string").ReadOnly = true
		add("first_conversion_event_name", "string").ReadOnly = true
		add("hs_analytics_num_visits", "number").ReadOnly = true
	case "calls":
		add("hs_timestamp", "datetime")
		for _, n := range []string{"hs_call_body", "hs_call_title", "hs_call_disposition", "hs_call_from_number", "hs_call_to_number", "hs_call_recording_url"} {
			add(n, "string")
		}
		add("hs_call_direction", "enumeration", "INBOUND", "OUTBOUND")
		add("hs_call_status", "enumeration", "BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "MISSED", "NO_ANSWER", "QUEUED", "RINGING")
		add("hs_call_duration", "number")
	case "tasks":
		add("hs_timestamp", "datetime")
		add("hs_task_subject", "string")
		add("hs_task_body", "string")
		add("hs_task_status", "enumeration", "NOT_STARTED", "IN_PROGRESS", "WAITING", "DEFERRED", "COMPLETED")
		add("hs_task_priority", "enumeration", "NONE", "LOW", "MEDIUM", "HIGH")
		add("hs_task_type", "enumeration", "EMAIL", "CALL", "TODO", "LINKED_IN")
		add("hs_task_completion_date", "datetime")
	case "notes":
		add("hs_timestamp", "datetime")
		add("hs_note_body", "string")
		add("hs_attachment_ids", "string")
	case "meetings":
		add("hs_timestamp", "datetime")
		for _, n := range []string{"hs_meeting_title", "hs_meeting_body", "hs_internal_meeting_notes", "hs_meeting_location", "hs_meeting_external_url"} {
			add(n, "string")
		}
		add("hs_meeting_start_time", "datetime")
		add("hs_meeting_end_time", "datetime")
		add("hs_meeting_outcome", "enumeration", "SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")
		// Where the meeting came from: HubSpot sets both. A booking on a
		// scheduling page is hs_engagement_source MEETINGS (the Scheduler
		// spec's value) and hs_meeting_source MEETINGS_PUBLIC (or
		// MEETINGS_EMBEDDED when the page is embedded on a site).
		add("hs_engagement_source", "enumeration").ReadOnly = true
		add("hs_meeting_source", "enumeration").ReadOnly = true
	case "emails":
		add("hs_timestamp", "datetime")
		for _, n := range []string{"hs_email_subject", "hs_email_text", "hs_email_html", "hs_email_headers", "hs_email_from_email"} {
			add(n, "string")
		}
		add("hs_email_direction", "enumeration", "EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")
		add("hs_email_status", "enumeration", "BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")
	case "communications":
		add("hs_timestamp", "datetime")
		add("hs_communication_body", "string")
		add("hs_communication_channel_type", "enumeration", "LINKEDIN_MESSAGE", "SMS", "WHATS_APP")
		add("hs_communication_logged_from", "enumeration", "CRM")
	}
	if t.Engagement {
		add("hs_createdate", "datetime")
	}
	return m
}

// fieldFor is the form field HubSpot gives a built-in property of a type.
func fieldFor(typ string) string {
	switch typ {
	case "number":
		return "number"
	case "date", "datetime":
		return "date"
	case "enumeration":
		return "select"
	case "bool":
		return "booleancheckbox"
	}
	return "text"
}

// assocTypeID is HubSpot's default (unlabelled) association type id from
// one object type to another; 0 when the pair has none here.
func assocTypeID(from, to string) int {
	switch from + "/" + to {
	case "contacts/companies":
		return 279
	case "companies/contacts":
		return 280
	case "calls/contacts":
		return 194
	case "contacts/calls":
		return 193
	case "calls/companies":
		return 182
	case "companies/calls":
		return 181
	case "notes/contacts":
		return 202
	case "contacts/notes":
		return 201
	case "notes/companies":
		return 190
	case "companies/notes":
		return 189
	case "tasks/contacts":
		return 204
	case "contacts/tasks":
		return 203
	case "tasks/companies":
		return 192
	case "companies/tasks":
		return 191
	case "meetings/contacts":
		return 200
	case "contacts/meetings":
		return 199
	case "meetings/companies":
		return 188
	case "companies/meetings":
		return 187
	case "emails/contacts":
		return 198
	case "contacts/emails":
		return 197
	case "emails/companies":
		return 186
	case "companies/emails":
		return 185
	case "communications/contacts":
		return 81
	case "contacts/communications":
		return 82
	case "communications/companies":
		return 87
	case "companies/communications":
		return 88
	}
	return 0
}

// primaryTypeID is the "Primary" label's type id between contacts and
// companies (a contact's primary company); 0 for other pairs.
func primaryTypeID(from, to string) int {
	switch from + "/" + to {
	case "contacts/companies":
		return 1
	case "companies/contacts":
		return 2
	}
	return 0
}

// Dispositions are the default call outcomes every portal has, as
// GET /calling/v1/dispositions lists them.
var dispositions = []struct{ ID, Label string }{
	{"9d9162e7-6cf3-4944-bf63-4dff82258764", "Busy"},
	{"f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected"},
	{"a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "Left live message"},
	{"b2cf5968-551e-4856-9783-52b3da59a7d0", "Left voicemail"},
	{"73a0d17f-1163-4015-bdd5-ec830791da20", "No answer"},
	{"17b47fee-58de-441e-a44c-c6300d46f273", "Wrong number"},
}
