package hubspot

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// testClock is one timeline for hubspottest and the adapters; sleeping
// moves it on.
type testClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(max(d, 0))
	c.mu.Unlock()
	return ctx.Err()
}

// TestRateWindowSharedAcrossAdapters: an adapter spends its ten-second
// window and dies; another, started at once on the same rate file (as the
// next shortlist sync is), waits out what the first sent instead of
// running into HubSpot's limit: hubspottest (100 per 10 s, on the same
// clock) answers no 429. Without the shared file the second runs straight
// into 429s.
func TestRateWindowSharedAcrossAdapters(t *testing.T) {
	run := func(t *testing.T, rateFile string) (limited int, waited time.Duration) {
		clk := &testClock{t: time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}
		s := hubspottest.NewServer(hubspottest.Options{SearchPerSecond: -1, Now: clk.Now})
		t.Cleanup(s.Close)
		newClient := func() *Client {
			c, err := New(Options{BaseURL: s.URL(), Token: s.Token(), Now: clk.Now, Sleep: clk.Sleep, RateFile: rateFile, PortalID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		ctx := context.Background()
		get := func(c *Client, n int) {
			for range n {
				if _, err := c.do(ctx, request{op: "list owners", method: http.MethodGet, path: "/crm/v3/owners"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		get(newClient(), 90) // the killed sync's window, all of it
		start := clk.Now()
		get(newClient(), 40) // the next sync, at once
		for _, r := range s.Requests() {
			if r.Status == http.StatusTooManyRequests {
				limited++
			}
		}
		return limited, clk.Now().Sub(start)
	}
	path := filepath.Join(t.TempDir(), "book.db.hubspot-rate")
	limited, waited := run(t, path)
	if limited != 0 {
		t.Errorf("shared window: %d 429s, want 0", limited)
	}
	if waited < 9*time.Second {
		t.Errorf("the second adapter waited %v: it did not respect the first's window", waited)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("rate file: %v, %v", st, err)
	}
	alone, _ := run(t, "")
	if alone == 0 {
		t.Error("without the shared file no 429 came: the test does not reproduce the fault")
	}
	t.Logf("a second adapter right after a first spent its window: %d 429s with the shared window (waited %v), %d without", limited, waited, alone)
}
