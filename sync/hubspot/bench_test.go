package hubspot

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// BenchmarkPull pulls 10,000 companies and their 50,000 contacts from the
// stand-in server with no rate limit, as the engine's first sync does:
// the company search, then contacts 100 companies at a time.
func BenchmarkPull(b *testing.B) {
	f := newFake(&testing.T{})
	defer f.srv.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		co := f.put("companies", props{"name": "Co", "hubspot_owner_id": "7", "hs_lastmodifieddate": ms(base.Add(time.Duration(i) * time.Second))})
		for range 5 {
			ct := f.put("contacts", props{"firstname": "A", "lastname": "B", "email": "a@b.c", "lastmodifieddate": ms(base)})
			f.link("companies", co, "contacts", ct)
		}
	}
	c, err := New(Options{BaseURL: f.srv.URL, Token: f.token, RequestsPer10s: -1, SearchPerSecond: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		var ids []string
		err := c.Companies(ctx, "7", time.Time{}, func(p []model.PulledCompany) error {
			for _, rc := range p {
				ids = append(ids, rc.Account.CRMID)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		contacts := 0
		for chunk := range slices.Chunk(ids, 100) {
			cs, err := c.Contacts(ctx, chunk, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			contacts += len(cs)
		}
		if len(ids) != 10_000 || contacts != 50_000 {
			b.Fatalf("pulled %d companies, %d contacts", len(ids), contacts)
		}
	}
}

// BenchmarkPullHubSpotTest is BenchmarkPull against sync/hubspottest (rate
// limits off on both sides): the figure the README quotes.
func BenchmarkPullHubSpotTest(b *testing.B) {
	s := hubspottest.NewServer(hubspottest.Options{RateLimit: 1 << 30, SearchPerSecond: -1})
	defer s.Close()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		co := s.PutAt("companies", map[string]string{"name": "Co", "hubspot_owner_id": owner}, base.Add(time.Duration(i)*time.Second))
		for range 5 {
			ct := s.PutAt("contacts", map[string]string{"firstname": "A", "lastname": "B"}, base)
			if err := s.Associate("companies", co, "contacts", ct); err != nil {
				b.Fatal(err)
			}
		}
	}
	c, err := New(Options{BaseURL: s.URL(), Token: s.Token(), RequestsPer10s: -1, SearchPerSecond: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		var ids []string
		err := c.Companies(ctx, owner, time.Time{}, func(p []model.PulledCompany) error {
			for _, rc := range p {
				ids = append(ids, rc.Account.CRMID)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		contacts := 0
		for chunk := range slices.Chunk(ids, 100) {
			cs, err := c.Contacts(ctx, chunk, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			contacts += len(cs)
		}
		if len(ids) != 10_000 || contacts != 50_000 {
			b.Fatalf("pulled %d companies, %d contacts", len(ids), contacts)
		}
	}
	b.ReportMetric(float64(len(s.Requests()))/float64(b.N), "requests/op")
}
