package sync_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestTwoSyncsAtOnce: two syncs of one book started together (the TUI's S
// and shortlist sync, each with its own store handle and adapter) on a
// portal without unique properties on engagements, where each used to
// create every pushed record: the second stops at once with "a sync is
// already running (pid N, started HH:MM)", sends nothing, and the first
// pushes each touch and task once. Three rounds.
func TestTwoSyncsAtOnce(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	email := seedServer(srv, 6, 2)
	b := openFaultBook(t)
	if _, err := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	other, err := storage.Open(ctx, b.path, bookOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for round := range 3 {
		b.logTouches(t, 7, round)
		// The first sync's pushes are slow, so the second starts mid-push.
		srv.Inject(hubspottest.Fault{Method: "POST", Path: "/crm/v3/objects/", Kind: hubspottest.FaultSlow, Delay: 40 * time.Millisecond, Times: -1})
		first := make(chan error, 1)
		started := len(srv.Requests())
		go func() {
			rep, err := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email}).Sync(ctx, nil)
			if err == nil && (rep.Pending != 0 || rep.HeldBack != 0) {
				err = fmt.Errorf("left %d pending, %d held back", rep.Pending, rep.HeldBack)
			}
			first <- err
		}()
		for len(srv.Requests()) == started {
			time.Sleep(time.Millisecond)
		}
		rep, err := crmsync.New(other, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: email}).Sync(ctx, nil)
		var running *model.SyncRunningError
		if !errors.As(err, &running) || running.PID != os.Getpid() ||
			!strings.HasPrefix(err.Error(), fmt.Sprintf("a sync is already running (pid %d, started ", os.Getpid())) {
			t.Fatalf("round %d: second sync: %v, want a sync already running", round, err)
		}
		if !rep.Started.IsZero() || rep.Pushed != 0 {
			t.Errorf("round %d: the refused sync reports %+v", round, rep)
		}
		if err := <-first; err != nil {
			t.Fatalf("round %d: first sync: %v", round, err)
		}
		srv.ClearFaults()
		if _, lost, dup := b.checkOnePerOp(t, srv); lost+dup != 0 {
			t.Fatalf("round %d: %d lost, %d duplicated", round, lost, dup)
		}
	}
}
