package sync_test

import (
	"context"
	"fmt"
	"testing"

	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestSyncsAtATruncationRate: 3% of every reply cut off mid-JSON (a 200
// whose body stops half way), on both create paths, over 36 syncs each
// with touches, tasks and CRM changes to move: every sync succeeds (a cut
// reply of a read or an idempotent write is asked again; a cut create is
// looked for before creating again), and the CRM holds each record once.
func TestSyncsAtATruncationRate(t *testing.T) {
	ctx := context.Background()
	const syncs = 36
	ok, cut, total := 0, 0, 0
	for _, unique := range []bool{false, true} {
		srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1, UniqueOnEngagements: unique})
		email := seedServer(srv, 8, 2)
		b := openFaultBook(t)
		e := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email, BatchSize: 5})
		if _, err := e.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
		f := hubspottest.Fault{Kind: hubspottest.FaultTruncated, Times: -1, Chance: 0.03, Seed: 13}
		if unique {
			f.Seed = 31
		}
		srv.Inject(f)
		before := len(srv.Requests())
		for i := range syncs / 2 {
			b.logTouches(t, 6, i)
			co := srv.List("companies")[i%8]
			srv.Update("companies", co.ID, map[string]string{"industry": fmt.Sprintf("Retail %d", i)})
			rep, err := e.Sync(ctx, nil)
			if err != nil || rep.Pending != 0 || rep.HeldBack != 0 {
				t.Errorf("unique=%v sync %d: %v, %d pending, %d held back", unique, i, err, rep.Pending, rep.HeldBack)
				continue
			}
			ok++
		}
		for _, r := range srv.Requests()[before:] {
			total++
			if r.Faulted {
				cut++
			}
		}
		srv.ClearFaults()
		if _, lost, dup := b.checkOnePerOp(t, srv); lost+dup != 0 {
			t.Errorf("unique=%v: %d lost, %d duplicated", unique, lost, dup)
		}
		srv.Close()
	}
	if cut == 0 {
		t.Error("no reply was cut: the fault rate did not apply")
	}
	t.Logf("truncated replies at 3%%: %d of %d syncs succeeded (%d of %d replies cut off)", ok, syncs, cut, total)
}
