package hubspottest

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAuthRefusedWithoutEchoingToken(t *testing.T) {
	s := newTest(t, Options{Token: "pat-secret-123"})
	for _, tok := range []string{"", "pat-wrong-456"} {
		r := callWith(t, s, tok, "GET", "/crm/v3/objects/companies", nil).want(t, 401)
		if got := r.str(t, "category"); got != "INVALID_AUTHENTICATION" {
			t.Errorf("category %q", got)
		}
		if r.str(t, "correlationId") == "" || r.str(t, "status") != "error" {
			t.Errorf("error body lacks HubSpot's fields: %s", r.Raw)
		}
		if strings.Contains(string(r.Raw), "pat-") {
			t.Errorf("the reply echoes a token: %s", r.Raw)
		}
	}
	call(t, s, "GET", "/crm/v3/objects/companies", nil).want(t, 200)
	log := s.Requests()
	if len(log) != 3 || log[0].Authorized || log[1].Authorized || !log[2].Authorized {
		t.Fatalf("log: %+v", log)
	}
	for _, r := range log {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the log keeps the Authorization header")
		}
	}
	if log[0].Status != 401 || log[2].Status != 200 {
		t.Errorf("logged statuses %d %d", log[0].Status, log[2].Status)
	}
}

func TestOwnersByEmailAndPaging(t *testing.T) {
	s := newTest(t, Options{})
	a := s.AddOwner("ana@example.com", "Ana", "Lima")
	s.AddOwner("bo@example.com", "Bo", "Berg")
	s.AddOwner("cy@example.com", "Cy", "Ng")
	r := call(t, s, "GET", "/crm/v3/owners?email=ANA@example.com", nil).want(t, 200)
	if r.str(t, "results.0.id") != a || r.str(t, "results.0.type") != "PERSON" || r.str(t, "results.0.firstName") != "Ana" || len(r.list(t, "results")) != 1 {
		t.Fatalf("owner by email: %s", r.Raw)
	}
	var seen []string
	path := "/crm/v3/owners?limit=2"
	for {
		r := call(t, s, "GET", path, nil).want(t, 200)
		seen = append(seen, r.ids(t)...)
		if r.JSON["paging"] == nil {
			break
		}
		path = "/crm/v3/owners?limit=2&after=" + r.str(t, "paging.next.after")
	}
	if len(seen) != 3 {
		t.Fatalf("paged owners %v", seen)
	}
	call(t, s, "GET", "/crm/v3/owners/"+a, nil).want(t, 200)
	call(t, s, "GET", "/crm/v3/owners/1", nil).want(t, 404)
	if r := call(t, s, "GET", "/crm/v3/owners?email=nobody@example.com", nil).want(t, 200); len(r.list(t, "results")) != 0 {
		t.Fatalf("unknown email matched: %s", r.Raw)
	}
}

func TestObjectLifecycle(t *testing.T) {
	c := newClock()
	s := newTest(t, Options{Now: c.Now})
	r := call(t, s, "POST", "/crm/v3/objects/companies", map[string]any{"properties": map[string]any{"name": "Acme", "numberofemployees": 120}}).want(t, 201)
	id := r.str(t, "id")
	if r.str(t, "properties.hs_object_id") != id || r.str(t, "createdAt") != "2026-03-02T09:00:00.000Z" || r.JSON["archived"] != false {
		t.Fatalf("created: %s", r.Raw)
	}
	if v, ok := r.JSON["properties"].(map[string]any)["domain"]; !ok || v != nil {
		t.Fatalf("an unset default property is not null: %s", r.Raw)
	}
	c.Add(1500 * time.Millisecond)
	r = call(t, s, "PATCH", "/crm/v3/objects/companies/"+id, map[string]any{"properties": map[string]string{"domain": "acme.test"}}).want(t, 200)
	if got := r.str(t, "properties.hs_lastmodifieddate"); got != "2026-03-02T09:00:01.500Z" {
		t.Fatalf("modified date not bumped: %s", got)
	}
	r = call(t, s, "GET", "/crm/v3/objects/companies/"+id+"?properties=name,numberofemployees,industry,nosuch", nil).want(t, 200)
	p := r.JSON["properties"].(map[string]any)
	if p["name"] != "Acme" || p["numberofemployees"] != "120" || p["industry"] != nil {
		t.Fatalf("read properties: %v", p)
	}
	if _, ok := p["nosuch"]; ok {
		t.Fatalf("a property that does not exist came back")
	}
	if _, ok := p["domain"]; ok {
		t.Fatalf("a property not asked for came back")
	}
	if r.str(t, "updatedAt") != "2026-03-02T09:00:01.500Z" {
		t.Fatalf("updatedAt %s", r.Raw)
	}

	e := call(t, s, "GET", "/crm/v3/objects/companies/999999", nil).want(t, 404)
	if e.str(t, "category") != "OBJECT_NOT_FOUND" {
		t.Fatalf("404 body: %s", e.Raw)
	}
	call(t, s, "PATCH", "/crm/v3/objects/companies/999999", map[string]any{"properties": map[string]string{"name": "x"}}).want(t, 404)
	call(t, s, "DELETE", "/crm/v3/objects/companies/999999", nil).want(t, 404)
	call(t, s, "DELETE", "/crm/v3/objects/companies/"+id, nil).want(t, 204)
	call(t, s, "GET", "/crm/v3/objects/companies/"+id, nil).want(t, 404)
	r = call(t, s, "GET", "/crm/v3/objects/companies/"+id+"?archived=true", nil).want(t, 200)
	if r.JSON["archived"] != true || r.str(t, "archivedAt") == "" {
		t.Fatalf("archived read: %s", r.Raw)
	}
	if o, ok := s.Get("companies", id); !ok || !o.Archived || o.Properties["domain"] != "acme.test" {
		t.Fatalf("Get: %+v", o)
	}
	if len(s.List("companies")) != 0 {
		t.Fatal("List shows an archived record")
	}
	call(t, s, "GET", "/crm/v3/objects/widgets", nil).want(t, 400)
	call(t, s, "PUT", "/crm/v3/objects/companies/"+id, nil).want(t, 405)
	call(t, s, "GET", "/crm/v9/nothing", nil).want(t, 404)
	call(t, s, "POST", "/crm/v3/objects/companies", "{not json").want(t, 400)
}

func TestListPagingAndArchived(t *testing.T) {
	s := newTest(t, Options{})
	var want []string
	for i := range 25 {
		want = append(want, s.Put("contacts", map[string]string{"email": fmt.Sprintf("p%d@x.test", i)}))
	}
	gone := want[3]
	if err := s.Archive("contacts", gone); err != nil {
		t.Fatal(err)
	}
	want = append(want[:3], want[4:]...)
	var got []string
	path := "/crm/v3/objects/contacts?limit=10&properties=email"
	for pages := 0; ; pages++ {
		r := call(t, s, "GET", path, nil).want(t, 200)
		got = append(got, r.ids(t)...)
		if r.JSON["paging"] == nil {
			break
		}
		path = "/crm/v3/objects/contacts?limit=10&properties=email&after=" + r.str(t, "paging.next.after")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paged %v\nwant %v", got, want)
	}
	r := call(t, s, "GET", "/crm/v3/objects/contacts?archived=true", nil).want(t, 200)
	if ids := r.ids(t); len(ids) != 1 || ids[0] != gone {
		t.Fatalf("archived list %v", ids)
	}
	call(t, s, "GET", "/crm/v3/objects/contacts?limit=101", nil).want(t, 400)
}

func TestSeedingKeepsGivenIDs(t *testing.T) {
	c := newClock()
	s := newTest(t, Options{Now: c.Now})
	at := time.Date(2025, 1, 5, 10, 0, 0, 0, time.UTC)
	if id := s.PutAt("companies", map[string]string{"hs_object_id": "5000123", "name": "Seeded"}, at); id != "5000123" {
		t.Fatalf("given id not kept: %s", id)
	}
	next := s.Put("contacts", map[string]string{"email": "a@b.test"})
	if next != "5000124" {
		t.Fatalf("next id %s, want above the largest", next)
	}
	o, _ := s.Get("companies", "5000123")
	if o.Properties["hs_lastmodifieddate"] != "2025-01-05T10:00:00.000Z" || !o.UpdatedAt.Equal(at) || !o.CreatedAt.Equal(at) {
		t.Fatalf("PutAt times: %+v", o)
	}
	if err := s.Update("companies", "5000123", map[string]string{"name": "Renamed", "domain": ""}); err != nil {
		t.Fatal(err)
	}
	o, _ = s.Get("companies", "5000123")
	if o.Properties["name"] != "Renamed" || o.Properties["hs_lastmodifieddate"] != "2026-03-02T09:00:00.000Z" {
		t.Fatalf("Update: %+v", o.Properties)
	}
	cont, _ := s.Get("contacts", next)
	if cont.Properties["lastmodifieddate"] == "" || cont.Properties["hs_lastmodifieddate"] != "" {
		t.Fatalf("contacts carry lastmodifieddate: %+v", cont.Properties)
	}
	if err := s.Update("companies", "1", nil); err == nil {
		t.Fatal("Update of a missing record passed")
	}
	if err := s.Associate("contacts", next, "companies", "5000123"); err != nil {
		t.Fatal(err)
	}
	if ids := s.AssociatedIDs("companies", "5000123", "contacts"); !reflect.DeepEqual(ids, []string{next}) {
		t.Fatalf("AssociatedIDs %v", ids)
	}
	if err := s.Associate("contacts", next, "companies", "42"); err == nil {
		t.Fatal("Associate with a missing record passed")
	}
}

func TestWriteValidation(t *testing.T) {
	s := newTest(t, Options{})
	cases := []struct {
		name, typ, code string
		props           map[string]any
	}{
		{"unknown property", "companies", "PROPERTY_DOESNT_EXIST", map[string]any{"name": "A", "colour": "red"}},
		{"read-only opt-out", "contacts", "READ_ONLY_VALUE", map[string]any{"hs_email_optout": "true"}},
		{"bad option", "calls", "INVALID_OPTION", map[string]any{"hs_timestamp": "1700000000000", "hs_call_direction": "SIDEWAYS"}},
		{"bad number", "companies", "INVALID_INTEGER", map[string]any{"numberofemployees": "many"}},
		{"bad date", "tasks", "INVALID_DATE", map[string]any{"hs_timestamp": "next tuesday"}},
		{"missing timestamp", "notes", "REQUIRED_PROPERTY", map[string]any{"hs_note_body": "hi"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "POST", "/crm/v3/objects/"+tc.typ, map[string]any{"properties": tc.props}).want(t, 400)
			if r.str(t, "category") != "VALIDATION_ERROR" || r.str(t, "errors.0.code") != tc.code {
				t.Fatalf("error body: %s", r.Raw)
			}
		})
	}
	if len(s.List("companies"))+len(s.List("contacts"))+len(s.List("calls")) != 0 {
		t.Fatal("a refused write was stored")
	}
	r := call(t, s, "POST", "/crm/v3/objects/calls", map[string]any{"properties": map[string]any{"hs_timestamp": 1767225600000, "hs_call_direction": "OUTBOUND", "hs_call_duration": 61000}}).want(t, 201)
	if got := r.str(t, "properties.hs_timestamp"); got != "2026-01-01T00:00:00.000Z" {
		t.Fatalf("epoch ms timestamp stored as %q", got)
	}
}

func TestBatchEndpoints(t *testing.T) {
	s := newTest(t, Options{})
	co := s.Put("companies", map[string]string{"name": "Acme"})
	ct := s.Put("contacts", map[string]string{"email": "a@acme.test", "firstname": "Ann"})

	// create with inline associations
	in := []map[string]any{}
	for i := range 3 {
		in = append(in, map[string]any{
			"properties": map[string]string{"hs_timestamp": "2026-03-01T10:00:00Z", "hs_call_body": fmt.Sprint("call ", i)},
			"associations": []map[string]any{
				{"to": map[string]any{"id": ct}, "types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}},
				{"to": map[string]any{"id": co}, "types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 182}}},
			},
		})
	}
	r := call(t, s, "POST", "/crm/v3/objects/calls/batch/create", map[string]any{"inputs": in}).want(t, 201)
	if r.str(t, "status") != "COMPLETE" || len(r.ids(t)) != 3 || r.str(t, "startedAt") == "" {
		t.Fatalf("batch create: %s", r.Raw)
	}
	call1 := r.ids(t)[0]
	if got := s.AssociatedIDs("calls", call1, "contacts"); !reflect.DeepEqual(got, []string{ct}) {
		t.Fatalf("call→contact %v", got)
	}
	if got := s.AssociatedIDs("companies", co, "calls"); len(got) != 3 {
		t.Fatalf("company→calls %v", got)
	}
	// an association to a missing record refuses the whole batch
	bad := []map[string]any{in[0], {
		"properties":   map[string]string{"hs_timestamp": "2026-03-01T10:00:00Z"},
		"associations": []map[string]any{{"to": map[string]any{"id": "424242"}, "types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}}}},
	}}
	bad[1]["objectWriteTraceId"] = "op-bad"
	r = call(t, s, "POST", "/crm/v3/objects/calls/batch/create", map[string]any{"inputs": bad}).want(t, 400)
	if got := r.list(t, "context.objectWriteTraceId"); len(got) != 1 || got[0] != "op-bad" {
		t.Fatalf("the refused input is not named: %s", r.Raw)
	}
	if n := len(s.List("calls")); n != 3 {
		t.Fatalf("%d calls after a refused batch, want 3", n)
	}

	// read: a missing id is a 207
	r = call(t, s, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"inputs": []map[string]any{{"id": ct}, {"id": "777"}}, "properties": []string{"firstname"}}).want(t, 207)
	if r.num(t, "numErrors") != 1 || r.str(t, "errors.0.category") != "OBJECT_NOT_FOUND" || r.str(t, "results.0.properties.firstname") != "Ann" {
		t.Fatalf("207 read: %s", r.Raw)
	}
	if got := r.list(t, "errors.0.context.ids"); len(got) != 1 || got[0] != "777" {
		t.Fatalf("207 context %v", got)
	}
	r = call(t, s, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"idProperty": "email", "inputs": []map[string]any{{"id": "A@acme.test"}}}).want(t, 200)
	if r.ids(t)[0] != ct {
		t.Fatalf("read by email: %s", r.Raw)
	}

	// update: the present ones apply, the missing one is reported
	r = call(t, s, "POST", "/crm/v3/objects/calls/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": call1, "properties": map[string]string{"hs_call_title": "first"}},
		{"id": "888", "properties": map[string]string{"hs_call_title": "ghost"}},
	}}).want(t, 207)
	if o, _ := s.Get("calls", call1); o.Properties["hs_call_title"] != "first" {
		t.Fatal("the valid update of a 207 batch was not applied")
	}
	if r.num(t, "numErrors") != 1 {
		t.Fatalf("update 207: %s", r.Raw)
	}
	call(t, s, "POST", "/crm/v3/objects/calls/batch/update", map[string]any{"inputs": []map[string]any{
		{"id": call1, "properties": map[string]string{"hs_call_title": "a"}}, {"id": call1, "properties": map[string]string{"hs_call_title": "b"}},
	}}).want(t, 400)

	// more than 100 inputs
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = map[string]any{"id": fmt.Sprint(i)}
	}
	call(t, s, "POST", "/crm/v3/objects/calls/batch/read", map[string]any{"inputs": many}).want(t, 400)

	// archive
	call(t, s, "POST", "/crm/v3/objects/calls/batch/archive", map[string]any{"inputs": []map[string]any{{"id": call1}, {"id": "999"}}}).want(t, 204)
	if n := len(s.List("calls")); n != 2 {
		t.Fatalf("%d calls after archive", n)
	}
	if err := s.Associate("contacts", ct, "companies", co); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, "GET", "/crm/v3/objects/contacts/A@ACME.test?idProperty=email&associations=companies", nil).want(t, 200)
	if r.str(t, "id") != ct || r.str(t, "associations.companies.results.0.id") != co || r.str(t, "associations.companies.results.0.type") != "contact_to_company" {
		t.Fatalf("read by email with associations: %s", r.Raw)
	}
	call(t, s, "GET", "/crm/v3/objects/contacts/x?idProperty=firstname", nil).want(t, 400)
	if got := s.AssociatedIDs("contacts", ct, "calls"); len(got) != 2 {
		t.Fatalf("an archived call is still associated: %v", got)
	}
	call(t, s, "POST", "/crm/v3/objects/calls/batch/frobnicate", map[string]any{"inputs": []any{}}).want(t, 404)
}

func TestUniqueUpsertAndConflicts(t *testing.T) {
	s := newTest(t, Options{UniqueOnEngagements: true})
	prop := map[string]any{"name": "shortlist_op_id", "label": "Shortlist operation", "type": "string", "fieldType": "text", "groupName": "callinformation", "hasUniqueValue": true}
	r := call(t, s, "POST", "/crm/v3/properties/calls", prop).want(t, 201)
	if r.JSON["hasUniqueValue"] != true {
		t.Fatalf("property: %s", r.Raw)
	}
	if r := call(t, s, "POST", "/crm/v3/properties/calls", prop).want(t, 409); r.str(t, "category") != "OBJECT_ALREADY_EXISTS" {
		t.Fatalf("409 body %s", r.Raw)
	}
	if r := call(t, s, "GET", "/crm/v3/properties/calls/shortlist_op_id", nil).want(t, 200); r.str(t, "name") != "shortlist_op_id" {
		t.Fatalf("get property %s", r.Raw)
	}
	call(t, s, "GET", "/crm/v3/properties/calls/nosuch", nil).want(t, 404)
	call(t, s, "POST", "/crm/v3/properties/calls", map[string]any{"name": "Bad Name", "label": "x", "type": "string", "fieldType": "text", "groupName": "callinformation"}).want(t, 400)
	call(t, s, "POST", "/crm/v3/properties/calls", map[string]any{"name": "nolabel"}).want(t, 400)

	upsert := map[string]any{"inputs": []map[string]any{{"idProperty": "shortlist_op_id", "id": "op-1", "properties": map[string]string{"hs_timestamp": "2026-03-01T10:00:00Z", "hs_call_body": "hello"}}}}
	r = call(t, s, "POST", "/crm/v3/objects/calls/batch/upsert", upsert).want(t, 200)
	first := r.str(t, "results.0.id")
	if r.JSON["results"].([]any)[0].(map[string]any)["new"] != true {
		t.Fatalf("first upsert not new: %s", r.Raw)
	}
	r = call(t, s, "POST", "/crm/v3/objects/calls/batch/upsert", upsert).want(t, 200)
	if r.str(t, "results.0.id") != first || r.JSON["results"].([]any)[0].(map[string]any)["new"] != false {
		t.Fatalf("second upsert: %s", r.Raw)
	}
	if n := len(s.List("calls")); n != 1 {
		t.Fatalf("%d calls after the same upsert twice", n)
	}
	if o, _ := s.Get("calls", first); o.Properties["shortlist_op_id"] != "op-1" {
		t.Fatalf("the id property was not set: %v", o.Properties)
	}
	// a plain create with a taken unique value
	r = call(t, s, "POST", "/crm/v3/objects/calls", map[string]any{"properties": map[string]string{"hs_timestamp": "2026-03-01T10:00:00Z", "shortlist_op_id": "op-1"}}).want(t, 409)
	if r.str(t, "category") != "CONFLICT" || !strings.Contains(r.str(t, "message"), first) {
		t.Fatalf("409 body %s", r.Raw)
	}
	call(t, s, "POST", "/crm/v3/objects/calls/batch/upsert", map[string]any{"inputs": []map[string]any{{"idProperty": "hs_call_body", "id": "x", "properties": map[string]string{}}}}).want(t, 400)
	call(t, s, "POST", "/crm/v3/objects/calls/batch/upsert", map[string]any{"inputs": []map[string]any{{"id": "x", "properties": map[string]string{}}}}).want(t, 400)
	// contacts: email is unique
	s.Put("contacts", map[string]string{"email": "dup@x.test"})
	call(t, s, "POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []map[string]any{{"properties": map[string]string{"email": "DUP@x.test"}}}}).want(t, 409)
	// an archived record frees its unique value
	if err := s.Archive("calls", first); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, "POST", "/crm/v3/objects/calls/batch/upsert", upsert).want(t, 200)
	if r.str(t, "results.0.id") == first {
		t.Fatal("upsert revived an archived record")
	}
}

func TestUniqueRefusedOnEngagementsByDefault(t *testing.T) {
	s := newTest(t, Options{})
	prop := func(typ string, unique bool) map[string]any {
		group := strings.TrimSuffix(typ, "s") + "information"
		if typ == "companies" {
			group = "companyinformation"
		}
		return map[string]any{"name": "shortlist_op_id", "label": "op", "type": "string", "fieldType": "text", "groupName": group, "hasUniqueValue": unique}
	}
	for _, typ := range []string{"calls", "notes", "tasks", "meetings", "emails", "communications"} {
		call(t, s, "POST", "/crm/v3/properties/"+typ, prop(typ, true)).want(t, 400)
	}
	call(t, s, "POST", "/crm/v3/properties/companies", prop("companies", true)).want(t, 201)
	call(t, s, "POST", "/crm/v3/properties/contacts", prop("contacts", true)).want(t, 201)
	call(t, s, "POST", "/crm/v3/properties/notes", prop("notes", false)).want(t, 201)
	call(t, s, "POST", "/crm/v3/objects/notes/batch/upsert", map[string]any{"inputs": []map[string]any{{"idProperty": "shortlist_op_id", "id": "x", "properties": map[string]string{"hs_timestamp": "1"}}}}).want(t, 400)
	r := call(t, s, "GET", "/crm/v3/properties/notes", nil).want(t, 200)
	if len(r.list(t, "results")) < 4 {
		t.Fatalf("property list: %s", r.Raw)
	}
}

func TestDispositionsAndUnsubscribe(t *testing.T) {
	s := newTest(t, Options{})
	r := call(t, s, "GET", "/calling/v1/dispositions", nil).want(t, 200)
	if !strings.Contains(string(r.Raw), `"id":"f240bbac-87c9-4f6e-bf70-924b57d47db7","label":"Connected"`) || strings.Count(string(r.Raw), `"id"`) != 6 {
		t.Fatalf("dispositions: %s", r.Raw)
	}
	ct := s.Put("contacts", map[string]string{"email": "Out@x.test"})
	before, _ := s.Get("contacts", ct)
	r = call(t, s, "POST", "/communication-preferences/v3/unsubscribe", map[string]any{"emailAddress": "out@x.test", "subscriptionId": "123", "legalBasis": "LEGITIMATE_INTEREST_CLIENT", "legalBasisExplanation": "asked"}).want(t, 200)
	if r.str(t, "status") != "NOT_SUBSCRIBED" {
		t.Fatalf("unsubscribe: %s", r.Raw)
	}
	o, _ := s.Get("contacts", ct)
	if o.Properties["hs_email_optout"] != "true" || o.UpdatedAt.Before(before.UpdatedAt) {
		t.Fatalf("opt-out not set: %+v", o.Properties)
	}
	call(t, s, "POST", "/communication-preferences/v3/unsubscribe", map[string]any{"emailAddress": "nope", "subscriptionId": "1"}).want(t, 400)
	call(t, s, "POST", "/communication-preferences/v3/unsubscribe", map[string]any{"emailAddress": "a@b.c"}).want(t, 400)
	call(t, s, "GET", "/communication-preferences/v3/unsubscribe", nil).want(t, http.StatusMethodNotAllowed)
}
