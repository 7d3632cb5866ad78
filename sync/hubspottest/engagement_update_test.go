package hubspottest

import (
	"net/http"
	"testing"
)

// A touch's edited note reaches HubSpot as a batch update of the
// engagement's body property: each engagement type takes its own, a missing
// engagement is a 207 error naming it, and faults apply as anywhere.
func TestEngagementBodyBatchUpdate(t *testing.T) {
	s := newTest(t, Options{})
	at := "2026-03-01T10:00:00Z"
	ids := map[string]string{
		"calls":    s.Put("calls", map[string]string{"hs_timestamp": at, "hs_call_body": "old"}),
		"meetings": s.Put("meetings", map[string]string{"hs_timestamp": at, "hs_meeting_body": "old"}),
		"notes":    s.Put("notes", map[string]string{"hs_timestamp": at, "hs_note_body": "Email outbound: sent\n\nold"}),
	}
	props := map[string]string{"calls": "hs_call_body", "meetings": "hs_meeting_body", "notes": "hs_note_body"}
	for typ, id := range ids {
		r := call(t, s, "POST", "/crm/v3/objects/"+typ+"/batch/update", map[string]any{"inputs": []map[string]any{
			{"id": id, "properties": map[string]string{props[typ]: "new " + typ}},
		}}).want(t, http.StatusOK)
		if r.ids(t)[0] != id {
			t.Fatalf("%s update reply: %s", typ, r.Raw)
		}
		if o, _ := s.Get(typ, id); o.Properties[props[typ]] != "new "+typ {
			t.Errorf("%s %s holds %q", typ, id, o.Properties[props[typ]])
		}
	}

	// Only unknown ids: still a 207, each one named.
	r := call(t, s, "POST", "/crm/v3/objects/notes/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": "55555", "properties": map[string]string{"hs_note_body": "x"}},
	}}).want(t, http.StatusMultiStatus)
	if r.str(t, "errors.0.category") != "OBJECT_NOT_FOUND" || r.list(t, "errors.0.context.ids")[0] != "55555" || len(r.list(t, "results")) != 0 {
		t.Fatalf("unknown engagement: %s", r.Raw)
	}
	// An archived engagement is as good as unknown.
	if err := s.Archive("meetings", ids["meetings"]); err != nil {
		t.Fatal(err)
	}
	call(t, s, "POST", "/crm/v3/objects/meetings/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": ids["meetings"], "properties": map[string]string{"hs_meeting_body": "late"}},
	}}).want(t, http.StatusMultiStatus)
	// A body property of another type is refused as unknown.
	call(t, s, "POST", "/crm/v3/objects/calls/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": ids["calls"], "properties": map[string]string{"hs_note_body": "wrong"}},
	}}).want(t, http.StatusBadRequest)

	// Faults apply: a 503 changes nothing.
	s.Inject(Fault{Path: "/crm/v3/objects/calls/batch/update", Kind: FaultStatus, Code: http.StatusServiceUnavailable})
	call(t, s, "POST", "/crm/v3/objects/calls/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": ids["calls"], "properties": map[string]string{"hs_call_body": "lost"}},
	}}).want(t, http.StatusServiceUnavailable)
	if o, _ := s.Get("calls", ids["calls"]); o.Properties["hs_call_body"] != "new calls" {
		t.Errorf("a refused update changed the call: %q", o.Properties["hs_call_body"])
	}
}
