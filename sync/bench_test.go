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
// the requests one sync makes.
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
		b.ReportMetric(float64(len(srv.Requests())-before), "requests/op")
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkPush1000Touches pushes 1,000 logged touches (no other changes)
// to a hubspottest server through the HubSpot adapter, after a first sync
// of 20 companies with 5 contacts each. It reports the requests the push
// sync makes.
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
		channels := []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelNote, model.ChannelMeeting}
		for j := 0; j < 1000; j++ {
			ch := channels[j%len(channels)]
			out := model.OutcomeSent
			if ch == model.ChannelCall {
				out = model.OutcomeNoAnswer
			} else if ch == model.ChannelMeeting {
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
		b.ReportMetric(float64(len(srv.Requests())-before), "requests/op")
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
