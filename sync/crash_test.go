package sync_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// seedServer puts n companies owned by the rep, each with contactsPer
// contacts, into a hubspottest server and returns the rep's owner email.
func seedServer(srv *hubspottest.Server, n, contactsPer int) string {
	const email = "rep@example.com"
	owner := srv.AddOwner(email, "Rita", "Rep")
	titles := []string{"VP Sales", "Chief Revenue Officer", "Sales Manager", "Head of RevOps", "Account Executive"}
	industries := []string{"Software", "Manufacturing", "Financial Services", "Retail"}
	for i := 0; i < n; i++ {
		co := srv.Put("companies", map[string]string{
			"name": fmt.Sprintf("Company %05d", i), "industry": industries[i%len(industries)],
			"numberofemployees": strconv.Itoa(50 + i%2000), "country": "US", "timezone": "America/New_York",
			"hubspot_owner_id": owner,
		})
		for j := 0; j < contactsPer; j++ {
			c := srv.Put("contacts", map[string]string{
				"firstname": fmt.Sprintf("First%d", j), "lastname": fmt.Sprintf("Last%05d", i),
				"jobtitle": titles[(i+j)%len(titles)], "email": fmt.Sprintf("c%d.%d@example.com", i, j),
				"phone": "+1 212 555 0100", "associatedcompanyid": co, "hubspot_owner_id": owner,
			})
			if err := srv.Associate("contacts", c, "companies", co); err != nil {
				panic(err)
			}
		}
	}
	return email
}

func adapter(tb testing.TB, url, token string) *hubspot.Client {
	tb.Helper()
	c, err := hubspot.New(hubspot.Options{BaseURL: url, Token: token, RequestsPer10s: -1, SearchPerSecond: -1,
		PortalID: "1", Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func bookOptions() storage.Options {
	s := model.DefaultSettings()
	s.RepZone = "America/New_York"
	return storage.Options{Settings: s, Profile: model.DefaultProfile()}
}

// TestCrashChild is the child of TestCrashSyncKill9: it syncs the book
// named in the environment against the parent's server and exits 0 when
// the sync finished with nothing left to push.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("SHORTLIST_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrashSyncKill9")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path, bookOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	crm := adapter(t, os.Getenv("SHORTLIST_CRASH_URL"), os.Getenv("SHORTLIST_CRASH_TOKEN"))
	rep, err := crmsync.New(db, crm, crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: 3}).Sync(ctx, nil)
	db.Close()
	if err != nil || rep.Pending != 0 || rep.HeldBack != 0 {
		fmt.Fprintln(os.Stderr, "sync:", err, rep.Pending, rep.HeldBack)
		os.Exit(4)
	}
	os.Exit(0)
}

// TestCrashSyncKill9 re-runs the test binary as a child that syncs against
// a hubspottest server this process holds, SIGKILLs it at random moments,
// logs more touches between runs, and re-runs until a sync completes; then
// the CRM holds exactly one record per operation id, every local touch is
// pushed, the outbox is empty and the book passes integrity_check.
// SHORTLIST_CRASH_RUNS sets the number of killed runs (default 40).
func TestCrashSyncKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	runs := 40
	if v, err := strconv.Atoi(os.Getenv("SHORTLIST_CRASH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	for _, unique := range []bool{false, true} {
		t.Run(fmt.Sprintf("unique=%v", unique), func(t *testing.T) {
			crashRuns(t, runs/2+1, unique)
		})
	}
}

func crashRuns(t *testing.T, runs int, unique bool) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1, UniqueOnEngagements: unique})
	defer srv.Close()
	seedServer(srv, 12, 3)
	// Creates take a little while, as over a network, so kills land
	// between a write reaching the CRM and its result being recorded.
	for _, typ := range []string{"calls", "emails", "communications", "notes", "meetings", "tasks"} {
		srv.Inject(hubspottest.Fault{Method: "POST", Path: "/crm/v3/objects/" + typ + "/batch/", Kind: hubspottest.FaultSlow,
			Delay: 15 * time.Millisecond, Times: -1})
	}
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db, err := storage.Open(ctx, path, bookOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := crmsync.New(db, adapter(t, srv.URL(), srv.Token()), crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil); err != nil {
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
	rng := rand.New(rand.NewPCG(uint64(len(contacts)), 7))
	channels := []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelNote, model.ChannelMeeting}
	logSome := func(n int) {
		for i := 0; i < n; i++ {
			ch := channels[rng.IntN(len(channels))]
			out := model.OutcomeSent
			if ch == model.ChannelCall {
				out = model.OutcomeNoAnswer
			} else if ch == model.ChannelMeeting {
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
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SHORTLIST_CRASH_DB="+path, "SHORTLIST_CRASH_URL="+srv.URL(), "SHORTLIST_CRASH_TOKEN="+srv.Token())
		return cmd
	}
	// A kill lands uniformly within the time a whole run takes (learned
	// from the runs that finish), so most runs die mid-sync.
	kills, completed, midPush := 0, 0, 0
	window := 300 * time.Millisecond
	pushes := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Method == "POST" && strings.Contains(r.Path, "/batch/") && !strings.Contains(r.Path, "/batch/read") {
				n++
			}
		}
		return n
	}
	for i := 0; i < runs; i++ {
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
	// Now run to completion.
	finished := false
	for i := 0; i < 20 && !finished; i++ {
		out, err := child().CombinedOutput()
		finished = err == nil
		if !finished && i == 19 {
			t.Fatalf("final sync keeps failing: %v\n%s", err, out)
		}
	}

	var touches, dupTouches, missing, pending, tasks, dupTasks int
	rows, err = raw.Query("SELECT op_id, coalesce(crm_id, '') FROM touches WHERE origin = 'local'")
	if err != nil {
		t.Fatal(err)
	}
	perOp := map[string][]string{}
	for _, typ := range []string{"calls", "emails", "communications", "notes", "meetings", "tasks"} {
		for _, o := range srv.List(typ) {
			if op := o.Properties["shortlist_op_id"]; op != "" {
				perOp[op] = append(perOp[op], typ+"/"+o.ID)
			}
		}
	}
	for rows.Next() {
		var op, crmID string
		rows.Scan(&op, &crmID)
		touches++
		if crmID == "" {
			missing++
		}
		switch n := len(perOp[op]); {
		case n == 0:
			missing++
		case n > 1:
			dupTouches += n - 1
			t.Errorf("touch op %s: %v", op, perOp[op])
		}
	}
	rows.Close()
	rows, err = raw.Query("SELECT o.op_id, coalesce(k.crm_id, '') FROM outbox o JOIN tasks k ON k.id = o.entity_id WHERE o.kind = 'task.create'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, crmID string
		rows.Scan(&op, &crmID)
		tasks++
		if crmID == "" || len(perOp[op]) == 0 {
			missing++
		}
		if n := len(perOp[op]); n > 1 {
			dupTasks += n - 1
			t.Errorf("task op %s: %v", op, perOp[op])
		}
	}
	rows.Close()
	raw.QueryRow("SELECT count(*) FROM outbox WHERE pushed_at IS NULL").Scan(&pending)
	var check string
	raw.QueryRow("PRAGMA integrity_check").Scan(&check)
	t.Logf("unique=%v: %d runs, %d killed (%d after pushing began), %d finished on their own; %d touches and %d tasks checked; duplicates %d+%d, missing %d, outbox left %d, integrity %s",
		unique, runs, kills, midPush, completed, touches, tasks, dupTouches, dupTasks, missing, pending, check)
	if missing != 0 || pending != 0 || check != "ok" || dupTouches+dupTasks != 0 {
		t.Fatalf("after the kills: missing %d, pending %d, integrity %s, duplicates %d", missing, pending, check, dupTouches+dupTasks)
	}
	if midPush == 0 {
		t.Errorf("no run was killed while pushing: the test proved nothing")
	}
}
