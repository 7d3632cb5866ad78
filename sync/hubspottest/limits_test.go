package hubspottest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"
)

func TestTenSecondRateLimit(t *testing.T) {
	c := newClock()
	s := NewServer(Options{RateLimit: 5, Now: c.Now})
	defer s.Close()
	for i := range 5 {
		r := call(t, s, "GET", "/crm/v3/objects/companies", nil).want(t, 200)
		if got := r.Header.Get("X-HubSpot-RateLimit-Remaining"); got != fmt.Sprint(4-i) {
			t.Fatalf("request %d: remaining %q", i, got)
		}
		if r.Header.Get("X-HubSpot-RateLimit-Max") != "5" || r.Header.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" {
			t.Fatalf("headers %v", r.Header)
		}
		c.Add(time.Second)
	}
	r := call(t, s, "GET", "/crm/v3/objects/companies", nil).want(t, 429)
	if r.str(t, "policyName") != "TEN_SECONDLY_ROLLING" || r.str(t, "errorType") != "RATE_LIMIT" ||
		r.str(t, "message") != "You have reached your ten_secondly_rolling limit." || r.str(t, "correlationId") == "" || r.str(t, "status") != "error" {
		t.Fatalf("429 body: %s", r.Raw)
	}
	if r.Header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers %v", r.Header)
	}
	// search and v4 association batches are exempt from the ten-second limit
	call(t, s, "POST", "/crm/v3/objects/companies/search", map[string]any{}).want(t, 200)
	r = call(t, s, "POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []any{}}).want(t, 200)
	if r.Header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Fatalf("an exempt call's headers misstate the window: %v", r.Header)
	}
	// the window rolls: the first request (at +0 s) leaves it at +10 s
	c.Add(5 * time.Second)
	call(t, s, "GET", "/crm/v3/objects/companies", nil).want(t, 200)
	call(t, s, "GET", "/crm/v3/objects/companies", nil).want(t, 429)
}

func TestSearchRateLimitAndDailyCap(t *testing.T) {
	c := newClock()
	s := NewServer(Options{RateLimit: -1, SearchPerSecond: 2, DailyLimit: 6, Now: c.Now})
	defer s.Close()
	for range 2 {
		r := call(t, s, "POST", "/crm/v3/objects/contacts/search", map[string]any{}).want(t, 200)
		if r.Header.Get("X-HubSpot-RateLimit-Daily") != "" || r.Header.Get("X-HubSpot-RateLimit-Remaining") != "" {
			t.Fatalf("search replies carry rate-limit headers: %v", r.Header)
		}
	}
	r := call(t, s, "POST", "/crm/v3/objects/contacts/search", map[string]any{}).want(t, 429)
	if r.str(t, "policyName") != "SECONDLY" || r.str(t, "message") != "You have reached your secondly limit." {
		t.Fatalf("search 429: %s", r.Raw)
	}
	c.Add(time.Second)
	call(t, s, "POST", "/crm/v3/objects/contacts/search", map[string]any{}).want(t, 200)
	for i := range 3 { // 3 searches so far count against the day
		r := call(t, s, "GET", "/crm/v3/objects/contacts", nil).want(t, 200)
		if got := r.Header.Get("X-HubSpot-RateLimit-Daily-Remaining"); got != fmt.Sprint(2-i) {
			t.Fatalf("daily remaining %q at %d", got, i)
		}
		if r.Header.Get("X-HubSpot-RateLimit-Daily") != "6" || r.Header.Get("X-HubSpot-RateLimit-Max") != "" {
			t.Fatalf("headers %v", r.Header)
		}
	}
	r = call(t, s, "GET", "/crm/v3/objects/contacts", nil).want(t, 429)
	if r.str(t, "policyName") != "DAILY" {
		t.Fatalf("daily 429: %s", r.Raw)
	}
	c.Add(24 * time.Hour)
	call(t, s, "GET", "/crm/v3/objects/contacts", nil).want(t, 200)
}

func TestFaultStatusAfterAndTimes(t *testing.T) {
	s := newTest(t, Options{})
	s.Inject(Fault{Method: "POST", Path: "/crm/v3/objects/calls", Kind: FaultStatus, Code: 502, After: 1, Times: 2})
	body := map[string]any{"properties": map[string]string{"hs_timestamp": "1"}}
	call(t, s, "GET", "/crm/v3/objects/calls", nil).want(t, 200) // another method: not matched
	call(t, s, "POST", "/crm/v3/objects/calls", body).want(t, 201)
	r := call(t, s, "POST", "/crm/v3/objects/calls", body).want(t, 502)
	if r.str(t, "category") == "" || r.str(t, "correlationId") == "" {
		t.Fatalf("5xx body %s", r.Raw)
	}
	call(t, s, "POST", "/crm/v3/objects/calls", body).want(t, 502)
	call(t, s, "POST", "/crm/v3/objects/calls", body).want(t, 201)
	if n := len(s.List("calls")); n != 2 {
		t.Fatalf("%d calls: a failed request was applied", n)
	}
	s.Inject(Fault{Kind: FaultStatus, Code: 503, Times: -1})
	for range 3 {
		call(t, s, "GET", "/crm/v3/owners", nil).want(t, 503)
	}
	s.ClearFaults()
	call(t, s, "GET", "/crm/v3/owners", nil).want(t, 200)
}

// post sends a request with a plain client and returns its error.
func post(s *Server, client *http.Client, path, body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", s.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, raw, err
}

func TestFaultResets(t *testing.T) {
	s := newTest(t, Options{})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	body := `{"properties":{"name":"Cut"},"associations":[]}`
	s.Inject(Fault{Path: "/crm/v3/objects/companies", Kind: FaultReset})
	if _, _, err := post(s, client, "/crm/v3/objects/companies", body); err == nil {
		t.Fatal("a reset request got a reply")
	}
	if n := len(s.List("companies")); n != 0 {
		t.Fatal("FaultReset applied the write")
	}
	s.Inject(Fault{Path: "/crm/v3/objects/companies", Kind: FaultResetAfterApply})
	if _, _, err := post(s, client, "/crm/v3/objects/companies", body); err == nil {
		t.Fatal("a reset-after-apply request got a reply")
	}
	if n := len(s.List("companies")); n != 1 {
		t.Fatalf("FaultResetAfterApply: %d companies, want the write applied", n)
	}
	log := s.Requests()
	if log[0].Status != 0 || log[1].Status != 0 {
		t.Fatalf("cut requests logged with a status: %+v", log)
	}

	// Go may replay a GET cut on a reused connection once, on a new
	// connection; a fault of two times reaches the client all the same.
	keep := &http.Client{Transport: &http.Transport{}}
	get := func() error {
		req, _ := http.NewRequest("GET", s.URL()+"/crm/v3/owners", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		res, err := keep.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return err
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	s.Inject(Fault{Method: "GET", Kind: FaultReset, Times: 2})
	if err := get(); err == nil {
		t.Fatal("a GET cut on a reused connection got a reply")
	}
	if err := get(); err != nil {
		t.Fatalf("the fault outlived its two times: %v", err)
	}
}

func TestFaultSlowHonoursContext(t *testing.T) {
	s := NewServer(Options{})
	s.Inject(Fault{Kind: FaultSlow, Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/crm/v3/owners", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a stalled request did not time out")
	}
	// Close waits for running handlers: the stalled one must end with the
	// client's context, not after its 5 s.
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the stalled handler outlived its client by %v", d)
	}
	if log := s.Requests(); len(log) != 1 || log[0].Status != 0 {
		t.Fatalf("log %+v", log)
	}

	s2 := newTest(t, Options{})
	s2.Inject(Fault{Kind: FaultSlow, Delay: 30 * time.Millisecond})
	start = time.Now()
	call(t, s2, "GET", "/crm/v3/owners", nil).want(t, 200)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("slow fault took %v", d)
	}
}

func TestFaultMalformedTruncatedRateLimit(t *testing.T) {
	s := newTest(t, Options{})
	client := http.DefaultClient
	s.Inject(Fault{Kind: FaultMalformed})
	res, raw, err := post(s, client, "/crm/v3/objects/companies", `{"properties":{"name":"M"},"associations":[]}`)
	if err != nil || res.StatusCode != 200 || json.Valid(raw) {
		t.Fatalf("malformed: %v %v %s", err, res, raw)
	}
	if len(s.List("companies")) != 0 {
		t.Fatal("a malformed reply applied the write")
	}
	s.Inject(Fault{Kind: FaultTruncated})
	res, raw, err = post(s, client, "/crm/v3/objects/companies", `{"properties":{"name":"T"},"associations":[]}`)
	if err != nil || res.StatusCode != 200 || json.Valid(raw) || !strings.HasPrefix(string(raw), `{"`) {
		t.Fatalf("truncated: %v %v %s", err, res, raw)
	}
	if len(s.List("companies")) != 1 {
		t.Fatal("a truncated reply did not apply the write")
	}
	for _, policy := range []string{"TEN_SECONDLY_ROLLING", "SECONDLY", "DAILY"} {
		s.Inject(Fault{Kind: FaultRateLimit, Policy: policy})
		r := call(t, s, "GET", "/crm/v3/owners", nil).want(t, 429)
		if r.str(t, "policyName") != policy || r.str(t, "errorType") != "RATE_LIMIT" {
			t.Fatalf("%s: %s", policy, r.Raw)
		}
	}
}

func TestInProcessTransport(t *testing.T) {
	s := NewUnstartedHandler(Options{})
	client := &http.Client{Transport: s.Transport()}
	s.AddOwner("rep@x.test", "Rep", "One")
	req, _ := http.NewRequest("GET", s.URL()+"/crm/v3/owners?email=rep@x.test", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(raw), `"email":"rep@x.test"`) {
		t.Fatalf("in-process: %d %s", res.StatusCode, raw)
	}
	s.Inject(Fault{Kind: FaultResetAfterApply})
	_, _, err = post(s, client, "/crm/v3/objects/companies", `{"properties":{"name":"X"},"associations":[]}`)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("in-process reset: %v", err)
	}
	if len(s.List("companies")) != 1 {
		t.Fatal("in-process reset-after-apply did not apply")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newTest(t, Options{UniqueOnEngagements: true})
	call(t, s, "POST", "/crm/v3/properties/notes", map[string]any{"name": "op", "label": "op", "type": "string", "fieldType": "text", "groupName": "noteinformation", "hasUniqueValue": true}).want(t, 201)
	co := s.Put("companies", map[string]string{"name": "Hub"})
	var wg gosync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				// every worker upserts the same 20 operation ids
				body := fmt.Sprintf(`{"inputs":[{"idProperty":"op","id":"op-%d","properties":{"hs_timestamp":"1","hs_note_body":"w%d"}}]}`, i, w)
				res, raw, err := post(s, http.DefaultClient, "/crm/v3/objects/notes/batch/upsert", body)
				if err != nil || res.StatusCode != 200 {
					errs <- fmt.Errorf("upsert: %v %s", err, raw)
					return
				}
				if _, _, err := post(s, http.DefaultClient, "/crm/v3/objects/notes/search", `{"limit":5,"filterGroups":[],"sorts":[],"properties":[]}`); err != nil {
					errs <- err
					return
				}
				ct := s.Put("contacts", map[string]string{"email": fmt.Sprintf("w%d-%d@x.test", w, i)})
				if err := s.Associate("contacts", ct, "companies", co); err != nil {
					errs <- err
					return
				}
				_ = s.Requests()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(s.List("notes")); n != 20 {
		t.Fatalf("%d notes from 20 operation ids upserted by 8 workers", n)
	}
	if n := len(s.AssociatedIDs("companies", co, "contacts")); n != 160 {
		t.Fatalf("%d contacts associated, want 160", n)
	}
}

func TestDeniedScopes(t *testing.T) {
	s := newTest(t, Options{DeniedScopes: []string{"crm.schemas.calls.write", "communication_preferences.write"}})
	r := call(t, s, "POST", "/crm/v3/properties/calls", map[string]any{"name": "op", "label": "op", "type": "string", "fieldType": "text", "groupName": "callinformation"}).want(t, 403)
	if r.str(t, "category") != "MISSING_SCOPES" {
		t.Fatalf("403 body %s", r.Raw)
	}
	if got := r.list(t, "errors.0.context.requiredGranularScopes"); len(got) != 1 || got[0] != "crm.schemas.calls.write" {
		t.Fatalf("403 names %v", got)
	}
	call(t, s, "GET", "/crm/v3/properties/calls/hs_timestamp", nil).want(t, 200)
	call(t, s, "POST", "/crm/v3/properties/notes", map[string]any{"name": "op", "label": "op", "type": "string", "fieldType": "text", "groupName": "noteinformation"}).want(t, 201)
	call(t, s, "POST", "/communication-preferences/v3/unsubscribe", map[string]any{"emailAddress": "a@b.c", "subscriptionId": "1"}).want(t, 403)
}
