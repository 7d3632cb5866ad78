package sfsandbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

func sfAdapter(tb testing.TB, url, token string) *salesforce.Client {
	tb.Helper()
	c, err := salesforce.New(salesforce.Options{InstanceURL: url, AccessToken: token, DailyShare: 1,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
		Sleep:      func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestSFCrashChild is the child of TestSalesforceCrashKill9: it syncs the
// book named in the environment and exits 0 when nothing is left to push.
func TestSFCrashChild(t *testing.T) {
	path := os.Getenv("SHORTLIST_SF_CRASH_DB")
	if path == "" {
		t.Skip("run by TestSalesforceCrashKill9")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path, storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	crm := sfAdapter(t, os.Getenv("SHORTLIST_SF_CRASH_URL"), os.Getenv("SHORTLIST_SF_CRASH_TOKEN"))
	rep, err := crmsync.New(db, crm, crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: 3}).Sync(ctx, nil)
	db.Close()
	if err != nil || rep.Pending != 0 || rep.HeldBack != 0 {
		fmt.Fprintln(os.Stderr, "sync:", err, rep.Pending, rep.HeldBack)
		os.Exit(4)
	}
	os.Exit(0)
}

// TestSalesforceCrashKill9 re-runs the test binary as a child syncing
// against a salesforcetest org this process holds, SIGKILLs it at random
// moments (most mid-push: collections writes are slowed), logs more touches
// between runs, then syncs to completion: Salesforce holds exactly one
// record per operation id, every touch and task is pushed, the outbox is
// empty, the book passes integrity_check. SHORTLIST_CRASH_RUNS sets the
// number of killed runs (default 30).
func TestSalesforceCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	runs := 30
	if v, err := strconv.Atoi(os.Getenv("SHORTLIST_CRASH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	ctx := context.Background()
	srv := sft.New(sft.Options{DailyLimit: 1 << 30})
	defer srv.Close()
	for i := range 12 {
		a := srv.Put("Account", sft.Record{"Name": fmt.Sprintf("Company %02d", i), "Industry": "Software", "NumberOfEmployees": 400.0})
		for j := range 3 {
			srv.Put("Contact", sft.Record{"AccountId": a, "FirstName": fmt.Sprintf("F%d", j), "LastName": fmt.Sprintf("L%02d", i),
				"Phone": "+1 212 555 0100", "Email": fmt.Sprintf("c%d.%d@example.com", i, j)})
		}
	}
	srv.Inject(sft.Fault{Method: "PATCH", Path: "/composite/sobjects", Kind: sft.FaultSlow, Delay: 15 * time.Millisecond, Times: -1})
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db, err := storage.Open(ctx, path, storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := crmsync.New(db, sfAdapter(t, srv.URL(), srv.AccessToken()), crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var contacts []int64
	rows, err := raw.Query("SELECT id FROM contacts ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		contacts = append(contacts, id)
	}
	rows.Close()
	if len(contacts) != 36 {
		t.Fatalf("the first sync pulled %d contacts, want 36", len(contacts))
	}
	rng := rand.New(rand.NewPCG(uint64(len(contacts)), 11))
	channels := []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelNote, model.ChannelMeeting, model.ChannelLinkedIn}
	logSome := func(n int) {
		for range n {
			ch := channels[rng.IntN(len(channels))]
			out := model.OutcomeSent
			switch ch {
			case model.ChannelCall:
				out = model.OutcomeNoAnswer
			case model.ChannelMeeting:
				out = model.OutcomeConnected
			}
			req := model.LogRequest{ContactID: contacts[rng.IntN(len(contacts))], Channel: ch, Outcome: out, Note: "crash test"}
			if rng.IntN(3) == 0 {
				req.Next = model.NextChoice{Mode: model.NextAt, Due: time.Now().Add(48 * time.Hour)}
			}
			if _, err := db.LogTouch(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
	}
	logSome(25)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSFCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SHORTLIST_SF_CRASH_DB="+path, "SHORTLIST_SF_CRASH_URL="+srv.URL(), "SHORTLIST_SF_CRASH_TOKEN="+srv.AccessToken())
		return cmd
	}
	pushes := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Method == "PATCH" {
				n++
			}
		}
		return n
	}
	kills, completed, midPush := 0, 0, 0
	window := 300 * time.Millisecond
	for range runs {
		cmd := child()
		start, before := time.Now(), pushes()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil {
				completed++
			}
			window = max(window, time.Since(start))
		case <-time.After(time.Duration(rng.Int64N(int64(window)))):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			if pushes() > before {
				midPush++
			}
		}
		logSome(4 + rng.IntN(8))
	}
	finished := false
	for i := 0; i < 20 && !finished; i++ {
		out, err := child().CombinedOutput()
		finished = err == nil
		if !finished && i == 19 {
			t.Fatalf("final sync keeps failing: %v\n%s", err, out)
		}
	}

	perOp := map[string][]string{}
	for _, obj := range []string{"Task", "Event"} {
		for _, r := range srv.Records(obj) {
			if op := r.Str(sft.OpIDField); op != "" {
				perOp[strings.TrimPrefix(op, "touch-")] = append(perOp[strings.TrimPrefix(op, "touch-")], obj+"/"+r.Str("Id"))
			}
		}
	}
	var touches, tasks, missing, dups, pending int
	check := func(query string, count *int) {
		rows, err := raw.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var op, crmID string
			rows.Scan(&op, &crmID)
			*count++
			if crmID == "" || len(perOp[op]) == 0 {
				missing++
			}
			if n := len(perOp[op]); n > 1 {
				dups += n - 1
				t.Errorf("op %s: %v", op, perOp[op])
			}
		}
	}
	check("SELECT op_id, coalesce(crm_id, '') FROM touches WHERE origin = 'local'", &touches)
	check("SELECT o.op_id, coalesce(k.crm_id, '') FROM outbox o JOIN tasks k ON k.id = o.entity_id WHERE o.kind = 'task.create'", &tasks)
	raw.QueryRow("SELECT count(*) FROM outbox WHERE pushed_at IS NULL").Scan(&pending)
	var integrity string
	raw.QueryRow("PRAGMA integrity_check").Scan(&integrity)
	t.Logf("%d runs, %d killed (%d after pushing began), %d finished on their own; %d touches and %d tasks checked; duplicates %d, missing %d, outbox left %d, integrity %s",
		runs, kills, midPush, completed, touches, tasks, dups, missing, pending, integrity)
	if missing != 0 || pending != 0 || integrity != "ok" || dups != 0 {
		t.Fatalf("after the kills: missing %d, pending %d, integrity %s, duplicates %d", missing, pending, integrity, dups)
	}
	if midPush == 0 {
		t.Error("no run was killed while pushing: the test proved nothing")
	}
}
