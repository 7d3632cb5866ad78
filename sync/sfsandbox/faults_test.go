package sfsandbox_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestSalesforceSyncUnderFaults runs syncs through the engine and the
// adapter while random faults hit the query, describe and collections
// routes (5xx, resets before and after the write, truncated replies, an
// expired session), logging touches between syncs; each faulted sync either
// succeeds or fails with one clean error, and once the faults stop every
// touch and task is in Salesforce exactly once with nothing queued.
func TestSalesforceSyncUnderFaults(t *testing.T) {
	ctx := context.Background()
	srv := sft.NewUnstarted(sft.Options{DailyLimit: 1 << 30})
	for i := range 8 {
		a := srv.Put("Account", sft.Record{"Name": fmt.Sprintf("Company %02d", i)})
		for j := range 3 {
			srv.Put("Contact", sft.Record{"AccountId": a, "LastName": fmt.Sprintf("L%d%d", i, j), "Phone": "+1 212 555 0100"})
		}
	}
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "book.db"), storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	newEngine := func() *crmsync.Engine {
		crm, err := salesforce.New(salesforce.Options{InstanceURL: "http://127.0.0.1", AccessToken: srv.AccessToken(),
			RefreshToken: srv.RefreshToken(), ClientID: "app", LoginURL: "http://127.0.0.1", DailyShare: 1, MaxRetries: 2,
			HTTPClient: &http.Client{Transport: srv.Transport()},
			Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
		if err != nil {
			t.Fatal(err)
		}
		return crmsync.New(db, crm, crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: 4})
	}
	mustSync(t, newEngine())
	var contacts []int64
	accts, _ := db.Accounts(ctx, model.AccountFilter{})
	for _, a := range accts {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts {
			contacts = append(contacts, c.ID)
		}
	}
	rng := rand.New(rand.NewPCG(3, 9))
	kinds := []sft.FaultKind{sft.FaultStatus, sft.FaultReset, sft.FaultResetAfterApply, sft.FaultTruncated}
	paths := []string{"/query", "/composite/sobjects", "/sobjects/", ""}
	failed, faults := 0, 0
	for round := range 24 {
		for range 3 {
			req := model.LogRequest{ContactID: contacts[rng.IntN(len(contacts))], Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer,
				At: time.Now(), Note: fmt.Sprintf("round %d", round)}
			if rng.IntN(3) == 0 {
				req.Next = model.NextChoice{Mode: model.NextAt, Due: time.Now().Add(48 * time.Hour)}
			}
			if rng.IntN(4) == 0 {
				req.Outcome, req.MeetingAt = model.OutcomeMeetingBooked, time.Now().Add(72*time.Hour).Truncate(time.Minute)
			}
			if _, err := db.LogTouch(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		for range 1 + rng.IntN(3) {
			srv.Inject(sft.Fault{Path: paths[rng.IntN(len(paths))], Kind: kinds[rng.IntN(len(kinds))], Code: 500 + rng.IntN(4),
				After: rng.IntN(4), Times: 1 + rng.IntN(4)})
			faults++
		}
		if rng.IntN(5) == 0 {
			srv.ExpireSession()
		}
		_, err := syncOnce(t, newEngine())
		if err != nil {
			failed++
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.Contains(msg, srv.AccessToken()) || !errors.Is(err, model.ErrOffline) && !strings.Contains(msg, "unexpected reply") {
				t.Errorf("round %d: a faulted sync's error: %v", round, err)
			}
		}
		srv.ClearFaults()
	}
	rep := mustSync(t, newEngine())
	if rep.Pending != 0 {
		t.Fatalf("%d still queued", rep.Pending)
	}
	seen := map[string]int{}
	for _, obj := range []string{"Task", "Event"} {
		for _, r := range srv.Records(obj) {
			if op := r.Str(sft.OpIDField); op != "" {
				seen[strings.TrimPrefix(op, "touch-")]++
			}
		}
	}
	dups := 0
	for op, n := range seen {
		if n > 1 {
			dups++
			t.Errorf("op %s in Salesforce %d times", op, n)
		}
	}
	touches := 0
	for _, a := range accts {
		d, _ := db.AccountDetail(ctx, a.ID)
		for _, tc := range d.Touches {
			if tc.Origin == model.OriginLocal {
				touches++
				if seen[tc.OpID] != 1 || tc.CRMID == "" {
					t.Errorf("touch %d (op %s) in Salesforce %d times, crm id %q", tc.ID, tc.OpID, seen[tc.OpID], tc.CRMID)
				}
			}
		}
	}
	t.Logf("24 rounds, %d faults injected, %d syncs failed cleanly; %d touches checked (of the accounts' newest), %d records with op ids, %d duplicated", faults, failed, touches, len(seen), dups)
	if failed == 0 {
		t.Error("no faulted sync failed: the faults proved nothing")
	}
}
