package sync_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// signalPortal is a HubSpot portal (hubspottest) with the rep's company
// Acme and its contacts Ann and Bob, a colleague's company Globex with Zed,
// and a book synced once from it. The clock starts an hour before the real
// one: the store keeps signals of the last 7 days by the real clock.
type signalPortal struct {
	srv                   *hubspottest.Server
	clk                   *fakeClock
	b                     book
	owner, email          string
	acme, ann, bob, globe string
	zed                   string
}

func newSignalPortal(t *testing.T) *signalPortal {
	t.Helper()
	p := &signalPortal{clk: &fakeClock{t: time.Now().Add(-time.Hour).Truncate(time.Millisecond)}}
	p.srv = hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1, Now: p.clk.Now})
	t.Cleanup(p.srv.Close)
	p.email = "rep@example.com"
	p.owner = p.srv.AddOwner(p.email, "Rita", "Rep")
	other := p.srv.AddOwner("jo@example.com", "Jo", "Lee")
	p.acme = p.srv.Put("companies", map[string]string{"name": "Acme", "industry": "Software", "numberofemployees": "300", "hubspot_owner_id": p.owner})
	p.globe = p.srv.Put("companies", map[string]string{"name": "Globex", "hubspot_owner_id": other})
	person := func(first, email, company string) string {
		id := p.srv.Put("contacts", map[string]string{"firstname": first, "lastname": "Lee", "jobtitle": "VP Sales", "email": email})
		if err := p.srv.Associate("contacts", id, "companies", company); err != nil {
			t.Fatal(err)
		}
		return id
	}
	p.ann = person("Ann", "ann@acme.test", p.acme)
	p.bob = person("Bob", "bob@acme.test", p.acme)
	p.zed = person("Zed", "zed@globex.test", p.globe)
	p.b = openBook(t)
	p.sync(t)
	return p
}

// engine is a new engine (a new process) on the portal and the book.
func (p *signalPortal) engine(t *testing.T, store crmsync.Store) *crmsync.Engine {
	t.Helper()
	c, err := hubspot.New(hubspot.Options{BaseURL: p.srv.URL(), Token: p.srv.Token(), RequestsPer10s: -1, SearchPerSecond: -1,
		PortalID: "1", Now: p.clk.Now, Sleep: p.clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if store == nil {
		store = p.b.DB
	}
	return crmsync.New(store, c, crmsync.Options{OwnerEmail: p.email, Now: p.clk.Now})
}

func (p *signalPortal) sync(t *testing.T) model.SyncReport {
	t.Helper()
	p.clk.Add(time.Minute)
	return syncOK(t, p.engine(t, nil))
}

// put files an engagement on a contact (and its company) at at.
func (p *signalPortal) put(t *testing.T, typ, contact string, at time.Time, props map[string]string) string {
	t.Helper()
	props["hs_timestamp"] = strconv.FormatInt(at.UnixMilli(), 10)
	id := p.srv.Put(typ, props)
	if contact != "" {
		if err := p.srv.Associate(typ, id, "contacts", contact); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.srv.Associate(typ, id, "companies", p.acme); err != nil {
		t.Fatal(err)
	}
	return id
}

// got is a signal as the book holds it, with its contact's CRM id.
type got struct {
	key, kind, detail, channel, contact string
	at                                  time.Time
	accountID                           int64
}

func (p *signalPortal) signals(t *testing.T) []got {
	t.Helper()
	rows, err := p.b.raw.Query(`SELECT s.key, s.kind, s.detail, s.channel, coalesce(c.crm_id, ''), s.at, s.account_id
		FROM signals s LEFT JOIN contacts c ON c.id = s.contact_id ORDER BY s.at, s.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []got
	for rows.Next() {
		var g got
		var at int64
		if err := rows.Scan(&g.key, &g.kind, &g.detail, &g.channel, &g.contact, &at, &g.accountID); err != nil {
			t.Fatal(err)
		}
		g.at = time.UnixMilli(at).UTC()
		out = append(out, g)
	}
	return out
}

// one asserts the book holds exactly one signal and returns it.
func (p *signalPortal) one(t *testing.T) got {
	t.Helper()
	s := p.signals(t)
	if len(s) != 1 {
		t.Fatalf("%d signals in the book, want 1: %+v", len(s), s)
	}
	return s[0]
}

func TestSignalFromIncomingEmail(t *testing.T) {
	p := newSignalPortal(t)
	at := p.clk.Now().Add(-5 * time.Minute)
	p.put(t, "emails", p.ann, at.Add(-time.Hour), map[string]string{"hs_email_direction": "EMAIL", "hs_email_subject": "Quick question", "hs_email_text": "Would a short call help?"})
	id := p.put(t, "emails", p.ann, at, map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_subject": "Re: Quick question",
		"hs_email_text": "\n> quoted first\nCan we talk Thursday?\nSecond line\n\nOn Mon, Rita wrote:\n> Would a short call help?"})
	p.put(t, "emails", p.zed, at, map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_text": "not your book"})
	rep := p.sync(t)
	s := p.one(t)
	if s.key != "hubspot:emails:"+id || s.kind != "replied" || s.contact != p.ann || s.detail != "replied: 'Can we talk Thursday?'" ||
		s.channel != string(model.TaskEmail) || !s.at.Equal(at) {
		t.Errorf("signal %+v", s)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Text() != "! Acme: Ann Lee replied: 'Can we talk Thursday?'" {
		t.Errorf("the report names %+v", rep.Changes)
	}
	// Re-pulled (the overlap reads it again, and an edit brings it back): once.
	p.sync(t)
	if err := p.srv.Update("emails", id, map[string]string{"hs_email_subject": "Re: Quick question (edited)"}); err != nil {
		t.Fatal(err)
	}
	again := p.sync(t)
	p.one(t)
	if len(again.Changes) != 0 {
		t.Errorf("a re-pull named %+v", again.Changes)
	}
}

func TestSignalFromInboundCall(t *testing.T) {
	p := newSignalPortal(t)
	at := p.clk.Now().Add(-10 * time.Minute)
	p.put(t, "calls", p.bob, at, map[string]string{"hs_call_direction": "OUTBOUND", "hs_call_title": "Call: no answer"})
	id := p.put(t, "calls", "", at, map[string]string{"hs_call_direction": "INBOUND", "hs_call_title": "Inbound call", "hs_call_body": "<p>Asked about <b>pricing</b> &amp; terms</p><p>Call back Friday</p>"})
	p.sync(t)
	s := p.one(t)
	if s.key != "hubspot:calls:"+id || s.kind != "called" || s.contact != "" || s.accountID != p.b.id(t, "accounts", p.acme) ||
		s.detail != "called in: 'Asked about pricing & terms'" || s.channel != string(model.TaskCall) {
		t.Errorf("a call in on the company alone: %+v", s)
	}
}

func TestSignalFromBookedMeeting(t *testing.T) {
	p := newSignalPortal(t)
	start := p.clk.Now().Add(48 * time.Hour).Truncate(time.Hour)
	booked := p.clk.Now().Add(-2 * time.Minute)
	meeting := func(contact string, props map[string]string) string {
		props["hs_meeting_title"] = "Intro with Rita"
		props["hs_meeting_start_time"] = strconv.FormatInt(start.UnixMilli(), 10)
		if props["hs_meeting_outcome"] == "" {
			props["hs_meeting_outcome"] = "SCHEDULED"
		}
		props["createdate"] = strconv.FormatInt(booked.UnixMilli(), 10)
		return p.put(t, "meetings", contact, start, props)
	}
	meeting(p.ann, map[string]string{"hs_meeting_source": "CRM_UI", "hs_engagement_source": "CRM_UI"}) // the rep scheduled it
	meeting(p.ann, map[string]string{"hs_meeting_source": "MEETINGS_PUBLIC", "hs_engagement_source": "MEETINGS", "hs_meeting_outcome": "CANCELED"})
	id := meeting(p.bob, map[string]string{"hs_meeting_source": "MEETINGS_PUBLIC", "hs_engagement_source": "MEETINGS"})
	p.sync(t)
	s := p.one(t)
	want := "booked a meeting: 'Intro with Rita' for " + start.UTC().Format("Mon 2 Jan 15:04 UTC")
	if s.key != "hubspot:meetings:"+id || s.kind != "meeting" || s.contact != p.bob || s.detail != want || !s.at.Equal(booked) {
		t.Errorf("signal %+v; want Bob's booking at %v, %q", s, booked, want)
	}
}

func TestSignalFromFormFill(t *testing.T) {
	p := newSignalPortal(t)
	at := p.clk.Now().Add(-3 * time.Minute)
	if err := p.srv.Update("contacts", p.ann, map[string]string{"recent_conversion_date": strconv.FormatInt(at.UnixMilli(), 10),
		"recent_conversion_event_name": "Pricing request\x1b[2J"}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	s := p.one(t)
	if s.kind != "form" || s.contact != p.ann || s.detail != "form: Pricing request" || !s.at.Equal(at) || s.channel != "" {
		t.Errorf("signal %+v", s)
	}
	// Another form later is another signal; the same one read again is not.
	p.sync(t)
	if err := p.srv.Update("contacts", p.ann, map[string]string{"recent_conversion_date": strconv.FormatInt(p.clk.Now().UnixMilli(), 10),
		"recent_conversion_event_name": "Demo request"}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	if s := p.signals(t); len(s) != 2 || s[1].detail != "form: Demo request" {
		t.Errorf("after a second form: %+v", s)
	}
}

// TestSignalFromSalesEmailReply: hs_sales_email_last_replied is a reply;
// when HubSpot also logged the reply email, the book holds it once.
func TestSignalFromSalesEmailReply(t *testing.T) {
	p := newSignalPortal(t)
	at := p.clk.Now().Add(-20 * time.Minute)
	if err := p.srv.Update("contacts", p.bob, map[string]string{"hs_sales_email_last_replied": strconv.FormatInt(at.UnixMilli(), 10)}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	if s := p.one(t); s.kind != "replied" || s.contact != p.bob || s.detail != "replied to your email" || s.channel != string(model.TaskEmail) {
		t.Errorf("signal %+v", s)
	}
	// The reply email logged a minute apart arrives later: it takes over.
	id := p.put(t, "emails", p.bob, at.Add(-time.Minute), map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_text": "Thursday works"})
	p.sync(t)
	if s := p.one(t); s.key != "hubspot:emails:"+id || s.detail != "replied: 'Thursday works'" {
		t.Errorf("after the reply email: %+v", s)
	}
	// And the other way round on Ann: the email first, the property after.
	p.put(t, "emails", p.ann, at, map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_text": "Yes please"})
	p.sync(t)
	if err := p.srv.Update("contacts", p.ann, map[string]string{"hs_sales_email_last_replied": strconv.FormatInt(at.Add(30*time.Second).UnixMilli(), 10)}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	if s := p.signals(t); len(s) != 2 {
		t.Errorf("two replies, each told twice: %+v", s)
	}
}

// TestSignalFromEmailClickNotOpen: a click on the rep's email or a
// marketing email is a signal; opens, on either, are not.
func TestSignalFromEmailClickNotOpen(t *testing.T) {
	p := newSignalPortal(t)
	now := p.clk.Now()
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).UnixMilli(), 10) }
	if err := p.srv.Update("contacts", p.ann, map[string]string{"hs_sales_email_last_opened": ms(time.Minute), "hs_email_last_open_date": ms(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	if s := p.signals(t); len(s) != 0 {
		t.Fatalf("opens became signals: %+v", s)
	}
	if err := p.srv.Update("contacts", p.ann, map[string]string{"hs_sales_email_last_clicked": ms(3 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := p.srv.Update("contacts", p.bob, map[string]string{"hs_email_last_click_date": ms(4 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	s := p.signals(t)
	if len(s) != 2 || s[0].contact != p.bob || s[0].detail != "clicked a link in a marketing email" ||
		s[1].contact != p.ann || s[1].detail != "clicked a link in your email" || s[1].kind != "clicked" {
		t.Errorf("clicks: %+v", s)
	}
}

// TestSignalFromReturnVisit: the visit a first sync sees is remembered;
// a visit after 30 quiet days is a signal, one a few days after is not.
func TestSignalFromReturnVisit(t *testing.T) {
	p := newSignalPortal(t)
	visit := func(who string, ago time.Duration) {
		t.Helper()
		if err := p.srv.Update("contacts", who, map[string]string{"hs_analytics_last_visit_timestamp": strconv.FormatInt(p.clk.Now().Add(-ago).UnixMilli(), 10)}); err != nil {
			t.Fatal(err)
		}
	}
	visit(p.ann, 45*24*time.Hour)
	visit(p.bob, 5*24*time.Hour)
	p.sync(t)
	if s := p.signals(t); len(s) != 0 {
		t.Fatalf("visits seen for the first time became signals: %+v", s)
	}
	visit(p.ann, time.Minute)
	visit(p.bob, 2*time.Minute)
	p.sync(t)
	s := p.one(t)
	if s.kind != "visited" || s.contact != p.ann {
		t.Errorf("signal %+v; want Ann's return after 45 days", s)
	}
}

// TestSignalOwnPushNotEchoed: touches the rep logs, pushed as engagements
// (a reply they logged by hand is an INCOMING_EMAIL), never come back as
// signals.
func TestSignalOwnPushNotEchoed(t *testing.T) {
	p := newSignalPortal(t)
	ctx := context.Background()
	ann := p.b.id(t, "contacts", p.ann)
	for _, r := range []model.LogRequest{
		{ContactID: ann, Channel: model.ChannelEmail, Direction: model.Inbound, Outcome: model.OutcomeConnected, Note: "They wrote back: call Thursday", At: p.clk.Now()},
		{ContactID: ann, Channel: model.ChannelCall, Direction: model.Inbound, Outcome: model.OutcomeConnected, Note: "Called me back", At: p.clk.Now()},
		{ContactID: ann, Channel: model.ChannelEmail, Direction: model.Outbound, Outcome: model.OutcomeSent, Note: "Sent the deck", At: p.clk.Now()},
	} {
		if _, err := p.b.LogTouch(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if rep := p.sync(t); rep.Pushed == 0 {
		t.Fatal("nothing pushed: the test proves nothing")
	}
	if len(p.srv.List("emails")) == 0 {
		t.Fatal("no email in the CRM: the test proves nothing")
	}
	incoming := 0
	for _, o := range p.srv.List("emails") {
		if o.Properties["hs_email_direction"] == "INCOMING_EMAIL" {
			incoming++
		}
	}
	if incoming != 1 {
		t.Fatalf("%d incoming emails in the CRM, want the one pushed", incoming)
	}
	p.sync(t)
	p.clk.Add(time.Hour)
	p.sync(t)
	if s := p.signals(t); len(s) != 0 {
		t.Errorf("our own pushes came back as signals: %+v", s)
	}
}

// dyingStore commits a page of signals and then dies once, as a sync
// killed right after the commit would: the rerun must not record it twice.
type dyingStore struct {
	*storage.DB
	died bool
}

func (d *dyingStore) ApplySignals(ctx context.Context, s []model.PulledSignal, key string, cursor time.Time) (model.SyncApplied, error) {
	a, err := d.DB.ApplySignals(ctx, s, key, cursor)
	if err == nil && !d.died && len(s) > 0 {
		d.died = true
		return a, context.Canceled
	}
	return a, err
}

func TestSignalPullKilledAndRerun(t *testing.T) {
	p := newSignalPortal(t)
	at := p.clk.Now().Add(-5 * time.Minute)
	for i, who := range []string{p.ann, p.bob, p.ann} {
		p.put(t, "emails", who, at.Add(time.Duration(i)*time.Second), map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_text": "reply " + strconv.Itoa(i)})
	}
	p.put(t, "calls", p.bob, at, map[string]string{"hs_call_direction": "INBOUND"})
	if err := p.srv.Update("contacts", p.bob, map[string]string{"recent_conversion_date": strconv.FormatInt(at.UnixMilli(), 10)}); err != nil {
		t.Fatal(err)
	}
	d := &dyingStore{DB: p.b.DB}
	p.clk.Add(time.Minute)
	if _, err := p.engine(t, d).Sync(context.Background(), nil); err == nil || !d.died {
		t.Fatalf("the sync did not die (%v)", err)
	}
	p.sync(t)
	p.sync(t)
	s := p.signals(t)
	if len(s) != 5 {
		t.Fatalf("%d signals after a kill and two reruns, want 3 replies, a call and a form: %+v", len(s), s)
	}
	seen := map[string]bool{}
	for _, g := range s {
		if seen[g.key] {
			t.Errorf("recorded twice: %s", g.key)
		}
		seen[g.key] = true
	}
}

// TestSignalTroubleDoesNotHoldThePush: a signal search HubSpot refuses
// fails the sync with its error, after the rep's touches went; the next
// sync brings the signal.
func TestSignalTroubleDoesNotHoldThePush(t *testing.T) {
	p := newSignalPortal(t)
	ann := p.b.id(t, "contacts", p.ann)
	if _, err := p.b.LogTouch(context.Background(), model.LogRequest{ContactID: ann, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer, At: p.clk.Now()}); err != nil {
		t.Fatal(err)
	}
	p.put(t, "emails", p.ann, p.clk.Now().Add(-time.Minute), map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_text": "Call me"})
	p.srv.Inject(hubspottest.Fault{Method: "POST", Path: "/crm/v3/objects/emails/search", Kind: hubspottest.FaultStatus, Code: 400, Times: 1})
	p.clk.Add(time.Minute)
	rep, err := p.engine(t, nil).Sync(context.Background(), nil)
	if err == nil || rep.Pushed != 1 || rep.Pending != 0 {
		t.Fatalf("sync with a refused signal search: %v, pushed %d, %d queued; want the error after the push", err, rep.Pushed, rep.Pending)
	}
	p.sync(t)
	if s := p.one(t); s.detail != "replied: 'Call me'" {
		t.Errorf("the next sync: %+v", s)
	}
}
