package sync_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// BenchmarkPull2000Companies10000Contacts is a first sync of a fresh book
// from a hubspottest server (loopback HTTP, no rate limit) holding 2,000
// companies with 5 contacts each, through the HubSpot adapter. It reports
// the requests one sync makes (with -v, by route), beside the minimum for
// batches of 100: the company search pages (200 a page), then per 100
// companies their contact links, their contacts (100 a read), their task
// links and their contacts' task links (100 a read).
func BenchmarkPull2000Companies10000Contacts(b *testing.B) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 2000, 5)
	crm := adapter(b, srv.URL(), srv.Token())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "shortlist.db"), bookOptions())
		if err != nil {
			b.Fatal(err)
		}
		before := len(srv.Requests())
		b.StartTimer()
		rep, err := crmsync.New(db, crm, crmsync.Options{OwnerEmail: email}).Sync(ctx, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Pulled != 2000+10000 {
			b.Fatalf("pulled %d", rep.Pulled)
		}
		reportRequests(b, srv.Requests()[before:], 2000/200+2000/100*(1+5+1+5))
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkPush1000Touches pushes 1,000 logged touches of every channel
// (calls, emails, LinkedIn messages, meetings, visits, notes: each the
// engagement it was; no other changes) to a hubspottest server through the
// HubSpot adapter, after a first sync of 20 companies with 5 contacts each,
// on a portal without unique operation ids (search, then create with inline
// associations). It reports the requests the push sync makes, beside the
// minimum for batches of 100: one create per 100 touches of a type.
func BenchmarkPush1000Touches(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
		email := seedServer(srv, 20, 5)
		crm := adapter(b, srv.URL(), srv.Token())
		db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "shortlist.db"), bookOptions())
		if err != nil {
			b.Fatal(err)
		}
		e := crmsync.New(db, crm, crmsync.Options{OwnerEmail: email})
		if _, err := e.Sync(ctx, nil); err != nil {
			b.Fatal(err)
		}
		rows, err := db.Accounts(ctx, model.AccountFilter{})
		if err != nil {
			b.Fatal(err)
		}
		var contacts []int64
		for _, a := range rows {
			d, err := db.AccountDetail(ctx, a.ID)
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range d.Contacts {
				contacts = append(contacts, c.ID)
			}
		}
		channels := []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelLinkedIn, model.ChannelMeeting, model.ChannelVisit, model.ChannelNote}
		for j := 0; j < 1000; j++ {
			ch := channels[j%len(channels)]
			out := model.OutcomeSent
			switch ch {
			case model.ChannelCall:
				out = model.OutcomeNoAnswer
			case model.ChannelMeeting, model.ChannelVisit, model.ChannelNote:
				out = model.OutcomeConnected
			}
			if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: contacts[j%len(contacts)], Channel: ch, Outcome: out}); err != nil {
				b.Fatal(err)
			}
		}
		before := len(srv.Requests())
		b.StartTimer()
		rep, err := e.Sync(ctx, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Pushed != 1000 || rep.Pending != 0 {
			b.Fatalf("pushed %d, pending %d", rep.Pushed, rep.Pending)
		}
		// 167 calls, 167 emails, 167 messages, 333 meetings, 166 notes
		reportRequests(b, srv.Requests()[before:], 2+2+2+4+2)
		db.Close()
		srv.Close()
	}
}

// BenchmarkNextSyncOneUnsubscribe is a sync after the first one, on the
// book of BenchmarkPull2000Companies10000Contacts, when one contact
// unsubscribed in HubSpot and nothing else changed (no sweep due): what a
// contact-only change costs to arrive. It reports the requests it makes.
func BenchmarkNextSyncOneUnsubscribe(b *testing.B) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 2000, 5)
	crm := adapter(b, srv.URL(), srv.Token())
	contacts := srv.List("contacts")
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "shortlist.db"), bookOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	e := crmsync.New(db, crm, crmsync.Options{OwnerEmail: email})
	if _, err := e.Sync(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		time.Sleep(2 * time.Millisecond) // modified after the last sync's cursor
		if err := srv.Update("contacts", contacts[(i*7919)%len(contacts)].ID, map[string]string{"firstname": "Changed" + strconv.Itoa(i), "hs_email_optout": "true"}); err != nil {
			b.Fatal(err)
		}
		before := len(srv.Requests())
		b.StartTimer()
		rep, err := e.Sync(ctx, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Pulled != 1 {
			b.Fatalf("pulled %d, want the one contact", rep.Pulled)
		}
		b.ReportMetric(float64(len(srv.Requests())-before), "requests/op")
		b.StartTimer()
	}
}

// BenchmarkNoChangeSync10000Companies is a sync with nothing new on a book
// of 10,000 companies (one contact each) with 150 open tasks, between daily
// sweeps, after the first sync and the one after it (which reads again what
// was seeded after the first one's cursor). It reports the requests it
// makes beside the minimum: the owner, the company, contact and task
// searches, the three signal searches (incoming emails, inbound calls,
// meetings), and one read per 100 open tasks to find those deleted.
func BenchmarkNoChangeSync10000Companies(b *testing.B) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 10_000, 1)
	seedTasks(b, srv, 150)
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "shortlist.db"), bookOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	e := crmsync.New(db, adapter(b, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: email})
	for range 2 {
		if _, err := e.Sync(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := len(srv.Requests())
		rep, err := e.Sync(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Pulled != 0 || rep.Pushed != 0 {
			b.Fatalf("pulled %d, pushed %d", rep.Pulled, rep.Pushed)
		}
		b.StopTimer()
		reportRequests(b, srv.Requests()[before:], 7+(150+99)/100)
		b.StartTimer()
	}
}

// reportRequests reports the requests made and the minimum beside them,
// and with -v lists them by route.
func reportRequests(b *testing.B, rs []hubspottest.Request, minimum int) {
	b.ReportMetric(float64(len(rs)), "requests/op")
	b.ReportMetric(float64(minimum), "minimum/op")
	b.Logf("%d requests (minimum %d):%s", len(rs), minimum, routes(requestsByRoute(rs)))
}
