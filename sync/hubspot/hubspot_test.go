package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

func TestNewRefusesPlainHTTPAndNoToken(t *testing.T) {
	for _, tc := range []struct {
		name, base, token string
		ok                bool
	}{
		{"remote http", "http://api.hubapi.com", "t", false},
		{"loopback http", "http://127.0.0.1:8080", "t", true},
		{"localhost http", "http://localhost:1", "t", true},
		{"https", "https://api.hubapi.com", "t", true},
		{"default", "", "t", true},
		{"no token", "https://api.hubapi.com", " ", false},
		{"ftp", "ftp://x", "t", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{BaseURL: tc.base, Token: tc.token})
			if (err == nil) != tc.ok {
				t.Fatalf("New(%q) error = %v, want ok=%v", tc.base, err, tc.ok)
			}
		})
	}
}

func TestConnectFindsOwner(t *testing.T) {
	f := newFake(t)
	f.put("owners", props{"email": "rep@acme.io", "firstName": "Ann"})
	c := f.client(t, Options{})
	o, err := c.Connect(context.Background(), "REP@acme.io")
	if err != nil || o.Email != "rep@acme.io" || o.ID == "" || o.Name != "Ann Rep" {
		t.Fatalf("Connect = %+v, %v", o, err)
	}
	_, err = c.Connect(context.Background(), "nobody@acme.io")
	if err == nil || !strings.Contains(err.Error(), "nobody@acme.io") {
		t.Fatalf("unknown owner: %v", err)
	}
	bad, _ := New(Options{BaseURL: f.srv.URL, Token: "wrong"})
	if _, err := bad.Connect(context.Background(), "rep@acme.io"); !errors.Is(err, crmsync.ErrUnauthorized) {
		t.Fatalf("bad token: %v", err)
	}
}

// seedCompanies adds n companies owned by owner, stamps[i%len] modified.
func seedCompanies(f *fake, n int, owner string, stamp func(i int) time.Time) {
	for i := range n {
		f.put("companies", props{"name": "Co " + strconv.Itoa(i), "hubspot_owner_id": owner,
			"hs_lastmodifieddate": ms(stamp(i)), "numberofemployees": "120"})
	}
}

func pullAll(t *testing.T, c *Client, since time.Time) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	pages := 0
	err := c.Companies(context.Background(), "7", since, func(p []model.PulledCompany) error {
		pages++
		for i, rc := range p {
			if i > 0 && rc.Modified.Before(p[i-1].Modified) {
				t.Fatalf("page not ascending")
			}
			seen[rc.Account.CRMID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seen, pages
}

func TestCompaniesRestartsPastCap(t *testing.T) {
	f := newFake(t)
	f.cap = 400
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seedCompanies(f, 1000, "7", func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) })
	seedCompanies(f, 5, "8", func(i int) time.Time { return base })
	c := f.client(t, Options{RequestsPer10s: -1, SearchPerSecond: -1})
	seen, _ := pullAll(t, c, time.Time{})
	if len(seen) != 1000 {
		t.Fatalf("pulled %d distinct companies, want 1000", len(seen))
	}
	// incremental: only the last 10 seconds' worth
	seen, _ = pullAll(t, c, base.Add(990*time.Second))
	if len(seen) != 10 {
		t.Fatalf("incremental pulled %d, want 10", len(seen))
	}
}

func TestCompaniesTieLargerThanCap(t *testing.T) {
	f := newFake(t)
	f.cap = 200
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// 700 share one time (a bulk import), 300 come after
	seedCompanies(f, 1000, "7", func(i int) time.Time {
		if i < 700 {
			return base
		}
		return base.Add(time.Duration(i) * time.Minute)
	})
	c := f.client(t, Options{RequestsPer10s: -1, SearchPerSecond: -1})
	seen, _ := pullAll(t, c, time.Time{})
	if len(seen) != 1000 {
		t.Fatalf("pulled %d distinct companies, want 1000", len(seen))
	}
}

func TestCompanyMapping(t *testing.T) {
	f := newFake(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f.put("companies", props{"name": "Acme\x1b[31m Corp", "hubspot_owner_id": "7", "hs_lastmodifieddate": now.Format(time.RFC3339),
		"numberofemployees": "lots", "annualrevenue": "2500000.4", "state": "Bavaria", "timezone": "europe_slash_berlin",
		"hs_ideal_customer_profile": "tier_1", propStatus: "engaged"})
	f.put("companies", props{"name": "Neg", "hubspot_owner_id": "7", "hs_lastmodifieddate": ms(now), "numberofemployees": "-5", "annualrevenue": "1e400"})
	c := f.client(t, Options{PortalID: "42"})
	var got []model.PulledCompany
	err := c.Companies(context.Background(), "7", time.Time{}, func(p []model.PulledCompany) error { got = append(got, p...); return nil })
	if err != nil || len(got) != 2 {
		t.Fatalf("got %d, %v", len(got), err)
	}
	a := got[0].Account
	if a.Name == "Neg" {
		a = got[1].Account
	}
	if a.Name != "Acme Corp" || a.Employees != nil || a.AnnualRevenue == nil || *a.AnnualRevenue != 2500000 ||
		a.Region != "Bavaria" || a.TimeZone != "Europe/Berlin" || a.CRMTier != "tier_1" || a.Status != model.StatusEngaged ||
		!strings.HasPrefix(a.CRMURL, "https://app.hubspot.com/contacts/42/company/") || !got[0].Modified.Equal(now) {
		t.Fatalf("mapped %+v", a)
	}
	for _, rc := range got {
		if rc.Account.Name == "Neg" && (rc.Account.Employees != nil || rc.Account.AnnualRevenue != nil) {
			t.Fatalf("out of range numbers kept: %+v", rc.Account)
		}
	}
}

func TestContactsTasksDeparted(t *testing.T) {
	f := newFake(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	co := f.put("companies", props{"name": "A", "hubspot_owner_id": "7"})
	gone := "999999"
	moved := f.put("companies", props{"name": "B", "hubspot_owner_id": "9"})
	ct := f.put("contacts", props{"firstname": "Eve", "lastname": "Ng", "email": "eve@a.io", "hs_email_optout": "true",
		propDoNotCall: "true", "lastmodifieddate": ms(now), "hs_timezone": "america_slash_new_york"})
	old := f.put("contacts", props{"firstname": "Old", "lastmodifieddate": ms(now.Add(-48 * time.Hour))})
	f.link("companies", co, "contacts", ct)
	f.link("companies", co, "contacts", old)
	tk := f.put("tasks", props{"hs_task_subject": "Call Eve", "hs_task_type": "CALL", "hs_task_status": "NOT_STARTED", "hs_lastmodifieddate": ms(now), "hs_timestamp": ms(now)})
	done := f.put("tasks", props{"hs_task_subject": "Done", "hs_task_status": "COMPLETED", "hs_lastmodifieddate": ms(now.Add(-72 * time.Hour))})
	f.link("contacts", ct, "tasks", tk)
	f.link("companies", co, "tasks", done)
	c := f.client(t, Options{})
	ctx := context.Background()

	cs, err := c.Contacts(ctx, []string{co}, now.Add(-time.Hour))
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts = %+v, %v", cs, err)
	}
	got := cs[0]
	if got.Contact.Name() != "Eve Ng" || !got.Contact.Consent.Email.OptedOut() || !got.Contact.Consent.Call.OptedOut() ||
		got.Contact.TimeZone != "America/New_York" || len(got.CompanyIDs) != 1 || got.CompanyIDs[0] != co {
		t.Fatalf("contact mapped %+v", got)
	}
	if all, err := c.Contacts(ctx, []string{co}, time.Time{}); err != nil || len(all) != 2 {
		t.Fatalf("all contacts = %d, %v", len(all), err)
	}
	ts, err := c.Tasks(ctx, []string{co}, time.Time{})
	if err != nil || len(ts) != 1 || ts[0].Task.Kind != model.TaskCall || ts[0].ContactID != ct || ts[0].CompanyID != co {
		t.Fatalf("tasks = %+v, %v", ts, err)
	}
	dep, err := c.Departed(ctx, "7", []string{co, gone, moved})
	if err != nil || len(dep) != 2 || !dep[0].Deleted || dep[0].CompanyID != gone || dep[1].Owner != "9" {
		t.Fatalf("departed = %+v, %v", dep, err)
	}
}

func touches(n int) []crmsync.OutTouch {
	out := make([]crmsync.OutTouch, n)
	outcomes := []model.Outcome{model.OutcomeNoAnswer, model.OutcomeBusy, model.OutcomeLeftVoicemail, model.OutcomeConnected,
		model.OutcomeWrongNumber, model.OutcomeMeetingBooked, model.OutcomeSent}
	for i := range out {
		ch := model.ChannelCall
		switch i % 5 {
		case 3:
			ch = model.ChannelEmail
		case 4:
			ch = model.ChannelMeeting
		}
		out[i] = crmsync.OutTouch{OpID: "op-" + strconv.Itoa(i), ContactID: "1", CompanyID: "2", OwnerID: "7",
			Touch: model.Touch{Channel: ch, Direction: model.Outbound, Outcome: outcomes[i%len(outcomes)], Note: "hi",
				At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Duration: 90 * time.Second}}
	}
	return out
}

func TestPushTouchesIdempotent(t *testing.T) {
	for _, unique := range []bool{true, false} {
		t.Run("unique="+strconv.FormatBool(unique), func(t *testing.T) {
			f := newFake(t)
			f.unique = unique
			c := f.client(t, Options{})
			ctx := context.Background()
			caps, err := c.Prepare(ctx)
			if err != nil || caps.UniqueOpID["calls"] != unique {
				t.Fatalf("Prepare = %+v, %v", caps, err)
			}
			in := touches(20)
			r1, err := c.PushTouches(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			r2, err := c.PushTouches(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for i := range in {
				if r1[i].Err != nil || r1[i].CRMID == "" || r1[i].CRMID != r2[i].CRMID || r1[i].OpID != in[i].OpID {
					t.Fatalf("item %d: %+v then %+v", i, r1[i], r2[i])
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, typ := range touchTypes {
				n += len(f.objects[typ])
			}
			if n != 20 {
				t.Fatalf("%d records for 20 touches", n)
			}
			for _, p := range f.objects["calls"] {
				if p["hs_call_disposition"] == "" && p["hs_call_title"] != "Call: sent" {
					t.Fatalf("call without disposition: %v", p)
				}
				if p["hs_call_duration"] != "90000" || p["hs_call_direction"] != "OUTBOUND" {
					t.Fatalf("call props %v", p)
				}
			}
		})
	}
}

func TestResetAfterApplyNoDuplicate(t *testing.T) {
	f := newFake(t)
	c := f.client(t, Options{})
	ctx := context.Background()
	if _, err := c.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	// apply the create, then cut the connection without a reply
	f.fault("/calls/batch/create", func(w http.ResponseWriter, r *http.Request) bool {
		rec := &discard{h: http.Header{}}
		f.serve(rec, r)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return true
	})
	in := touches(3)[:3]
	res, err := c.PushTouches(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	n := len(f.objects["calls"])
	f.mu.Unlock()
	if n != 3 || res[0].CRMID == "" {
		t.Fatalf("%d calls after a reset after apply (want 3), results %+v", n, res)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func TestRateLimitPolicies(t *testing.T) {
	f := newFake(t)
	f.put("owners", props{"email": "rep@acme.io"})
	var waited []time.Duration
	c := f.client(t, Options{Sleep: func(ctx context.Context, d time.Duration) error { waited = append(waited, d); return nil }})
	ctx := context.Background()
	limit := func(policy string, retryAfter string) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			write(w, 429, map[string]any{"status": "error", "message": "You have reached your " + strings.ToLower(policy) + " limit.",
				"errorType": "RATE_LIMIT", "policyName": policy})
			return true
		}
	}
	f.fault("/owners", limit("TEN_SECONDLY_ROLLING", ""))
	f.fault("/owners", limit("SECONDLY", "3"))
	if _, err := c.Connect(ctx, "rep@acme.io"); err != nil {
		t.Fatalf("after two 429s: %v", err)
	}
	if len(waited) < 2 || waited[0] != 10*time.Second || waited[1] != 3*time.Second {
		t.Fatalf("waits %v, want 10s then 3s", waited)
	}
	f.fault("/owners", limit("DAILY", ""))
	if _, err := c.Connect(ctx, "rep@acme.io"); !errors.Is(err, crmsync.ErrDailyLimit) {
		t.Fatalf("daily: %v", err)
	}
}

func TestServerErrorsRetryThenOffline(t *testing.T) {
	f := newFake(t)
	f.put("owners", props{"email": "rep@acme.io"})
	c := f.client(t, Options{MaxRetries: 3})
	ctx := context.Background()
	for _, code := range []int{500, 502, 503} {
		f.fault("/owners", func(w http.ResponseWriter, r *http.Request) bool { write(w, code, map[string]any{}); return true })
	}
	if _, err := c.Connect(ctx, "rep@acme.io"); err != nil {
		t.Fatalf("after 3 5xx: %v", err)
	}
	for range 4 {
		f.fault("/owners", func(w http.ResponseWriter, r *http.Request) bool { write(w, 503, map[string]any{}); return true })
	}
	_, err := c.Connect(ctx, "rep@acme.io")
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("storm: %v", err)
	}
	dead := f.client(t, Options{MaxRetries: 2})
	f.srv.Close()
	if _, err := dead.Connect(ctx, "rep@acme.io"); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("no server: %v", err)
	}
}

// A 200 that is not JSON is a protocol error; one whose JSON is cut off is
// asked again (a read), and gives the whole page.
func TestMalformedIsAProtocolErrorTruncatedIsRetried(t *testing.T) {
	for name, body := range map[string]string{
		"malformed": "<html>oops</html>",
		"truncated": `{"results":[{"id":"1","properties":{"name":"A`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.put("companies", props{"name": "A", "hubspot_owner_id": "7", "hs_lastmodifieddate": "1"})
			c := f.client(t, Options{})
			f.fault("/search", func(w http.ResponseWriter, r *http.Request) bool {
				w.WriteHeader(200)
				w.Write([]byte(body))
				return true
			})
			calls := 0
			err := c.Companies(context.Background(), "7", time.Time{}, func([]model.PulledCompany) error { calls++; return nil })
			if name == "truncated" {
				if err != nil || calls != 1 {
					t.Fatalf("err = %v (pages %d), want the page asked again", err, calls)
				}
				return
			}
			var pe *crmsync.ProtocolError
			if !errors.As(err, &pe) || calls != 0 {
				t.Fatalf("err = %v (pages %d), want a ProtocolError and no data", err, calls)
			}
		})
	}
}

func TestCancelStopsAtOnce(t *testing.T) {
	f := newFake(t)
	f.fault("/owners", func(w http.ResponseWriter, r *http.Request) bool { write(w, 503, nil); return true })
	ctx, cancel := context.WithCancel(context.Background())
	c := f.client(t, Options{Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }})
	if _, err := c.Connect(ctx, "rep@acme.io"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestUpdatesReportGoneItems(t *testing.T) {
	f := newFake(t)
	tk := f.put("tasks", props{"hs_task_status": "NOT_STARTED"})
	c := f.client(t, Options{})
	res, err := c.UpdateTasks(context.Background(), []crmsync.TaskUpdate{
		{OpID: "a", CRMID: tk, Status: model.TaskDone}, {OpID: "b", CRMID: "424242", Status: model.TaskSkipped}})
	if err != nil {
		t.Fatal(err)
	}
	var ie *crmsync.ItemError
	if res[0].Err != nil || res[0].CRMID != tk || !errors.As(res[1].Err, &ie) || !ie.Gone {
		t.Fatalf("results %+v", res)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.objects["tasks"][tk]["hs_task_status"] != "COMPLETED" {
		t.Fatalf("status not written")
	}
}

// TestLimiterKeepsUnderWindow bursts 300 requests on a fake clock (sleep
// advances it) and measures the busiest 10-second window.
func TestLimiterKeepsUnderWindow(t *testing.T) {
	f := newFake(t)
	f.put("owners", props{"email": "rep@acme.io"})
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	c := f.client(t, Options{PortalID: "1", Now: now, Sleep: func(ctx context.Context, d time.Duration) error {
		clock.Add(int64(d))
		return nil
	}})
	var stamps []time.Time
	for range 300 {
		if _, err := c.Connect(context.Background(), "rep@acme.io"); err != nil {
			t.Fatal(err)
		}
		stamps = append(stamps, now())
	}
	busiest := 0
	for i := range stamps {
		n := 0
		for j := i; j < len(stamps) && stamps[j].Sub(stamps[i]) < 10*time.Second; j++ {
			n++
		}
		busiest = max(busiest, n)
	}
	t.Logf("300 requests: busiest 10 s window held %d, total span %s", busiest, stamps[len(stamps)-1].Sub(stamps[0]))
	if busiest > 90 {
		t.Fatalf("busiest window %d > 90", busiest)
	}
}

// TestTokenNeverInErrors drives every error path it can and looks for the
// token in the text, with a server that echoes it.
func TestTokenNeverInErrors(t *testing.T) {
	f := newFake(t)
	echo := func(code int) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			write(w, code, map[string]any{"message": "bad: " + r.Header.Get("Authorization"),
				"errors": []map[string]any{{"context": map[string]any{"requiredScopes": []string{r.Header.Get("Authorization")}}}}})
			return true
		}
	}
	c := f.client(t, Options{MaxRetries: 1})
	ctx := context.Background()
	var errs []error
	for _, code := range []int{400, 401, 403, 404, 409, 500} {
		f.fault("/owners", echo(code))
		f.fault("/owners", echo(code))
		_, err := c.Connect(ctx, "x@y.z")
		errs = append(errs, err)
	}
	f.fault("/batch/update", echo(400))
	res, err := c.UpdateCompanies(ctx, []crmsync.CompanyUpdate{{OpID: "a", CRMID: "1", Status: model.StatusWorking}})
	errs = append(errs, err)
	for _, r := range res {
		errs = append(errs, r.Err)
	}
	f.fault("/search", func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(200)
		w.Write([]byte(`{"results": "` + r.Header.Get("Authorization")))
		return true
	})
	errs = append(errs, c.Companies(ctx, "7", time.Time{}, func([]model.PulledCompany) error { return nil }))
	f.srv.Close()
	_, err = c.Connect(ctx, "x@y.z")
	errs = append(errs, err)
	n := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		n++
		if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("token in error: %v", err)
		}
	}
	if n < 8 {
		t.Fatalf("only %d errors produced: %v", n, errs)
	}
}

func TestUpdateContactsConsent(t *testing.T) {
	f := newFake(t)
	a := f.put("contacts", props{"email": "a@x.io"})
	b := f.put("contacts", props{"email": "b@x.io", "hs_email_optout": "true"})
	c := f.client(t, Options{})
	out := model.Consent{State: model.ConsentOptedOut}
	res, err := c.UpdateContacts(context.Background(), []crmsync.ContactUpdate{
		{OpID: "1", CRMID: a, Consent: model.Consents{Email: out, Call: out}, PhoneBad: true},
		{OpID: "2", CRMID: b, Consent: model.Consents{Email: out}},
		{OpID: "3", CRMID: "31337", Consent: model.Consents{Email: out}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ie *crmsync.ItemError
	if res[0].Err != nil || res[1].Err != nil || !errors.As(res[2].Err, &ie) || !ie.Gone {
		t.Fatalf("results %+v", res)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.objects["contacts"][a]
	if p["hs_email_optout"] != "true" || p[propDoNotCall] != "true" || p[propPhoneBad] != "true" || p[propNoLinkedIn] != "false" {
		t.Fatalf("contact a: %v", p)
	}
}

func TestCallDispositions(t *testing.T) {
	f := newFake(t)
	f.unique = true
	c := f.client(t, Options{})
	want := map[model.Outcome]string{
		model.OutcomeNoAnswer: "73a0d17f-1163-4015-bdd5-ec830791da20", model.OutcomeBusy: "9d9162e7-6cf3-4944-bf63-4dff82258764",
		model.OutcomeLeftVoicemail: "b2cf5968-551e-4856-9783-52b3da59a7d0", model.OutcomeConnected: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
		model.OutcomeWrongNumber: "17b47fee-58de-441e-a44c-c6300d46f273", model.OutcomeNotInterested: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
		model.OutcomeSent: "",
	}
	for o, guid := range want {
		_, p, err := c.touchProps(context.Background(), crmsync.OutTouch{OpID: "x", Touch: model.Touch{Channel: model.ChannelCall, Outcome: o}})
		if err != nil || p["hs_call_disposition"] != guid {
			t.Fatalf("%s: disposition %q, want %q (%v)", o, p["hs_call_disposition"], guid, err)
		}
	}
}
