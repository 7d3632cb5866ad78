package sync_test

import (
	"context"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// fakeClock is one timeline for the server, the adapter and the engine:
// sleeping moves it on at once.
type fakeClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.Add(d)
	}
	return ctx.Err()
}

// killer is a transport that, when armed, lets a create through to the
// server and then "kills" the sync: it cancels the sync's context and
// loses the reply, as a kill -9 right after HubSpot applied a batch create
// would.
type killer struct {
	mu     gosync.Mutex
	path   string // the create to die after ("" disarmed)
	cancel context.CancelFunc
}

func (k *killer) arm(path string, cancel context.CancelFunc) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.path, k.cancel = path, cancel
}

func (k *killer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err == nil && k.path != "" && req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, k.path) && strings.HasSuffix(req.URL.Path, "/batch/create") {
		resp.Body.Close()
		k.cancel()
		k.path = ""
		return nil, context.Canceled
	}
	return resp, err
}

// TestKillRightAfterCreate is the kill-after-create campaign on a portal
// without unique properties on engagements (search before create), whose
// search lags new records by 3 s: each round logs touches and tasks, a sync
// dies right after HubSpot applied a create, and a sync starts at once.
// With the in-flight mark the second waits out the lag before it searches,
// finds what the first created and creates nothing twice; without the wait
// (SearchLag < 0, the old behaviour) the same campaign duplicates, which
// shows the harness reproduces the fault.
func TestKillRightAfterCreate(t *testing.T) {
	const rounds = 20
	run := func(t *testing.T, lag time.Duration) (records, dup int) {
		ctx := context.Background()
		clk := &fakeClock{t: time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}
		srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1,
			SearchLag: 3 * time.Second, Now: clk.Now})
		defer srv.Close()
		email := seedServer(srv, 4, 3)
		b := openFaultBook(t)
		k := &killer{}
		newEngine := func() *crmsync.Engine {
			c, err := hubspot.New(hubspot.Options{BaseURL: srv.URL(), Token: faultToken, RequestsPer10s: -1, SearchPerSecond: -1,
				PortalID: "1", Now: clk.Now, Sleep: clk.Sleep, SearchLag: lag, HTTPClient: &http.Client{Transport: k}})
			if err != nil {
				t.Fatal(err)
			}
			return crmsync.New(b.db, c, crmsync.Options{OwnerEmail: email, Now: clk.Now})
		}
		clk.Add(time.Minute)
		if _, err := newEngine().Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for round := range rounds {
			b.logTouches(t, 4, round)
			target := "/crm/v3/objects/"
			if round%2 == 1 {
				target += "tasks/"
			}
			kctx, cancel := context.WithCancel(ctx)
			k.arm(target, cancel)
			if _, err := newEngine().Sync(kctx, nil); err == nil {
				t.Fatalf("round %d: the killed sync succeeded", round)
			}
			cancel()
			k.arm("", nil)
			clk.Add(200 * time.Millisecond) // started again at once
			rep, err := newEngine().Sync(ctx, nil)
			if err != nil || rep.Pending != 0 || rep.HeldBack != 0 {
				t.Fatalf("round %d: sync after the kill: %v, %d pending, %d held back", round, err, rep.Pending, rep.HeldBack)
			}
			clk.Add(time.Minute)
		}
		perOp := map[string]int{}
		for _, typ := range []string{"calls", "notes", "meetings", "tasks"} {
			for _, o := range srv.List(typ) {
				if op := o.Properties["shortlist_op_id"]; op != "" {
					perOp[op]++
				}
			}
		}
		for _, n := range perOp {
			records += n
			dup += n - 1
		}
		if n := b.count(t, "SELECT count(*) FROM touches WHERE origin = ? AND (crm_id IS NULL OR crm_id = '')", string(model.OriginLocal)); n != 0 {
			t.Errorf("%d touches without their CRM id", n)
		}
		if n := b.count(t, "SELECT count(*) FROM meta WHERE key LIKE 'inflight.%'"); n != 0 {
			t.Errorf("%d in-flight marks left after every sync finished", n)
		}
		return records, dup
	}
	var records, dup, oldDup int
	t.Run("lag-waited", func(t *testing.T) {
		records, dup = run(t, 5*time.Second)
		if dup != 0 {
			t.Errorf("%d duplicated records of %d", dup, records)
		}
	})
	t.Run("no-wait", func(t *testing.T) {
		_, oldDup = run(t, -1)
		if oldDup == 0 {
			t.Error("without the wait nothing was duplicated: the campaign does not reproduce the search lag")
		}
	})
	t.Logf("kill-after-create, %d rounds: %d records, %d duplicated (without waiting out the lag: %d duplicated)", rounds, records, dup, oldDup)
}
