package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// hsClient starts a hubspottest server and a client for it with instant
// backoff. It skips only while hubspottest is the published skeleton that
// answers every request with 501.
func hsClient(t *testing.T, o hubspottest.Options, co Options) (*hubspottest.Server, *Client) {
	t.Helper()
	s := hubspottest.NewServer(o)
	t.Cleanup(s.Close)
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/crm/v3/owners", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotImplemented {
			t.Skip("sync/hubspottest is not implemented yet")
		}
	}
	co.BaseURL, co.Token = s.URL(), s.Token()
	if co.Sleep == nil {
		co.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	}
	c, err := New(co)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestHubSpotTestEndToEnd(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1, SearchCap: 50}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var cos []string
	for i := range 180 {
		// 80 share one time, past the cap of 50
		at := base
		if i >= 80 {
			at = base.Add(time.Duration(i) * time.Minute)
		}
		co := s.PutAt("companies", map[string]string{"name": "Co " + strconv.Itoa(i), "hubspot_owner_id": owner}, at)
		cos = append(cos, co)
		ct := s.PutAt("contacts", map[string]string{"firstname": "C", "lastname": strconv.Itoa(i), "email": "c" + strconv.Itoa(i) + "@x.io"}, at)
		if err := s.Associate("companies", co, "contacts", ct); err != nil {
			t.Fatal(err)
		}
	}
	o, err := c.Connect(ctx, "rep@acme.io")
	if err != nil || o.ID != owner {
		t.Fatalf("Connect = %+v, %v", o, err)
	}
	caps, err := c.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if caps.UniqueOpID["calls"] {
		t.Fatalf("UniqueOnEngagements is off, yet calls are unique: %+v", caps)
	}
	seen := map[string]bool{}
	err = c.Companies(ctx, owner, time.Time{}, func(p []model.PulledCompany) error {
		for _, rc := range p {
			seen[rc.Account.CRMID] = true
		}
		return nil
	})
	if err != nil || len(seen) != 180 {
		t.Fatalf("pulled %d of 180 companies: %v", len(seen), err)
	}
	searches := 0
	for _, r := range s.Requests() {
		if r.Path == "/crm/v3/objects/companies/search" {
			searches++
		}
	}
	t.Logf("180 companies past a cap of 50 (80 sharing one time): %d searches", searches)
	cs, err := c.Contacts(ctx, cos[:100], time.Time{})
	if err != nil || len(cs) != 100 {
		t.Fatalf("contacts %d, %v", len(cs), err)
	}

	// a reset after the create was applied: searched, not duplicated
	s.Inject(hubspottest.Fault{Method: http.MethodPost, Path: "/crm/v3/objects/calls/batch/create", Kind: hubspottest.FaultResetAfterApply})
	in := []crmsync.OutTouch{{OpID: "op-1", ContactID: cs[0].Contact.CRMID, CompanyID: cs[0].CompanyIDs[0], OwnerID: owner,
		Touch: model.Touch{Channel: model.ChannelCall, Direction: model.Outbound, Outcome: model.OutcomeNoAnswer, At: base}}}
	res, err := c.PushTouches(ctx, in)
	if err != nil || res[0].Err != nil || res[0].CRMID == "" {
		t.Fatalf("push = %+v, %v", res, err)
	}
	if n := len(s.List("calls")); n != 1 {
		t.Fatalf("%d calls after a reset after apply", n)
	}
	if res2, err := c.PushTouches(ctx, in); err != nil || res2[0].CRMID != res[0].CRMID || len(s.List("calls")) != 1 {
		t.Fatalf("second push %+v, %v, %d calls", res2, err, len(s.List("calls")))
	}

	// 429s below the daily cap are waited out; the daily cap stops at once
	s.Inject(hubspottest.Fault{Path: "/crm/v3/owners", Kind: hubspottest.FaultRateLimit, Policy: "TEN_SECONDLY_ROLLING"})
	s.Inject(hubspottest.Fault{Path: "/crm/v3/owners", Kind: hubspottest.FaultRateLimit, Policy: "SECONDLY"})
	if _, err := c.Connect(ctx, "rep@acme.io"); err != nil {
		t.Fatalf("after 429s: %v", err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/owners", Kind: hubspottest.FaultRateLimit, Policy: "DAILY"})
	if _, err := c.Connect(ctx, "rep@acme.io"); !errors.Is(err, crmsync.ErrDailyLimit) {
		t.Fatalf("daily: %v", err)
	}
	// a 5xx storm then success; a longer one is offline
	s.Inject(hubspottest.Fault{Path: "/crm/v3/owners", Kind: hubspottest.FaultStatus, Code: 502, Times: 4})
	if _, err := c.Connect(ctx, "rep@acme.io"); err != nil {
		t.Fatalf("after a short storm: %v", err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/owners", Kind: hubspottest.FaultStatus, Code: 503, Times: 10})
	if _, err := c.Connect(ctx, "rep@acme.io"); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("long storm: %v", err)
	}
	s.ClearFaults()
	// Not JSON: a protocol error, no data. Cut off: asked again; cut off
	// every time: an error once the retries are spent, no data.
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies/search", Kind: hubspottest.FaultMalformed})
	pages := 0
	err = c.Companies(ctx, owner, time.Time{}, func([]model.PulledCompany) error { pages++; return nil })
	if pe := (*crmsync.ProtocolError)(nil); !errors.As(err, &pe) || pages != 0 {
		t.Fatalf("malformed: %v after %d pages", err, pages)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies/search", Kind: hubspottest.FaultTruncated})
	if err := c.Companies(ctx, owner, time.Time{}, func([]model.PulledCompany) error { return nil }); err != nil {
		t.Fatalf("truncated once: %v", err)
	}
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/companies/search", Kind: hubspottest.FaultTruncated, Times: -1})
	pages = 0
	err = c.Companies(ctx, owner, time.Time{}, func([]model.PulledCompany) error { pages++; return nil })
	if err == nil || pages != 0 {
		t.Fatalf("truncated always: %v after %d pages", err, pages)
	}
}

func TestHubSpotTestUniquePush(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1, UniqueOnEngagements: true}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	co := s.Put("companies", map[string]string{"name": "A", "hubspot_owner_id": owner})
	ct := s.Put("contacts", map[string]string{"firstname": "E", "email": "e@a.io"})
	caps, err := c.Prepare(ctx)
	if err != nil || !caps.UniqueOpID["calls"] || !caps.UniqueOpID["tasks"] {
		t.Fatalf("Prepare = %+v, %v", caps, err)
	}
	var in []crmsync.OutTouch
	for i, o := range []model.Outcome{model.OutcomeNoAnswer, model.OutcomeConnected, model.OutcomeSent} {
		ch := model.ChannelCall
		if o == model.OutcomeSent {
			ch = model.ChannelEmail
		}
		in = append(in, crmsync.OutTouch{OpID: "op-" + strconv.Itoa(i), ContactID: ct, CompanyID: co, OwnerID: owner,
			Touch: model.Touch{Channel: ch, Direction: model.Outbound, Outcome: o, Note: "n", At: time.Now()}})
	}
	// a reset after the upsert applied is retried: an upsert is safe to resend
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/calls/batch/upsert", Kind: hubspottest.FaultResetAfterApply})
	for range 2 {
		res, err := c.PushTouches(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil || r.CRMID == "" {
				t.Fatalf("results %+v", res)
			}
		}
	}
	if n, m := len(s.List("calls")), len(s.List("emails")); n != 2 || m != 1 {
		t.Fatalf("%d calls, %d emails; want 2 and 1", n, m)
	}
	for _, call := range s.List("calls") {
		if got := s.AssociatedIDs("calls", call.ID, "contacts"); len(got) != 1 || got[0] != ct {
			t.Fatalf("call %s linked to contacts %v", call.ID, got)
		}
	}
	tr, err := c.PushTasks(ctx, []crmsync.OutTask{{OpID: "t-1", ContactID: ct, CompanyID: co, OwnerID: owner,
		Task: model.Task{Kind: model.TaskCall, Title: "Call back", Priority: model.PriorityHigh, Due: time.Now()}}})
	if err != nil || tr[0].Err != nil {
		t.Fatalf("push task %+v, %v", tr, err)
	}
	ts, err := c.Tasks(ctx, []string{co}, time.Time{})
	if err != nil || len(ts) != 1 || ts[0].OpID != "t-1" || ts[0].Task.Priority != model.PriorityHigh {
		t.Fatalf("pulled tasks %+v, %v", ts, err)
	}
}
