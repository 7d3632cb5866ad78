package hubspottest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// seedBook seeds companies with contacts each, as the volume
// figures do (10,000 companies, 50,000 contacts).
func seedBook(s *Server, companies, perCompany int) []string {
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, companies)
	for i := range companies {
		ids[i] = s.PutAt("companies", map[string]string{"name": fmt.Sprintf("Company %d", i), "hubspot_owner_id": "1"}, base.Add(time.Duration(i)*time.Second))
		for j := range perCompany {
			ct := s.Put("contacts", map[string]string{"email": fmt.Sprintf("c%d-%d@x.test", i, j)})
			s.Associate("contacts", ct, "companies", ids[i])
		}
	}
	return ids
}

// BenchmarkSearchPage is one 200-result page of the incremental pull's
// search (owner EQ, modified GT, ascending) over 10,000 companies.
func BenchmarkSearchPage(b *testing.B) {
	s := NewServer(Options{RateLimit: -1, SearchPerSecond: -1})
	defer s.Close()
	seedBook(s, 10000, 0)
	body := `{"filterGroups":[{"filters":[{"propertyName":"hubspot_owner_id","operator":"EQ","value":"1"},{"propertyName":"hs_lastmodifieddate","operator":"GT","value":"0"}]}],"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}],"properties":["name","hs_lastmodifieddate"],"limit":200}`
	b.ResetTimer()
	for b.Loop() {
		res, _, err := post(s, http.DefaultClient, "/crm/v3/objects/companies/search", body)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkListPage is one 100-record page of GET /crm/v3/objects/contacts
// deep into 50,000 contacts.
func BenchmarkListPage(b *testing.B) {
	s := NewServer(Options{RateLimit: -1})
	defer s.Close()
	seedBook(s, 10000, 5)
	mid := s.List("contacts")[25000].ID
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", s.URL()+"/crm/v3/objects/contacts?limit=100&after="+mid, nil)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res)
		}
		res.Body.Close()
	}
}

// BenchmarkAssocAndBatchRead is the contacts pull for 100 companies: one v4
// association read, then five batch reads of 100 contacts.
func BenchmarkAssocAndBatchRead(b *testing.B) {
	s := NewServer(Options{RateLimit: -1})
	defer s.Close()
	ids := seedBook(s, 10000, 5)
	var in []string
	for _, id := range ids[5000:5100] {
		in = append(in, `{"id":"`+id+`"}`)
	}
	assocBody := `{"inputs":[` + strings.Join(in, ",") + `]}`
	var cts []string
	for _, id := range ids[5000:5100] {
		for _, c := range s.AssociatedIDs("companies", id, "contacts") {
			cts = append(cts, `{"id":"`+c+`"}`)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if res, _, err := post(s, http.DefaultClient, "/crm/v4/associations/companies/contacts/batch/read", assocBody); err != nil || res.StatusCode != 200 {
			b.Fatal(err, res)
		}
		for i := 0; i < len(cts); i += 100 {
			body := `{"properties":["email","firstname","lastmodifieddate"],"inputs":[` + strings.Join(cts[i:i+100], ",") + `]}`
			if res, _, err := post(s, http.DefaultClient, "/crm/v3/objects/contacts/batch/read", body); err != nil || res.StatusCode != 200 {
				b.Fatal(err, res)
			}
		}
	}
}

// BenchmarkBatchUpsert is one batch of 100 call upserts on a unique
// operation id.
func BenchmarkBatchUpsert(b *testing.B) {
	s := NewServer(Options{RateLimit: -1, UniqueOnEngagements: true})
	defer s.Close()
	s.mu.Lock()
	s.props["calls"]["op"] = &propDef{Name: "op", Type: "string", Unique: true, Custom: true}
	s.mu.Unlock()
	n := 0
	for b.Loop() {
		in := make([]string, 100)
		for i := range in {
			n++
			in[i] = fmt.Sprintf(`{"idProperty":"op","id":"op-%d","properties":{"hs_timestamp":"1767225600000","hs_call_body":"note"}}`, n)
		}
		if res, raw, err := post(s, http.DefaultClient, "/crm/v3/objects/calls/batch/upsert", `{"inputs":[`+strings.Join(in, ",")+`]}`); err != nil || res.StatusCode != 200 {
			b.Fatal(err, string(raw))
		}
	}
}
