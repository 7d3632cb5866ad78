package hubspottest

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// seedSearch makes five companies with known values.
func seedSearch(s *Server) []string {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []map[string]string{
		{"name": "Acme Robotics", "domain": "acme.test", "numberofemployees": "50", "hubspot_owner_id": "1", "industry": "Robots"},
		{"name": "Beta Foods", "domain": "beta.test", "numberofemployees": "9", "hubspot_owner_id": "1"},
		{"name": "Gamma Robotics Ltd", "numberofemployees": "500", "hubspot_owner_id": "2", "industry": "robots"},
		{"name": "Delta", "domain": "delta.test", "numberofemployees": "120", "hubspot_owner_id": "1"},
		{"name": "Epsilon", "hubspot_owner_id": "3"},
	}
	var ids []string
	for i, r := range rows {
		ids = append(ids, s.PutAt("companies", r, base.Add(time.Duration(len(rows)-i)*time.Hour)))
	}
	return ids
}

func TestSearchOperators(t *testing.T) {
	s := newTest(t, Options{})
	id := seedSearch(s)
	ms := strconv.FormatInt(time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC).UnixMilli(), 10)
	cases := []struct {
		name   string
		groups []map[string]any
		want   []string
	}{
		{"EQ is case-insensitive", groups(f("industry", "EQ", "ROBOTS")), []string{id[0], id[2]}},
		{"NEQ includes records without the value", groups(f("industry", "NEQ", "robots")), []string{id[1], id[3], id[4]}},
		{"GT numeric, not text", groups(f("numberofemployees", "GT", "100")), []string{id[2], id[3]}},
		{"GTE", groups(f("numberofemployees", "GTE", 120)), []string{id[2], id[3]}},
		{"LT", groups(f("numberofemployees", "LT", "50")), []string{id[1]}},
		{"LTE", groups(f("numberofemployees", "LTE", "50")), []string{id[0], id[1]}},
		{"BETWEEN", groups(map[string]any{"propertyName": "numberofemployees", "operator": "BETWEEN", "value": "9", "highValue": "120"}), []string{id[0], id[1], id[3]}},
		{"IN", groups(map[string]any{"propertyName": "hubspot_owner_id", "operator": "IN", "values": []string{"2", "3"}}), []string{id[2], id[4]}},
		{"NOT_IN", groups(map[string]any{"propertyName": "hubspot_owner_id", "operator": "NOT_IN", "values": []string{"1"}}), []string{id[2], id[4]}},
		{"HAS_PROPERTY", groups(f("domain", "HAS_PROPERTY", nil)), []string{id[0], id[1], id[3]}},
		{"NOT_HAS_PROPERTY", groups(f("domain", "NOT_HAS_PROPERTY", nil)), []string{id[2], id[4]}},
		{"CONTAINS_TOKEN", groups(f("name", "CONTAINS_TOKEN", "robotics")), []string{id[0], id[2]}},
		{"CONTAINS_TOKEN wildcard", groups(f("name", "CONTAINS_TOKEN", "gam*")), []string{id[2]}},
		{"NOT_CONTAINS_TOKEN", groups(f("name", "NOT_CONTAINS_TOKEN", "robotics")), []string{id[1], id[3], id[4]}},
		{"date GT in epoch ms", groups(f("hs_lastmodifieddate", "GT", ms)), []string{id[0], id[1]}},
		{"date GTE in ISO", groups(f("hs_lastmodifieddate", "GTE", "2026-01-01T03:00:00Z")), []string{id[0], id[1], id[2]}},
		{"AND within a group", groups(f("hubspot_owner_id", "EQ", "1"), f("numberofemployees", "GT", "10")), []string{id[0], id[3]}},
		{"OR across groups", append(groups(f("name", "EQ", "delta")), groups(f("name", "EQ", "epsilon"))...), []string{id[3], id[4]}},
		{"no filters: all", nil, id},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{"filterGroups": tc.groups, "limit": 100}).want(t, 200)
			got := r.ids(t)
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if int(r.num(t, "total")) != len(tc.want) {
				t.Fatalf("total %v", r.JSON["total"])
			}
		})
	}
	r := call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{"query": "beta"}).want(t, 200)
	if got := r.ids(t); !reflect.DeepEqual(got, []string{id[1]}) {
		t.Fatalf("query: %v", got)
	}
}

func f(prop, op string, v any) map[string]any {
	m := map[string]any{"propertyName": prop, "operator": op}
	if v != nil {
		m["value"] = v
	}
	return m
}

func groups(fs ...map[string]any) []map[string]any {
	return []map[string]any{{"filters": fs}}
}

func TestSearchSortsPropertiesAndLimits(t *testing.T) {
	s := newTest(t, Options{})
	id := seedSearch(s)
	r := call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{
		"sorts": []map[string]string{{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}}, "properties": []string{"name", "domain"}, "limit": 2,
	}).want(t, 200)
	if got := r.ids(t); !reflect.DeepEqual(got, []string{id[4], id[3]}) {
		t.Fatalf("ascending by modified: %v", got)
	}
	if r.str(t, "paging.next.after") != "2" || r.num(t, "total") != 5 {
		t.Fatalf("paging: %s", r.Raw)
	}
	props := r.JSON["results"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if _, ok := props["domain"]; !ok || props["domain"] != nil || props["name"] != "Epsilon" || len(props) != 2 {
		t.Fatalf("requested properties: %v", props)
	}
	r = call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{"sorts": []map[string]string{{"propertyName": "numberofemployees", "direction": "DESCENDING"}}, "limit": 3}).want(t, 200)
	if got := r.ids(t); !reflect.DeepEqual(got, []string{id[2], id[3], id[0]}) {
		t.Fatalf("descending numeric: %v", got)
	}
	bad := []map[string]any{
		{"limit": 201},
		{"filterGroups": []map[string]any{{"filters": []any{f("name", "LIKE", "x")}}}},
		{"filterGroups": make6groups()},
		{"filterGroups": []map[string]any{{"filters": make([]map[string]any, 11)}}},
		{"filterGroups": tooManyFilters()},
		{"sorts": []map[string]string{{"propertyName": "name", "direction": "UP"}}},
		{"after": "zebra"},
	}
	for i, b := range bad {
		if r := call(t, s, "POST", "/crm/v3/objects/companies/search", b); r.Status != 400 || r.str(t, "category") != "VALIDATION_ERROR" {
			t.Errorf("bad search %d: %d %s", i, r.Status, r.Raw)
		}
	}
}

func make6groups() []map[string]any {
	var g []map[string]any
	for range 6 {
		g = append(g, map[string]any{"filters": []any{f("name", "HAS_PROPERTY", nil)}})
	}
	return g
}

func tooManyFilters() []map[string]any {
	var g []map[string]any
	for range 3 {
		fs := make([]any, 9)
		for i := range fs {
			fs[i] = f("name", "HAS_PROPERTY", nil)
		}
		g = append(g, map[string]any{"filters": fs})
	}
	return g
}

func TestSearchCap(t *testing.T) {
	s := newTest(t, Options{SearchCap: 25})
	for i := range 40 {
		s.Put("contacts", map[string]string{"email": fmt.Sprintf("c%d@x.test", i)})
	}
	seen := map[string]bool{}
	after := ""
	var last resp
	for {
		body := map[string]any{"limit": 10}
		if after != "" {
			body["after"] = after
		}
		r := call(t, s, "POST", "/crm/v3/objects/contacts/search", body)
		if r.Status == 400 {
			last = r
			break
		}
		r.want(t, 200)
		if r.num(t, "total") != 40 {
			t.Fatalf("total %v", r.JSON["total"])
		}
		for _, id := range r.ids(t) {
			seen[id] = true
		}
		if r.JSON["paging"] == nil {
			t.Fatal("paging ended before the cap")
		}
		after = r.str(t, "paging.next.after")
	}
	if len(seen) != 25 || after != "25" {
		t.Fatalf("paged through %d results (after %s), want the cap of 25", len(seen), after)
	}
	if last.str(t, "category") != "VALIDATION_ERROR" {
		t.Fatalf("past the cap: %s", last.Raw)
	}
}

func TestSearchLag(t *testing.T) {
	c := newClock()
	s := newTest(t, Options{Now: c.Now, SearchLag: 3 * time.Second})
	id := s.Put("companies", map[string]string{"name": "Fresh"})
	count := func(name string) int {
		r := call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{"filterGroups": groups(f("name", "EQ", name))}).want(t, 200)
		return int(r.num(t, "total"))
	}
	if count("Fresh") != 0 {
		t.Fatal("a new record is searchable before the lag")
	}
	call(t, s, "GET", "/crm/v3/objects/companies/"+id, nil).want(t, 200) // reads see it at once
	c.Add(3 * time.Second)
	if count("Fresh") != 1 {
		t.Fatal("the record is not searchable after the lag")
	}
	if err := s.Update("companies", id, map[string]string{"name": "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if count("Fresh") != 1 || count("Renamed") != 0 {
		t.Fatal("search saw an update before the lag")
	}
	c.Add(3 * time.Second)
	if count("Fresh") != 0 || count("Renamed") != 1 {
		t.Fatal("search did not see the update after the lag")
	}
	if err := s.Archive("companies", id); err != nil {
		t.Fatal(err)
	}
	c.Add(3 * time.Second)
	if count("Renamed") != 0 {
		t.Fatal("an archived record is still searchable")
	}
}

// TestSearchRestartPastCap pulls more records than the cap the way the
// sync does: ascending by modified date, restarting GT the last one seen.
func TestSearchRestartPastCap(t *testing.T) {
	s := newTest(t, Options{SearchCap: 30})
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for i := range 95 {
		s.PutAt("companies", map[string]string{"name": fmt.Sprint("c", i)}, base.Add(time.Duration(i)*time.Minute))
	}
	seen := map[string]bool{}
	since, after, requests := "0", "", 0
	for {
		body := map[string]any{
			"filterGroups": groups(f("hs_lastmodifieddate", "GT", since)),
			"sorts":        []map[string]string{{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}},
			"properties":   []string{"hs_lastmodifieddate"},
			"limit":        10,
		}
		if after != "" {
			body["after"] = after
		}
		r := call(t, s, "POST", "/crm/v3/objects/companies/search", body).want(t, 200)
		requests++
		res := r.list(t, "results")
		for _, x := range res {
			seen[x.(map[string]any)["id"].(string)] = true
		}
		if r.JSON["paging"] == nil {
			break
		}
		after = r.str(t, "paging.next.after")
		if n, _ := strconv.Atoi(after); n >= 30 {
			last := res[len(res)-1].(map[string]any)["properties"].(map[string]any)["hs_lastmodifieddate"].(string)
			since, after = last, ""
		}
	}
	if len(seen) != 95 || requests != 10 {
		t.Fatalf("saw %d of 95 in %d requests", len(seen), requests)
	}
}

// TestSearchContactsByLastModified searches contacts the way the changed-
// contacts pull does: lastmodifieddate GTE a time, ascending, within the
// cap; a later change to one contact (an unsubscribe) moves it past the
// others.
func TestSearchContactsByLastModified(t *testing.T) {
	c := newClock()
	s := newTest(t, Options{Now: c.Now, SearchCap: 20})
	base := c.Now()
	var ids []string
	for i := range 30 {
		ids = append(ids, s.PutAt("contacts", map[string]string{"email": fmt.Sprintf("c%d@x.test", i)}, base.Add(time.Duration(i)*time.Minute)))
	}
	search := func(since time.Time, after string) resp {
		body := map[string]any{
			"filterGroups": groups(f("lastmodifieddate", "GTE", strconv.FormatInt(since.UnixMilli(), 10))),
			"sorts":        []map[string]string{{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}},
			"properties":   []string{"lastmodifieddate", "hs_email_optout"},
			"limit":        10,
		}
		if after != "" {
			body["after"] = after
		}
		return call(t, s, "POST", "/crm/v3/objects/contacts/search", body)
	}
	r := search(base.Add(10*time.Minute), "").want(t, 200)
	if got := r.ids(t); r.num(t, "total") != 20 || len(got) != 10 || got[0] != ids[10] || got[9] != ids[19] {
		t.Fatalf("from minute 10: total %v, ids %v", r.JSON["total"], got)
	}
	if r = search(base, "10").want(t, 200); r.str(t, "paging.next.after") != "20" {
		t.Fatalf("second page paging %v", r.JSON["paging"])
	}
	if r = search(base, "20"); r.Status != 400 {
		t.Fatalf("past the cap of 20: HTTP %d", r.Status)
	}
	c.Add(time.Hour)
	if err := s.Update("contacts", ids[3], map[string]string{"hs_email_optout": "true"}); err != nil {
		t.Fatal(err)
	}
	r = search(base.Add(30*time.Minute), "").want(t, 200)
	if got := r.ids(t); len(got) != 1 || got[0] != ids[3] {
		t.Fatalf("after an unsubscribe: %v, want only %s", got, ids[3])
	}
}
