package salesforce_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

var ctx = context.Background()

func newClient(t *testing.T, srv *sft.Server, mod func(*salesforce.Options)) *salesforce.Client {
	t.Helper()
	o := salesforce.Options{
		InstanceURL: srv.URL(), LoginURL: srv.URL(), ClientID: "app", AccessToken: srv.AccessToken(),
		HTTPClient: &http.Client{Transport: srv.Transport()},
		Sleep:      func(context.Context, time.Duration) error { return nil },
	}
	if mod != nil {
		mod(&o)
	}
	c, err := salesforce.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRefusesPlainHTTPAndOldVersions(t *testing.T) {
	for _, tc := range []struct{ name, inst, ver, want string }{
		{"plain http", "http://acme.my.salesforce.com", "", "refusing plain http"},
		{"no instance", "", "", "instance_url"},
		{"a path", "https://acme.my.salesforce.com/services", "", "host only"},
		{"old version", "https://acme.my.salesforce.com", "v45.0", "too old"},
		{"garbage version", "https://acme.my.salesforce.com", "latest", "not a version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := salesforce.New(salesforce.Options{InstanceURL: tc.inst, APIVersion: tc.ver, AccessToken: "tok"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := salesforce.New(salesforce.Options{InstanceURL: "http://127.0.0.1:8080", APIVersion: "61.0", AccessToken: "tok"}); err != nil {
		t.Fatalf("loopback http: %v", err)
	}
}

func TestConnectFindsTheRep(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	c := newClient(t, srv, nil)
	o, err := c.Connect(ctx, "")
	if err != nil || o.ID != srv.UserID() || o.Email != "rep@example.com" || o.Name != "Rep Example" {
		t.Fatalf("connect: %+v %v", o, err)
	}
	_, err = c.Connect(ctx, "someone.else@example.com")
	var uo *crmsync.UnknownOwnerError
	if !errors.Is(err, crmsync.ErrUnknownOwner) || !errors.As(err, &uo) || uo.Login != "rep@example.com" || uo.Email != "someone.else@example.com" {
		t.Fatalf("a token of another user: %v", err)
	}
}

func TestCompaniesIncrementalPagedWithFirmographics(t *testing.T) {
	clock := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	srv := sft.NewUnstarted(sft.Options{MaxBatch: 2, Now: func() time.Time { return clock }})
	other := srv.AddUser("jordan@example.com", "Jordan")
	first := srv.Put("Account", sft.Record{"Name": "Acme", "Website": "https://www.Acme.com/about", "Industry": "Software",
		"NumberOfEmployees": 250.0, "AnnualRevenue": 12e6, "BillingCountry": "DE", "BillingState": "BY", "BillingCity": "Munich"})
	var ids []string
	for _, n := range []string{"B", "C", "D", "E"} {
		ids = append(ids, srv.Put("Account", sft.Record{"Name": n})) // all share one stamp: ties by Id
	}
	srv.Put("Account", sft.Record{"Name": "Theirs", "OwnerId": other})
	c := newClient(t, srv, nil)
	var pages [][]model.PulledCompany
	err := c.Companies(ctx, srv.UserID(), time.Time{}, func(p []model.PulledCompany) error {
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pages {
		for _, rc := range p {
			got = append(got, rc.Account.CRMID)
		}
	}
	want := append([]string{first}, ids...)
	if len(pages) != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages %v, want 3 pages %v", len(pages), got, want)
	}
	a := pages[0][0].Account
	if a.Domain != "acme.com" || a.Industry != "Software" || *a.Employees != 250 || *a.AnnualRevenue != 12_000_000 ||
		a.Country != "DE" || a.Region != "BY" || a.City != "Munich" || !strings.HasSuffix(a.CRMURL, "/lightning/r/Account/"+first+"/view") {
		t.Fatalf("mapping: %+v", a)
	}
	// Incremental: only what changed at or after the cursor.
	clock = clock.Add(time.Hour)
	srv.Update(ids[2], sft.Record{"Name": "D2"})
	got = nil
	err = c.Companies(ctx, srv.UserID(), clock, func(p []model.PulledCompany) error {
		for _, rc := range p {
			got = append(got, rc.Account.Name)
		}
		return nil
	})
	if err != nil || strings.Join(got, ",") != "D2" {
		t.Fatalf("incremental: %v %v", got, err)
	}
}

func TestDepartedFindsReassignedAndDeleted(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	other := srv.AddUser("jordan@example.com", "Jordan")
	keep := srv.Put("Account", sft.Record{"Name": "Keep"})
	moved := srv.Put("Account", sft.Record{"Name": "Moved"})
	binned := srv.Put("Account", sft.Record{"Name": "Binned"})
	purged := srv.Put("Account", sft.Record{"Name": "Purged"})
	srv.Update(moved, sft.Record{"OwnerId": other})
	srv.Delete(binned)
	srv.Purge(purged)
	c := newClient(t, srv, nil)
	deps, err := c.Departed(ctx, srv.UserID(), []string{keep, moved, binned, purged})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.DepartedCompany{{CompanyID: moved, Owner: other}, {CompanyID: binned, Deleted: true}, {CompanyID: purged, Deleted: true}}
	if len(deps) != 3 || deps[0] != want[0] || deps[1] != want[1] || deps[2] != want[2] {
		t.Fatalf("departed %+v, want %+v", deps, want)
	}
}

func TestContactsAndTasksPull(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	acct := srv.Put("Account", sft.Record{"Name": "Acme"})
	ct := srv.Put("Contact", sft.Record{"AccountId": acct, "FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@acme.com",
		"HasOptedOutOfEmail": true, "DoNotCall": false, sft.NoLinkedIn: true, sft.PhoneBadField: true, "MobilePhone": "+49 1"})
	open := srv.Put("Task", sft.Record{"Subject": "Call Ada", "WhoId": ct, "TaskSubtype": "Call", "Priority": "High", "ActivityDate": "2026-12-05"})
	srv.Put("Task", sft.Record{"Subject": "done long ago", "WhatId": acct, "Status": "Completed"})
	srv.Put("Task", sft.Record{"Subject": "logged", "WhatId": acct, "Status": "Completed", sft.OpIDField: "touch-abc"})
	c := newClient(t, srv, nil)
	cs, ts, err := c.ContactsTasks(ctx, []string{acct})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].CompanyIDs[0] != acct {
		t.Fatalf("contacts %+v", cs)
	}
	got := cs[0].Contact
	if !got.Consent.Email.OptedOut() || got.Consent.Call.OptedOut() || !got.Consent.LinkedIn.OptedOut() || !got.PhoneBad || got.Phone != "+49 1" {
		t.Fatalf("consent mapping: %+v", got)
	}
	if len(ts) != 1 || ts[0].Task.CRMID != open || ts[0].CompanyID != acct || ts[0].ContactID != ct ||
		ts[0].Task.Kind != model.TaskCall || ts[0].Task.Priority != model.PriorityHigh || ts[0].Task.Due.Format("2006-01-02") != "2026-12-05" {
		t.Fatalf("open tasks %+v", ts)
	}
	// Changed since: closed tasks too, never a logged touch.
	ts, err = c.Tasks(ctx, []string{acct}, time.Now().Add(-time.Hour))
	if err != nil || len(ts) != 2 {
		t.Fatalf("changed tasks: %d %v", len(ts), err)
	}
	srv.Delete(open)
	gone, err := c.DeletedTasks(ctx, []string{open, ts[1].Task.CRMID})
	if err != nil || len(gone) != 1 || gone[0] != open {
		t.Fatalf("deleted tasks %v %v", gone, err)
	}
}

func seedPush(srv *sft.Server) (acct, ct string) {
	acct = srv.Put("Account", sft.Record{"Name": "Acme"})
	ct = srv.Put("Contact", sft.Record{"AccountId": acct, "LastName": "Lovelace"})
	return acct, ct
}

func touches(acct, ct, owner string) []crmsync.OutTouch {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	return []crmsync.OutTouch{
		{OpID: "op-call", ContactID: ct, CompanyID: acct, OwnerID: owner, Touch: model.Touch{Channel: model.ChannelCall, Direction: model.Outbound,
			Outcome: model.OutcomeConnected, At: at, Duration: 95 * time.Second, Note: "talked budget"}},
		{OpID: "op-email", ContactID: ct, CompanyID: acct, OwnerID: owner, Touch: model.Touch{Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: at}},
		{OpID: "op-meet", ContactID: ct, CompanyID: acct, OwnerID: owner, Touch: model.Touch{Channel: model.ChannelCall, Outcome: model.OutcomeMeetingBooked,
			At: at, MeetingAt: at.Add(48 * time.Hour)}},
	}
}

func TestPushTouchesMapsEachKind(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	acct, ct := seedPush(srv)
	c := newClient(t, srv, nil)
	res, err := c.PushTouches(ctx, touches(acct, ct, srv.UserID()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.CRMID == "" {
			t.Fatalf("result %+v", r)
		}
	}
	call, _ := srv.Get(res[0].CRMID)
	if call.Str("Status") != "Completed" || call.Str("TaskSubtype") != "Call" || call.Str("CallType") != "Outbound" ||
		call.Str("CallDisposition") != "connected" || call["CallDurationInSeconds"] != 95.0 || call.Str("ActivityDate") != "2026-12-03" ||
		call.Str("Description") != "talked budget" || call.Str("WhoId") != ct || call.Str("WhatId") != acct || !call.Bool("IsClosed") {
		t.Fatalf("call task: %v", call)
	}
	if email, _ := srv.Get(res[1].CRMID); email.Str("TaskSubtype") != "Email" {
		t.Fatalf("email task: %v", email)
	}
	meet, _ := srv.Get(res[2].CRMID)
	if !strings.HasPrefix(res[2].CRMID, "00U") || !strings.HasPrefix(meet.Str("StartDateTime"), "2026-12-05T10:00:00") || meet["DurationInMinutes"] != 30.0 {
		t.Fatalf("booked meeting: %s %v", res[2].CRMID, meet)
	}
}

// A sync killed after Salesforce applied the write and before the reply
// arrived, then run again (a new process), creates nothing twice and gets
// the first records' ids back.
func TestPushKilledAfterApplyThenRerunCreatesNothingTwice(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	acct, ct := seedPush(srv)
	in := touches(acct, ct, srv.UserID())
	tasks := []crmsync.OutTask{{OpID: "op-task", ContactID: ct, CompanyID: acct, Task: model.Task{Title: "Follow up", Kind: model.TaskCall,
		Status: model.TaskOpen, Priority: model.PriorityMedium, Due: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)}}}
	srv.Inject(sft.Fault{Path: "/composite/sobjects/", Kind: sft.FaultResetAfterApply, Times: -1})
	killed := newClient(t, srv, func(o *salesforce.Options) { o.MaxRetries = -1 })
	if _, err := killed.PushTouches(ctx, in); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("first push: %v", err)
	}
	if _, err := killed.PushTasks(ctx, tasks); !errors.Is(err, model.ErrOffline) {
		t.Fatalf("first task push: %v", err)
	}
	// The touch Tasks' write applied and was cut, so the Event never went;
	// the task's write applied too.
	if n := len(srv.Records("Task")) + len(srv.Records("Event")); n != 3 {
		t.Fatalf("the cut writes applied %d records, want 3", n)
	}
	srv.ClearFaults()
	rerun := newClient(t, srv, nil)
	res, err := rerun.PushTouches(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	tres, err := rerun.PushTasks(ctx, tasks)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Records("Task")) + len(srv.Records("Event")); n != 4 {
		t.Fatalf("after the rerun %d records, want 4", n)
	}
	for _, r := range append(res, tres...) {
		if r.Err != nil || r.CRMID == "" {
			t.Fatalf("rerun result %+v", r)
		}
		if rec, ok := srv.Get(r.CRMID); !ok || !strings.HasSuffix(rec.Str(sft.OpIDField), r.OpID) {
			t.Fatalf("result %+v points at %v", r, rec)
		}
	}
	// And a reset that the client retries by itself also lands once.
	srv.Inject(sft.Fault{Path: "/composite/sobjects/", Kind: sft.FaultResetAfterApply})
	more := []crmsync.OutTouch{{OpID: "op-note", CompanyID: acct, Touch: model.Touch{Channel: model.ChannelNote, Note: "n", At: time.Now()}}}
	if res, err := rerun.PushTouches(ctx, more); err != nil || res[0].CRMID == "" {
		t.Fatalf("retried push: %+v %v", res, err)
	}
	if n := len(srv.Records("Task")); n != 4 {
		t.Fatalf("after a retried reset %d tasks, want 4", n)
	}
}

func TestPrepareNamesTheMissingField(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{Missing: []string{"Task." + sft.OpIDField, "Event." + sft.OpIDField, "Account." + sft.StatusField}})
	acct, ct := seedPush(srv)
	c := newClient(t, srv, nil)
	_, err := c.Prepare(ctx)
	var fm *crmsync.FieldsMissingError
	if !errors.As(err, &fm) || len(fm.Fields) != 3 || !strings.Contains(err.Error(), "Task.Shortlist_Op_Id__c (Text(64), External ID, Unique)") {
		t.Fatalf("prepare: %v", err)
	}
	// No duplicating fallback: the push refuses too, writing nothing.
	if _, err := c.PushTouches(ctx, touches(acct, ct, "")); !errors.As(err, &fm) {
		t.Fatalf("push without the field: %v", err)
	}
	if n := len(srv.Records("Task")); n != 0 {
		t.Fatalf("%d tasks written without the op id field", n)
	}
	// The pull still works: it reads only the fields the org has.
	if err := c.Companies(ctx, srv.UserID(), time.Time{}, func([]model.PulledCompany) error { return nil }); err != nil {
		t.Fatalf("pull without Shortlist's fields: %v", err)
	}
}

func TestExpiredSessionIsRefreshedOnce(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	var kept string
	c := newClient(t, srv, func(o *salesforce.Options) {
		o.RefreshToken = srv.RefreshToken()
		o.OnRefresh = func(tok string) { kept = tok }
	})
	srv.ExpireSession()
	if _, err := c.Connect(ctx, ""); err != nil {
		t.Fatalf("connect after expiry: %v", err)
	}
	if srv.Refreshes() != 1 || kept != srv.AccessToken() {
		t.Fatalf("refreshes %d, kept %q", srv.Refreshes(), kept)
	}
	// Without a refresh token: ErrUnauthorized, no token in the text.
	bare := newClient(t, srv, nil)
	srv.ExpireSession()
	tok := srv.AccessToken()
	_, err := bare.Connect(ctx, "")
	if !errors.Is(err, crmsync.ErrUnauthorized) || (tok != "" && strings.Contains(err.Error(), tok)) {
		t.Fatalf("expired without refresh: %v", err)
	}
}

func TestDailyShareAndLimitStopCleanly(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{DailyLimit: 100})
	srv.Put("Account", sft.Record{"Name": "Acme"})
	c := newClient(t, srv, nil) // 5% of 100: 5 requests
	var err error
	n := 0
	for ; n < 10 && err == nil; n++ {
		err = c.Companies(ctx, srv.UserID(), time.Time{}, func([]model.PulledCompany) error { return nil })
	}
	var le *crmsync.LimitError
	if !errors.Is(err, crmsync.ErrDailyLimit) || !errors.As(err, &le) || !le.Share || le.Spent != 5 || le.Max != 5 || c.Usage().Spent != 5 {
		t.Fatalf("after %d pulls: %v, usage %+v", n, err, c.Usage())
	}
	srv.SetUsed(100)
	full := newClient(t, srv, func(o *salesforce.Options) { o.DailyShare = 1 })
	err = full.Companies(ctx, srv.UserID(), time.Time{}, func([]model.PulledCompany) error { return nil })
	if !errors.As(err, &le) || le.Share || le.Used != 100 || le.Limit != 100 {
		t.Fatalf("org limit: %v", err)
	}
}

func TestUpdatesAndGoneRecords(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	acct, ct := seedPush(srv)
	task := srv.Put("Task", sft.Record{"Subject": "x", "WhatId": acct})
	gone := srv.Put("Task", sft.Record{"Subject": "y", "WhatId": acct})
	srv.Delete(gone)
	c := newClient(t, srv, nil)
	res, err := c.UpdateTasks(ctx, []crmsync.TaskUpdate{
		{OpID: "u1", CRMID: task, Status: model.TaskSkipped, Due: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), Priority: model.PriorityLow},
		{OpID: "u2", CRMID: gone, Status: model.TaskDone},
	})
	if err != nil || res[0].Err != nil || res[0].CRMID != task {
		t.Fatalf("update: %+v %v", res, err)
	}
	var ie *crmsync.ItemError
	if !errors.As(res[1].Err, &ie) || !ie.Gone {
		t.Fatalf("deleted task: %+v", res[1])
	}
	if r, _ := srv.Get(task); r.Str("Status") != "Completed" || r.Str("ActivityDate") != "2026-12-09" || r.Str("Priority") != "Low" {
		t.Fatalf("task after update: %v", r)
	}
	var cons model.Consents
	cons.Set(model.ChannelCall, model.Consent{State: model.ConsentOptedOut})
	if res, err := c.UpdateContacts(ctx, []crmsync.ContactUpdate{{OpID: "c1", CRMID: ct, Consent: cons, PhoneBad: true}}); err != nil || res[0].Err != nil {
		t.Fatalf("contact update: %+v %v", res, err)
	}
	if r, _ := srv.Get(ct); !r.Bool("DoNotCall") || r.Bool("HasOptedOutOfEmail") || !r.Bool(sft.PhoneBadField) {
		t.Fatalf("contact after update: %v", r)
	}
	if res, err := c.UpdateCompanies(ctx, []crmsync.CompanyUpdate{{OpID: "a1", CRMID: acct, Status: model.StatusEngaged}}); err != nil || res[0].Err != nil {
		t.Fatalf("account update: %+v %v", res, err)
	}
	if r, _ := srv.Get(acct); r.Str(sft.StatusField) != "engaged" {
		t.Fatalf("account after update: %v", r)
	}
}

func TestRetriesFiveHundredsAndTruncatedBodies(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	srv.Put("Account", sft.Record{"Name": "Acme"})
	srv.Inject(sft.Fault{Path: "/query", Kind: sft.FaultStatus, Code: 503})
	srv.Inject(sft.Fault{Path: "/query", Kind: sft.FaultTruncated})
	c := newClient(t, srv, nil)
	n := 0
	err := c.Companies(ctx, srv.UserID(), time.Time{}, func(p []model.PulledCompany) error { n += len(p); return nil })
	if err != nil || n != 1 {
		t.Fatalf("after a 503 and a truncated body: %d %v", n, err)
	}
}

func TestLimitHeaderWithPerAppUsage(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Limit-Info", "api-usage=990/1000; per-app-api-usage=17/250(appName=shortlist)")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"totalSize":0,"done":true,"records":[]}`))
	}
	c, err := salesforce.New(salesforce.Options{InstanceURL: "http://127.0.0.1", AccessToken: "tok",
		HTTPClient: &http.Client{Transport: handlerRT(h)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletedTasks(ctx, []string{"00T000000000001AAA"})
	if u := c.Usage(); err != nil || u.Used != 990 || u.Max != 1000 || c.Budget() != 50 {
		t.Fatalf("usage %+v budget %d err %v", u, c.Budget(), err)
	}
}

type handlerRT http.HandlerFunc

func (h handlerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	http.HandlerFunc(h).ServeHTTP(rec, r)
	return rec.Result(), nil
}

// cutOnce answers the first query with a whole HTTP reply whose JSON stops
// mid-way (a proxy that cut it, Content-Length and all), then passes on.
type cutOnce struct {
	rt  http.RoundTripper
	cut bool
}

func (c *cutOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if !c.cut && strings.HasSuffix(r.URL.Path, "/query") {
		c.cut = true
		body := `{"totalSize":1,"done":true,"records":[{"attributes":`
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	}
	return c.rt.RoundTrip(r)
}

// TestACutOffReplyIsAskedAgain: a 2xx whose JSON stops before its end is a
// reply lost on the way, asked again like a reset, not a protocol error
// that stops the sync.
func TestACutOffReplyIsAskedAgain(t *testing.T) {
	srv := sft.NewUnstarted(sft.Options{})
	srv.Put("Account", sft.Record{"Name": "Acme"})
	rt := &cutOnce{rt: srv.Transport()}
	c := newClient(t, srv, func(o *salesforce.Options) { o.HTTPClient = &http.Client{Transport: rt} })
	n := 0
	err := c.Companies(ctx, srv.UserID(), time.Time{}, func(p []model.PulledCompany) error { n += len(p); return nil })
	if err != nil || n != 1 || !rt.cut {
		t.Fatalf("after a cut-off reply: %d %v (cut %v)", n, err, rt.cut)
	}
}
