package hubspottest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestAssociationsV4(t *testing.T) {
	s := newTest(t, Options{})
	co1 := s.Put("companies", map[string]string{"name": "One"})
	co2 := s.Put("companies", map[string]string{"name": "Two"})
	ct := s.Put("contacts", map[string]string{"email": "a@x.test"})
	lone := s.Put("contacts", map[string]string{"email": "b@x.test"})

	call(t, s, "PUT", "/crm/v4/objects/contacts/"+ct+"/associations/default/companies/"+co2, nil).want(t, 200)
	call(t, s, "PUT", "/crm/v4/objects/contact/"+ct+"/associations/default/company/"+co1, nil).want(t, 200)
	call(t, s, "PUT", "/crm/v4/objects/contacts/"+ct+"/associations/default/companies/99999", nil).want(t, 404)
	if o, _ := s.Get("contacts", ct); o.Properties["associatedcompanyid"] != co2 {
		t.Fatalf("the first company is not the primary one: %v", o.Properties)
	}
	if got := s.AssociatedIDs("contacts", ct, "companies"); !reflect.DeepEqual(got, []string{co2, co1}) {
		t.Fatalf("primary first: %v", got)
	}

	r := call(t, s, "POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []map[string]string{{"id": ct}, {"id": lone}}}).want(t, 207)
	// toObjectId is a JSON number, as the real API sends it.
	var typed struct {
		Results []struct {
			From struct{ ID string }
			To   []struct {
				ToObjectID       json.Number `json:"toObjectId"`
				AssociationTypes []struct {
					Category string
					TypeID   int
					Label    *string
				}
			}
		}
		Errors []struct{ Category, SubCategory string }
	}
	if err := json.Unmarshal(r.Raw, &typed); err != nil {
		t.Fatalf("decode: %v: %s", err, r.Raw)
	}
	if len(typed.Results) != 1 || typed.Results[0].From.ID != ct || len(typed.Results[0].To) != 2 {
		t.Fatalf("batch read: %s", r.Raw)
	}
	first := typed.Results[0].To[0]
	if first.ToObjectID.String() != co2 || len(first.AssociationTypes) != 2 || first.AssociationTypes[0].TypeID != 1 || first.AssociationTypes[1].TypeID != 279 {
		t.Fatalf("primary link types: %s", r.Raw)
	}
	if typed.Results[0].To[1].AssociationTypes[0].TypeID != 279 || typed.Results[0].To[1].AssociationTypes[0].Label != nil {
		t.Fatalf("default link types: %s", r.Raw)
	}
	if len(typed.Errors) != 1 || typed.Errors[0].SubCategory != "crm.associations.NO_ASSOCIATIONS_FOUND" {
		t.Fatalf("no-association error: %s", r.Raw)
	}
	if raw := string(r.Raw); !strings.Contains(raw, `"toObjectId":`+co2+`,`) {
		t.Fatalf("toObjectId is not a bare number: %s", raw)
	}

	r = call(t, s, "POST", "/crm/v4/associations/companies/contacts/batch/associate/default", map[string]any{"inputs": []map[string]any{
		{"from": map[string]string{"id": co1}, "to": map[string]string{"id": lone}},
		{"from": map[string]string{"id": co1}, "to": map[string]string{"id": "31337"}},
	}}).want(t, 207)
	if r.num(t, "numErrors") != 1 {
		t.Fatalf("associate 207: %s", r.Raw)
	}
	if got := s.AssociatedIDs("companies", co1, "contacts"); !reflect.DeepEqual(got, []string{ct, lone}) {
		t.Fatalf("company contacts %v", got)
	}
	r = call(t, s, "GET", "/crm/v4/objects/companies/"+co1+"/associations/contacts?limit=1", nil).want(t, 200)
	if len(r.list(t, "results")) != 1 || r.str(t, "paging.next.after") != "1" {
		t.Fatalf("association list: %s", r.Raw)
	}

	for _, tc := range []struct {
		from, to string
		want     float64
	}{
		{"contacts", "companies", 279}, {"companies", "contacts", 280}, {"calls", "contacts", 194}, {"calls", "companies", 182},
		{"notes", "contacts", 202}, {"notes", "companies", 190}, {"tasks", "contacts", 204}, {"tasks", "companies", 192},
		{"meetings", "contacts", 200}, {"meetings", "companies", 188},
	} {
		r := call(t, s, "GET", "/crm/v4/associations/"+tc.from+"/"+tc.to+"/labels", nil).want(t, 200)
		if got := r.num(t, "results.0.typeId"); got != tc.want || r.str(t, "results.0.category") != "HUBSPOT_DEFINED" {
			t.Errorf("%s→%s default type %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	call(t, s, "GET", "/crm/v4/associations/calls/notes/labels", nil).want(t, 400)

	call(t, s, "POST", "/crm/v4/associations/companies/contacts/batch/archive", map[string]any{"inputs": []map[string]any{{"from": map[string]string{"id": co1}, "to": []map[string]string{{"id": lone}}}}}).want(t, 204)
	if got := s.AssociatedIDs("contacts", lone, "companies"); len(got) != 0 {
		t.Fatalf("archived link remains: %v", got)
	}
	call(t, s, "POST", "/crm/v4/associations/contacts/companies/batch/create", map[string]any{"inputs": []map[string]any{
		{"from": map[string]string{"id": lone}, "to": map[string]string{"id": co2}, "types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}},
	}}).want(t, 200)
	call(t, s, "POST", "/crm/v4/associations/contacts/companies/batch/create", map[string]any{"inputs": []map[string]any{
		{"from": map[string]string{"id": lone}, "to": map[string]string{"id": co2}, "types": []map[string]any{{"associationCategory": "USER_DEFINED", "associationTypeId": 77}}},
	}}).want(t, 400)
}

func TestAssociationPagingAndAccountInfo(t *testing.T) {
	s := newTest(t, Options{})
	co := s.Put("companies", map[string]string{"name": "Big"})
	for i := range 501 {
		ct := s.Put("contacts", map[string]string{"email": fmt.Sprintf("c%d@x.test", i)})
		if err := s.Associate("companies", co, "contacts", ct); err != nil {
			t.Fatal(err)
		}
	}
	r := call(t, s, "POST", "/crm/v4/associations/companies/contacts/batch/read", map[string]any{"inputs": []map[string]string{{"id": co}}}).want(t, 200)
	if n := len(r.list(t, "results.0.to")); n != 500 || r.str(t, "results.0.paging.next.after") != "500" {
		t.Fatalf("first page of links: %d, paging %v", n, r.JSON["results"].([]any)[0].(map[string]any)["paging"])
	}
	r = call(t, s, "GET", "/crm/v4/objects/companies/"+co+"/associations/contacts?limit=500&after=500", nil).want(t, 200)
	if n := len(r.list(t, "results")); n != 1 || r.JSON["paging"] != nil {
		t.Fatalf("the rest: %s", r.Raw)
	}
	r = call(t, s, "GET", "/account-info/v3/details", nil).want(t, 200)
	if r.num(t, "portalId") != PortalID || r.str(t, "uiDomain") != "app.hubspot.com" {
		t.Fatalf("account info: %s", r.Raw)
	}
}
