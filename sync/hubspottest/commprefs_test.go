package hubspottest

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnsubscribeAllV4 follows the published v4 spec: the batch call takes
// inputs as address strings and channel=EMAIL (required), unsubscribes each
// from all email so its contacts read hs_email_optout "true", reads back
// through GET …/unsubscribe-all, and answers 207 naming an address it
// refused while applying the rest.
func TestUnsubscribeAllV4(t *testing.T) {
	s := newTest(t, Options{})
	a := s.Put("contacts", map[string]string{"email": "Ann@x.test"})
	b := s.Put("contacts", map[string]string{"email": "bo@x.test"})
	const batch = "/communication-preferences/v4/statuses/batch/unsubscribe-all"

	r := call(t, s, "POST", batch, map[string]any{"inputs": []string{"ann@x.test"}}).want(t, 400)
	if r.str(t, "category") != "VALIDATION_ERROR" || r.str(t, "correlationId") == "" || !strings.Contains(r.str(t, "message"), "channel") {
		t.Fatalf("no channel: %s", r.Raw)
	}
	call(t, s, "POST", batch+"?channel=SMS", map[string]any{"inputs": []string{"ann@x.test"}}).want(t, 400)
	call(t, s, "POST", batch+"?channel=EMAIL", map[string]any{"inputs": []map[string]string{{"emailAddress": "ann@x.test"}}}).want(t, 400)
	call(t, s, "POST", batch+"?channel=EMAIL", map[string]any{}).want(t, 400)

	r = call(t, s, "POST", batch+"?channel=EMAIL", map[string]any{"inputs": []string{"ann@x.test", "not an address"}}).want(t, http.StatusMultiStatus)
	if r.num(t, "numErrors") != 1 || r.str(t, "errors.0.context.subscriberIdString.0") != "not an address" ||
		r.str(t, "results.0.subscriberIdString") != "ann@x.test" || r.str(t, "results.0.statuses.0.status") != "UNSUBSCRIBED" {
		t.Fatalf("207: %s", r.Raw)
	}
	if o, _ := s.Get("contacts", a); o.Properties["hs_email_optout"] != "true" {
		t.Fatalf("ann not opted out: %v", o.Properties)
	}
	if o, _ := s.Get("contacts", b); o.Properties["hs_email_optout"] == "true" {
		t.Fatalf("bo opted out: %v", o.Properties)
	}
	if !s.UnsubscribedFromAll("ANN@x.test") || s.UnsubscribedFromAll("bo@x.test") {
		t.Fatal("UnsubscribedFromAll disagrees")
	}
	// Again: nothing changes, and it says so.
	r = call(t, s, "POST", batch+"?channel=EMAIL", map[string]any{"inputs": []string{"ann@x.test"}}).want(t, 200)
	if r.str(t, "results.0.statuses.0.setStatusSuccessReason") != "NO_STATUS_CHANGE" {
		t.Fatalf("repeat: %s", r.Raw)
	}

	one := "/communication-preferences/v4/statuses/bo@x.test/unsubscribe-all"
	if r := call(t, s, "GET", one+"?channel=EMAIL", nil).want(t, 200); len(r.list(t, "results")) != 0 {
		t.Fatalf("bo read back before: %s", r.Raw)
	}
	call(t, s, "POST", one, nil).want(t, 400)
	call(t, s, "POST", one+"?channel=EMAIL", nil).want(t, 200)
	if r := call(t, s, "GET", one+"?channel=EMAIL", nil).want(t, 200); r.str(t, "results.0.wideStatusType") != "PORTAL_WIDE" {
		t.Fatalf("bo read back after: %s", r.Raw)
	}
	if o, _ := s.Get("contacts", b); o.Properties["hs_email_optout"] != "true" {
		t.Fatalf("bo not opted out: %v", o.Properties)
	}
}

// TestUnsubscribeV3NeedsSubscriptionID: v3 opts out of one subscription type
// and refuses a call without its id, in HubSpot's error shape.
func TestUnsubscribeV3NeedsSubscriptionID(t *testing.T) {
	s := newTest(t, Options{})
	ct := s.Put("contacts", map[string]string{"email": "a@x.test"})
	r := call(t, s, "POST", "/communication-preferences/v3/unsubscribe", map[string]any{"emailAddress": "a@x.test",
		"legalBasis": "LEGITIMATE_INTEREST_OTHER", "legalBasisExplanation": "asked"}).want(t, 400)
	if r.str(t, "status") != "error" || r.str(t, "category") != "VALIDATION_ERROR" || r.str(t, "correlationId") == "" ||
		!strings.Contains(r.str(t, "message"), "subscriptionId") || r.str(t, "errors.0.in") != "subscriptionId" {
		t.Fatalf("v3 without subscriptionId: %s", r.Raw)
	}
	if o, _ := s.Get("contacts", ct); o.Properties["hs_email_optout"] == "true" {
		t.Fatal("a refused v3 call opted the contact out")
	}
}

// TestPropertyOptionsNeedHidden: the spec's OptionInput requires label,
// value and hidden; an option without one is a 400 naming it.
func TestPropertyOptionsNeedHidden(t *testing.T) {
	s := newTest(t, Options{})
	prop := func(opt map[string]any) map[string]any {
		return map[string]any{"name": "shortlist_status", "label": "Status", "type": "enumeration", "fieldType": "select",
			"groupName": "companyinformation", "options": []map[string]any{opt}}
	}
	r := call(t, s, "POST", "/crm/v3/properties/companies", prop(map[string]any{"label": "Target", "value": "target", "displayOrder": 0})).want(t, 400)
	if !strings.Contains(r.str(t, "message"), "hidden") {
		t.Fatalf("no hidden: %s", r.Raw)
	}
	call(t, s, "POST", "/crm/v3/properties/companies", prop(map[string]any{"value": "target", "hidden": false})).want(t, 400)
	call(t, s, "POST", "/crm/v3/properties/companies", prop(map[string]any{"label": "Target", "value": "target", "hidden": false})).want(t, 201)
}
