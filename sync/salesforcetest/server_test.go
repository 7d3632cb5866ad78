package salesforcetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type client struct {
	t   *testing.T
	s   *Server
	hc  *http.Client
	tok string
}

func newClient(t *testing.T, o Options) *client {
	s := NewUnstarted(o)
	return &client{t: t, s: s, hc: &http.Client{Transport: s.Transport()}, tok: s.AccessToken()}
}

func (c *client) do(method, path string, body any, hdr ...string) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://127.0.0.1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (c *client) soql(q string, hdr ...string) (int, map[string]any, []byte) {
	c.t.Helper()
	st, _, b := c.do("GET", "/services/data/v60.0/query?q="+url.QueryEscape(q), nil, hdr...)
	var m map[string]any
	json.Unmarshal(b, &m)
	return st, m, b
}

func errorCode(b []byte) string {
	var e []struct {
		ErrorCode string `json:"errorCode"`
	}
	if json.Unmarshal(b, &e) != nil || len(e) == 0 {
		return ""
	}
	return e[0].ErrorCode
}

func TestSOQLRefusesWhatItDoesNotParse(t *testing.T) {
	c := newClient(t, Options{})
	for _, tc := range []struct{ name, q, code string }{
		{"not select", "DELETE FROM Account", "MALFORMED_QUERY"},
		{"mixed and or", "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "MALFORMED_QUERY"},
		{"quoted datetime", "SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01T00:00:00Z'", "INVALID_FIELD"},
		{"unknown field", "SELECT Id, Nope__c FROM Account", "INVALID_FIELD"},
		{"unknown object", "SELECT Id FROM Opportunityx", "INVALID_TYPE"},
		{"offset", "SELECT Id FROM Account OFFSET 10", "MALFORMED_QUERY"},
		{"unterminated", "SELECT Id FROM Account WHERE Name = 'a", "MALFORMED_QUERY"},
		{"group by", "SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, b := c.soql(tc.q)
			if st != 400 || errorCode(b) != tc.code {
				t.Fatalf("got %d %s, want 400 %s", st, b, tc.code)
			}
		})
	}
}

func TestQueryFiltersOrdersAndPages(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	clock := now
	c := newClient(t, Options{MaxBatch: 3, Now: func() time.Time { return clock }})
	other := c.s.AddUser("other@example.com", "Other")
	var mine []string
	for i := range 7 {
		if i%3 == 0 {
			clock = clock.Add(time.Second) // ties share a stamp
		}
		mine = append(mine, c.s.Put("Account", Record{"Name": "A" + string(rune('a'+i))}))
	}
	c.s.Put("Account", Record{"Name": "theirs", "OwnerId": other})
	q := "SELECT Id, Name FROM Account WHERE OwnerId = '" + c.s.UserID() + "' AND (Name != 'Ab' OR Name = 'zz') AND SystemModstamp >= " +
		now.Format("2006-01-02T15:04:05Z") + " ORDER BY SystemModstamp, Id"
	st, page, b := c.soql(q)
	if st != 200 {
		t.Fatalf("query: %d %s", st, b)
	}
	var got []string
	for {
		for _, r := range page["records"].([]any) {
			got = append(got, r.(map[string]any)["Id"].(string))
		}
		if page["done"] == true {
			break
		}
		next := page["nextRecordsUrl"].(string)
		_, _, b := c.do("GET", next, nil)
		page = nil
		json.Unmarshal(b, &page)
	}
	want := append([]string{mine[0]}, mine[2:]...)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestQueryAllSeesDeleted(t *testing.T) {
	c := newClient(t, Options{})
	id := c.s.Put("Account", Record{"Name": "gone"})
	c.s.Delete(id)
	if _, p, _ := c.soql("SELECT Id FROM Account WHERE Id IN ('" + id + "')"); p["totalSize"].(float64) != 0 {
		t.Fatalf("query sees a deleted record: %v", p)
	}
	_, _, b := c.do("GET", "/services/data/v60.0/queryAll?q="+url.QueryEscape("SELECT Id, IsDeleted FROM Account WHERE Id IN ('"+id+"')"), nil)
	if !strings.Contains(string(b), `"IsDeleted":true`) {
		t.Fatalf("queryAll: %s", b)
	}
}

func TestUpsertByExternalIDIsIdempotentWithPerItemErrors(t *testing.T) {
	c := newClient(t, Options{})
	acct := c.s.Put("Account", Record{"Name": "Acme"})
	gone := c.s.Put("Account", Record{"Name": "Gone"})
	c.s.Delete(gone)
	body := map[string]any{"allOrNone": false, "records": []map[string]any{
		{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-1", "Subject": "Call", "Status": "Completed", "TaskSubtype": "Call", "WhatId": acct},
		{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-2", "Status": "Done-ish"},
		{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-3", "IsClosed": true},
		{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-4", "WhatId": gone},
	}}
	st, _, b := c.do("PATCH", "/services/data/v60.0/composite/sobjects/Task/"+OpIDField, body)
	var res []struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
		Created bool   `json:"created"`
		Errors  []struct {
			StatusCode string `json:"statusCode"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &res); st != 200 || err != nil || len(res) != 4 {
		t.Fatalf("upsert: %d %s", st, b)
	}
	if !res[0].Success || !res[0].Created {
		t.Fatalf("first item: %+v", res[0])
	}
	for i, code := range []string{"", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "INVALID_FIELD_FOR_INSERT_UPDATE", "ENTITY_IS_DELETED"} {
		if i > 0 && (res[i].Success || res[i].Errors[0].StatusCode != code) {
			t.Errorf("item %d: %+v, want %s", i, res[i], code)
		}
	}
	if r, _ := c.s.Get(res[0].ID); r["IsClosed"] != true || r["AccountId"] != acct {
		t.Fatalf("derived fields: %v", r)
	}
	// Again: the same record, not a second one. TaskSubtype is create-only,
	// so a resend without it matches and updates.
	again := map[string]any{"records": []map[string]any{{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-1", "Subject": "Call"}}}
	_, _, b = c.do("PATCH", "/services/data/v60.0/composite/sobjects/Task/"+OpIDField, again)
	if !strings.Contains(string(b), res[0].ID) || !strings.Contains(string(b), `"created":false`) || len(c.s.Records("Task")) != 1 {
		t.Fatalf("resend: %s, %d tasks", b, len(c.s.Records("Task")))
	}
	if st, _, b := c.do("PATCH", "/services/data/v60.0/composite/sobjects/Task/Nope__c", again); st != 404 || errorCode(b) != "NOT_FOUND" {
		t.Fatalf("missing external id field: %d %s", st, b)
	}
	many := map[string]any{"records": make([]map[string]any, 201)}
	if st, _, b := c.do("PATCH", "/services/data/v60.0/composite/sobjects/Task/"+OpIDField, many); st != 400 || errorCode(b) != "EXCEEDED_ID_LIMIT" {
		t.Fatalf("201 records: %d %s", st, b)
	}
}

func TestMissingCustomFieldIsAbsentFromDescribe(t *testing.T) {
	c := newClient(t, Options{Missing: []string{"Task." + OpIDField}})
	_, _, b := c.do("GET", "/services/data/v60.0/sobjects/Task/describe", nil)
	if strings.Contains(string(b), OpIDField) {
		t.Fatal("describe lists a missing field")
	}
	_, _, b = c.do("GET", "/services/data/v60.0/sobjects/Event/describe", nil)
	if !strings.Contains(string(b), OpIDField) {
		t.Fatal("describe lacks a present field")
	}
}

func TestSessionExpiryRefreshAndDailyLimit(t *testing.T) {
	c := newClient(t, Options{DailyLimit: 3})
	st, h, _ := c.do("GET", "/services/data/v60.0/limits", nil)
	if st != 200 || h.Get("Sforce-Limit-Info") != "api-usage=1/3" {
		t.Fatalf("limits: %d %q", st, h.Get("Sforce-Limit-Info"))
	}
	c.s.ExpireSession()
	if st, _, b := c.do("GET", "/services/data/v60.0/limits", nil); st != 401 || errorCode(b) != "INVALID_SESSION_ID" {
		t.Fatalf("expired: %d %s", st, b)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"app"}, "refresh_token": {c.s.RefreshToken()}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1/services/oauth2/token", strings.NewReader(form.Encode()))
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	c.tok = tok.AccessToken
	c.do("GET", "/services/data/v60.0/limits", nil)
	c.do("GET", "/services/data/v60.0/limits", nil)
	st, h, b := c.do("GET", "/services/data/v60.0/limits", nil)
	if st != 403 || errorCode(b) != "REQUEST_LIMIT_EXCEEDED" || h.Get("Sforce-Limit-Info") != "api-usage=3/3" {
		t.Fatalf("over the limit: %d %s %q", st, b, h.Get("Sforce-Limit-Info"))
	}
}

func TestFaults(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(Fault{Path: "/limits", Kind: FaultStatus, Code: 503})
	if st, _, b := c.do("GET", "/services/data/v60.0/limits", nil); st != 503 || errorCode(b) != "SERVER_UNAVAILABLE" {
		t.Fatalf("503: %d %s", st, b)
	}
	c.s.Inject(Fault{Path: "/composite/", Kind: FaultResetAfterApply})
	body := map[string]any{"records": []map[string]any{{"attributes": map[string]string{"type": "Task"}, OpIDField: "op-9", "Subject": "x"}}}
	req, _ := http.NewRequest("PATCH", "http://127.0.0.1/services/data/v60.0/composite/sobjects/Task/"+OpIDField, strings.NewReader(mustJSON(body)))
	req.Header.Set("Authorization", "Bearer "+c.tok)
	if _, err := c.hc.Do(req); err == nil {
		t.Fatal("a cut connection answered")
	}
	if len(c.s.Records("Task")) != 1 {
		t.Fatal("the write was not applied before the cut")
	}
	c.s.Inject(Fault{Path: "/limits", Kind: FaultTruncated})
	req, _ = http.NewRequest("GET", "http://127.0.0.1/services/data/v60.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+c.tok)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("a truncated body read whole")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestWritesCheckRequiredReadOnlyAndEvents(t *testing.T) {
	c := newClient(t, Options{})
	acct := c.s.Put("Account", Record{"Name": "Acme"})
	task := c.s.Put("Task", Record{"Subject": "x", "WhatId": acct})
	// Update by id: a read-only field, a create-only one, a deleted record.
	gone := c.s.Put("Task", Record{"Subject": "y"})
	c.s.Delete(gone)
	body := map[string]any{"records": []map[string]any{
		{"attributes": map[string]string{"type": "Task"}, "id": task, "Status": "Completed"},
		{"attributes": map[string]string{"type": "Task"}, "id": task, "AccountId": acct},
		{"attributes": map[string]string{"type": "Task"}, "id": task, "TaskSubtype": "Call"},
		{"attributes": map[string]string{"type": "Task"}, "id": gone, "Status": "Completed"},
		{"attributes": map[string]string{"type": "Account"}, "id": task, "Name": "wrong type"},
		{"attributes": map[string]string{"type": "Account"}, "id": acct, "Name": nil},
	}}
	_, _, b := c.do("PATCH", "/services/data/v60.0/composite/sobjects", body)
	var res []struct {
		Success bool `json:"success"`
		Errors  []struct {
			StatusCode string `json:"statusCode"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res) != 6 {
		t.Fatalf("update: %s", b)
	}
	want := []string{"", "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD_FOR_INSERT_UPDATE", "ENTITY_IS_DELETED", "MALFORMED_ID", "REQUIRED_FIELD_MISSING"}
	for i, w := range want {
		got := ""
		if !res[i].Success {
			got = res[i].Errors[0].StatusCode
		}
		if got != w {
			t.Errorf("item %d: %q, want %q", i, got, w)
		}
	}
	if r, _ := c.s.Get(task); !r.Bool("IsClosed") {
		t.Fatal("the completed task is not closed")
	}
	// An unknown field refuses the whole request.
	bad := map[string]any{"records": []map[string]any{{"attributes": map[string]string{"type": "Task"}, "id": task, "Nope__c": 1}}}
	if st, _, b := c.do("PATCH", "/services/data/v60.0/composite/sobjects", bad); st != 400 || errorCode(b) != "INVALID_FIELD" {
		t.Fatalf("unknown field: %d %s", st, b)
	}
	// An Event needs its start and a duration or end; the end follows.
	ev := map[string]any{"records": []map[string]any{
		{"attributes": map[string]string{"type": "Event"}, OpIDField: "e1", "Subject": "no start"},
		{"attributes": map[string]string{"type": "Event"}, OpIDField: "e2", "StartDateTime": "2026-12-05T10:00:00.000Z", "DurationInMinutes": 45},
	}}
	_, _, b = c.do("PATCH", "/services/data/v60.0/composite/sobjects/Event/"+OpIDField, ev)
	if !strings.Contains(string(b), "REQUIRED_FIELD_MISSING") || len(c.s.Records("Event")) != 1 {
		t.Fatalf("events: %s", b)
	}
	if e := c.s.Records("Event")[0]; !strings.HasPrefix(e.Str("EndDateTime"), "2026-12-05T10:45:00") || e.Str("AccountId") != "" {
		t.Fatalf("event: %v", e)
	}
}

func TestQueryLocatorAndBatchSize(t *testing.T) {
	c := newClient(t, Options{})
	for range 450 {
		c.s.Put("Contact", Record{"LastName": "x"})
	}
	// A client's batch size is clamped to Salesforce's 200–2000.
	_, page, _ := c.soql("SELECT Id FROM Contact", "Sforce-Query-Options", "batchSize=50")
	if n := len(page["records"].([]any)); n != 200 || page["totalSize"].(float64) != 450 {
		t.Fatalf("first batch %d of %v", n, page["totalSize"])
	}
	next := page["nextRecordsUrl"].(string)
	if !strings.HasPrefix(next, "/services/data/v60.0/query/01g") || !strings.HasSuffix(next, "-200") {
		t.Fatalf("nextRecordsUrl %q", next)
	}
	if st, _, b := c.do("GET", "/services/data/v60.0/query/01gnope-200", nil); st != 400 || errorCode(b) != "INVALID_QUERY_LOCATOR" {
		t.Fatalf("bad locator: %d %s", st, b)
	}
	if st, _, b := c.soql("SELECT Id FROM Contact LIMIT 3"); st != 200 || !strings.Contains(string(b), `"totalSize":3`) {
		t.Fatalf("limit: %d %s", st, b)
	}
}
