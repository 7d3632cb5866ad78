package sync_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// BenchmarkPull2000WithSignals is BenchmarkPull2000Companies10000Contacts
// on a portal where every contact carries what HubSpot's tracking records:
// a visit 40 days ago (remembered, not a signal), a click 2 days ago and,
// on one contact in five, a form today (signals). Run beside it, the
// difference is what reading signals with the contacts costs a first pull.
func BenchmarkPull2000WithSignals(b *testing.B) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 2000, 5)
	now := time.Now()
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).UnixMilli(), 10) }
	forms := 0
	for i, c := range srv.List("contacts") {
		p := map[string]string{"hs_analytics_last_visit_timestamp": ms(40 * 24 * time.Hour), "hs_sales_email_last_clicked": ms(48 * time.Hour)}
		if i%5 == 0 {
			p["recent_conversion_date"], p["recent_conversion_event_name"] = ms(time.Hour), "Pricing request"
			forms++
		}
		if err := srv.Update("contacts", c.ID, p); err != nil {
			b.Fatal(err)
		}
	}
	crm := adapter(b, srv.URL(), srv.Token())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "shortlist.db"), bookOptions())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := crmsync.New(db, crm, crmsync.Options{OwnerEmail: email}).Sync(ctx, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if want := 2000 + 10000 + 10000 + forms; rep.Pulled != want {
			b.Fatalf("pulled %d, want %d (companies, contacts, a click each, %d forms)", rep.Pulled, want, forms)
		}
		db.Close()
		b.StartTimer()
	}
}
