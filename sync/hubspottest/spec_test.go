package hubspottest

import (
	"strings"
	"testing"
)

// TestSpecRequiredMembers: the members HubSpot's published OpenAPI specs
// (CRM objects v3: calls, emails, communications, meetings, notes, tasks,
// companies, contacts) mark required are required here: a body without one,
// or with null in its place, is a 400 that names it; the same body with it
// is served. The engagement enumerations and required properties of the
// engagement docs are enforced too.
func TestSpecRequiredMembers(t *testing.T) {
	s := newTest(t, Options{})
	at := `"hs_timestamp":"2026-03-01T10:00:00Z"`
	for _, tc := range []struct {
		name, path, missing, body, fixed string
	}{
		{"create without associations", "/crm/v3/objects/emails", "associations",
			`{"properties":{` + at + `}}`, `{"properties":{` + at + `},"associations":[]}`},
		{"create with null associations", "/crm/v3/objects/emails", "associations",
			`{"properties":{` + at + `},"associations":null}`, `{"properties":{` + at + `},"associations":[]}`},
		{"batch create input without associations", "/crm/v3/objects/meetings/batch/create", "associations",
			`{"inputs":[{"properties":{` + at + `}}]}`, `{"inputs":[{"properties":{` + at + `},"associations":[]}]}`},
		{"batch create without inputs", "/crm/v3/objects/notes/batch/create", "inputs", `{}`, `{"inputs":[]}`},
		{"batch read without propertiesWithHistory", "/crm/v3/objects/tasks/batch/read", "propertiesWithHistory",
			`{"inputs":[],"properties":[]}`, `{"inputs":[],"properties":[],"propertiesWithHistory":[]}`},
		{"batch read without properties", "/crm/v3/objects/contacts/batch/read", "properties",
			`{"inputs":[],"propertiesWithHistory":[]}`, `{"inputs":[],"properties":[],"propertiesWithHistory":[]}`},
		{"batch update input without properties", "/crm/v3/objects/calls/batch/update", "properties",
			`{"inputs":[{"id":"1"}]}`, `{"inputs":[{"id":"1","properties":{}}]}`},
		{"batch update input without id", "/crm/v3/objects/calls/batch/update", "id",
			`{"inputs":[{"properties":{}}]}`, `{"inputs":[{"id":"1","properties":{}}]}`},
		{"search without sorts", "/crm/v3/objects/communications/search", "sorts",
			`{"filterGroups":[],"properties":[],"limit":10}`, `{"filterGroups":[],"sorts":[],"properties":[],"limit":10}`},
		{"search without filterGroups", "/crm/v3/objects/companies/search", "filterGroups",
			`{"sorts":[],"properties":[],"limit":10}`, `{"filterGroups":[],"sorts":[],"properties":[],"limit":10}`},
		{"search without limit", "/crm/v3/objects/contacts/search", "limit",
			`{"filterGroups":[],"sorts":[],"properties":[]}`, `{"filterGroups":[],"sorts":[],"properties":[],"limit":10}`},
		{"property option without hidden", "/crm/v3/properties/contacts", "hidden",
			`{"name":"p_one","label":"P","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"A","value":"a","displayOrder":0}]}`,
			`{"name":"p_two","label":"P","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"A","value":"a","displayOrder":0,"hidden":false}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := callExact(t, s, s.Token(), "POST", tc.path, []byte(tc.body)).want(t, 400)
			if msg, _ := r.JSON["message"].(string); !strings.Contains(msg, tc.missing) {
				t.Errorf("message %q does not name %s", msg, tc.missing)
			}
			if r := callExact(t, s, s.Token(), "POST", tc.path, []byte(tc.fixed)); r.Status >= 400 {
				t.Errorf("the body with %s: %d %s", tc.missing, r.Status, r.Raw)
			}
		})
	}

	for _, tc := range []struct {
		name, typ string
		props     map[string]string
		bad       string // the property the 400 names; "" → created
	}{
		{"email", "emails", map[string]string{"hs_email_direction": "EMAIL", "hs_email_subject": "s", "hs_email_text": "t"}, ""},
		{"email direction", "emails", map[string]string{"hs_email_direction": "OUTBOUND"}, "hs_email_direction"},
		{"email status", "emails", map[string]string{"hs_email_status": "DELIVERED"}, "hs_email_status"},
		{"linkedin message", "communications", map[string]string{"hs_communication_channel_type": "LINKEDIN_MESSAGE", "hs_communication_logged_from": "CRM", "hs_communication_body": "b"}, ""},
		{"communication channel", "communications", map[string]string{"hs_communication_channel_type": "LINKEDIN", "hs_communication_logged_from": "CRM"}, "hs_communication_channel_type"},
		{"communication without channel", "communications", map[string]string{"hs_communication_logged_from": "CRM"}, "hs_communication_channel_type"},
		{"communication without logged from", "communications", map[string]string{"hs_communication_channel_type": "SMS"}, "hs_communication_logged_from"},
		{"communication logged elsewhere", "communications", map[string]string{"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "INTEGRATION"}, "hs_communication_logged_from"},
		{"meeting outcome", "meetings", map[string]string{"hs_meeting_outcome": "DONE"}, "hs_meeting_outcome"},
		{"scheduled meeting", "meetings", map[string]string{"hs_meeting_outcome": "SCHEDULED", "hs_meeting_start_time": "2026-03-01T10:00:00Z", "hs_meeting_end_time": "2026-03-01T10:30:00Z"}, ""},
		{"task status", "tasks", map[string]string{"hs_task_status": "DONE"}, "hs_task_status"},
		{"value over 65,536 characters", "notes", map[string]string{"hs_note_body": strings.Repeat("x", 65_537)}, "hs_note_body"},
		{"value of 65,536 characters", "notes", map[string]string{"hs_note_body": strings.Repeat("é", 65_536)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]any{"hs_timestamp": "2026-03-01T10:00:00Z"}
			for k, v := range tc.props {
				props[k] = v
			}
			r := call(t, s, "POST", "/crm/v3/objects/"+tc.typ, map[string]any{"properties": props, "associations": []any{}})
			if tc.bad == "" {
				r.want(t, 201)
				return
			}
			r.want(t, 400)
			if !strings.Contains(string(r.Raw), tc.bad) {
				t.Errorf("400 does not name %s: %s", tc.bad, r.Raw)
			}
		})
	}
}
