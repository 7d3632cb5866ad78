package hubspottest

import "testing"

// TestSignalPropertiesServedAsHubSpot: what HubSpot's tracking, forms and
// scheduling pages set (a contact's last reply, click, open, visit and
// conversion; a meeting's source) is read-only to the API, as HubSpot
// calculates it, served in ISO form when seeded, and searchable.
func TestSignalPropertiesServedAsHubSpot(t *testing.T) {
	s := newTest(t, Options{})
	for _, tc := range []struct{ typ, prop, value string }{
		{"contacts", "recent_conversion_date", "1767225600000"},
		{"contacts", "recent_conversion_event_name", "Pricing request"},
		{"contacts", "hs_sales_email_last_replied", "1767225600000"},
		{"contacts", "hs_sales_email_last_clicked", "1767225600000"},
		{"contacts", "hs_email_last_click_date", "1767225600000"},
		{"contacts", "hs_email_last_open_date", "1767225600000"},
		{"contacts", "hs_analytics_last_visit_timestamp", "1767225600000"},
		{"meetings", "hs_meeting_source", "MEETINGS_PUBLIC"},
		{"meetings", "hs_engagement_source", "MEETINGS"},
	} {
		props := map[string]any{tc.prop: tc.value}
		if tc.typ == "meetings" {
			props["hs_timestamp"] = "1767225600000"
		}
		r := call(t, s, "POST", "/crm/v3/objects/"+tc.typ, map[string]any{"properties": props}).want(t, 400)
		if r.str(t, "errors.0.code") != "READ_ONLY_VALUE" {
			t.Errorf("%s.%s written through the API: %s", tc.typ, tc.prop, r.Raw)
		}
	}
	ann := s.Put("contacts", map[string]string{"email": "ann@acme.test"})
	if err := s.Update("contacts", ann, map[string]string{"hs_analytics_last_visit_timestamp": "1767225600000", "recent_conversion_event_name": "Demo request"}); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, "GET", "/crm/v3/objects/contacts/"+ann+"?properties=hs_analytics_last_visit_timestamp,recent_conversion_event_name,recent_conversion_date", nil).want(t, 200)
	if r.str(t, "properties.hs_analytics_last_visit_timestamp") != "2026-01-01T00:00:00.000Z" || r.str(t, "properties.recent_conversion_event_name") != "Demo request" {
		t.Errorf("seeded tracking properties read back as %s", r.Raw)
	}

	in := s.Put("emails", map[string]string{"hs_timestamp": "1767225600000", "hs_email_direction": "INCOMING_EMAIL"})
	s.Put("emails", map[string]string{"hs_timestamp": "1767225600000", "hs_email_direction": "EMAIL"})
	r = call(t, s, "POST", "/crm/v3/objects/emails/search", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "hs_email_direction", "operator": "EQ", "value": "INCOMING_EMAIL"}}}},
		"properties":   []string{"hs_email_direction"}, "limit": 10,
	}).want(t, 200)
	if r.num(t, "total") != 1 || r.str(t, "results.0.id") != in {
		t.Errorf("search for incoming emails: %s", r.Raw)
	}
}
