package hubspot

import (
	"context"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestTruncatedRepliesAreRetried: a 2xx whose JSON is cut off is asked
// again for reads and idempotent writes (the company search, a batch
// update), and a create's is an ambiguous failure the create path resolves
// by looking before creating again: nothing fails, nothing doubles.
func TestTruncatedRepliesAreRetried(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: -1, SearchPerSecond: -1}, Options{SearchLag: -1})
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	co := s.Put("companies", map[string]string{"name": "Acme", "hubspot_owner_id": owner})
	ct := s.Put("contacts", map[string]string{"email": "a@acme.io"})
	if _, err := c.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies/search", Kind: hubspottest.FaultTruncated, Times: 2})
	n := 0
	if err := c.Companies(ctx, owner, time.Time{}, func(p []model.PulledCompany) error { n += len(p); return nil }); err != nil || n != 1 {
		t.Fatalf("companies after cut replies: %d, %v", n, err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies/batch/update", Kind: hubspottest.FaultTruncated})
	if res, err := c.UpdateCompanies(ctx, []crmsync.CompanyUpdate{{OpID: "u", CRMID: co, Status: "working"}}); err != nil || res[0].Err != nil {
		t.Fatalf("update after a cut reply: %+v, %v", res, err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/tasks/batch/create", Kind: hubspottest.FaultTruncated})
	res, err := c.PushTasks(ctx, []crmsync.OutTask{{OpID: "op-1", ContactID: ct, CompanyID: co}})
	if err != nil || res[0].Err != nil || res[0].CRMID == "" {
		t.Fatalf("create after a cut reply: %+v, %v", res, err)
	}
	if got := len(s.List("tasks")); got != 1 {
		t.Fatalf("%d tasks, want 1", got)
	}
}
