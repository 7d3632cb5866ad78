package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestBinary builds shortlist and runs it end to end, as a user's shell
// would: exit codes, one-line errors, the demo book, config and db paths.
// The build runs in a subprocess, so go test's cache does not see source
// changes in other packages: run it with -count=1.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env := append(append(os.Environ(), pinnedEnv()...),
		"HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"SHORTLIST_DB=",
	)
	run := func(t *testing.T, extraEnv []string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return code, out.String(), errOut.String()
	}

	t.Run("help and version create nothing", func(t *testing.T) {
		for _, args := range [][]string{{"help"}, {"--help"}, {"version"}, {"today", "--help"}} {
			if code, out, _ := run(t, nil, args...); code != 0 || out == "" {
				t.Errorf("%v: exit %d, %d bytes", args, code, len(out))
			}
		}
		if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("help or version created %s", home)
		}
	})

	t.Run("demo today json", func(t *testing.T) {
		code, out, errOut := run(t, nil, "--demo", "today", "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var tj struct {
			Rows []struct {
				Rank    int    `json:"rank"`
				Account string `json:"account"`
			} `json:"rows"`
			HeldBack int `json:"held_back"`
		}
		if err := json.Unmarshal([]byte(out), &tj); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		// How many rows the demo book shows depends on the hour: calls
		// outside a contact's calling hours are held. It always has work,
		// never more than the default page, ranked from 1 without gaps.
		if len(tj.Rows) == 0 || len(tj.Rows) > 20 {
			t.Errorf("today --json on the demo book: %d rows, want 1 to 20", len(tj.Rows))
		}
		for i, r := range tj.Rows {
			if r.Rank != i+1 || r.Account == "" {
				t.Errorf("today --json row %d: %+v", i, r)
			}
		}
		demoDB := filepath.Join(home, "data", "shortlist", "demo.db")
		if _, err := os.Stat(demoDB); err != nil {
			t.Errorf("no demo book at %s: %v", demoDB, err)
		}
		if _, err := os.Stat(filepath.Join(home, "data", "shortlist", "shortlist.db")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--demo touched the real book")
		}
		// Same book on the second run: the demo is written once.
		_, again, _ := run(t, nil, "accounts", "--demo", "--json", "--limit", "0")
		var accts []map[string]any
		if err := json.Unmarshal([]byte(again), &accts); err != nil || len(accts) != 300 {
			t.Errorf("the second --demo run saw %d accounts, not the 300 of the first: %v", len(accts), err)
		}
	})

	t.Run("no terminal prints today", func(t *testing.T) {
		code, out, errOut := run(t, nil, "--demo")
		if code != 0 || !strings.Contains(out, "held back") {
			t.Errorf("bare shortlist without a terminal: exit %d %q %q", code, out, errOut)
		}
	})

	t.Run("usage errors exit 2 on one line", func(t *testing.T) {
		code, out, errOut := run(t, nil, "today", "--jsn")
		if code != 2 || out != "" || errOut != "shortlist: unknown flag --jsn for \"today\" (see shortlist today --help)\n" {
			t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
		}
		if code, _, _ := run(t, nil, "frobnicate"); code != 2 {
			t.Errorf("unknown command: exit %d", code)
		}
	})

	t.Run("SHORTLIST_NOW pins the clock; a bad one is refused", func(t *testing.T) {
		p := filepath.Join(dir, "pinned.db")
		for _, bad := range []string{"tomorrow", "2026-12-01 10:30", "2026-12-01T10:30:00"} {
			code, out, errOut := run(t, []string{"SHORTLIST_NOW=" + bad}, "demo", "--accounts", "20", "--db", p)
			if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 ||
				!strings.HasPrefix(errOut, fmt.Sprintf("shortlist: SHORTLIST_NOW=%q is not an RFC 3339 time like 2026-12-01T10:30:00-05:00", bad)) {
				t.Errorf("SHORTLIST_NOW=%q: exit %d stdout %q stderr %q", bad, code, out, errOut)
			}
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("SHORTLIST_NOW=%q wrote a book (%v)", bad, err)
			}
		}
		if code, _, errOut := run(t, nil, "demo", "--accounts", "20", "--db", p); code != 0 {
			t.Fatalf("demo: exit %d %s", code, errOut)
		}
		code, out, errOut := run(t, nil, "--db", p, "log", "--contact", "1", "--outcome", "no-answer", "--json")
		var logged struct {
			Touch struct {
				At time.Time `json:"at"`
			} `json:"touch"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &logged) != nil {
			t.Fatalf("log: exit %d %q %q", code, out, errOut)
		}
		pinned, _ := time.Parse(time.RFC3339, binaryNow)
		if d := logged.Touch.At.Sub(pinned); d < 0 || d > time.Minute {
			t.Errorf("the touch was stamped %v, want the pinned %v", logged.Touch.At, pinned)
		}
	})

	t.Run("bad input exits 1 on one line", func(t *testing.T) {
		// A bad flag value is a usage error, whichever flag it is.
		code, _, errOut := run(t, nil, "--demo", "log", "--contact", "1", "--outcome", "nope")
		if code != 2 || !strings.HasPrefix(errOut, `shortlist: unknown outcome "nope": use one of no-answer`) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("exit %d stderr %q", code, errOut)
		}
		code, _, errOut = run(t, nil, "--demo", "log", "--contact", "99999", "--outcome", "busy")
		if code != 1 || errOut != "shortlist: contact 99999 not found: find ids with shortlist show ACCOUNT_ID or shortlist search\n" {
			t.Errorf("exit %d stderr %q", code, errOut)
		}
	})

	t.Run("config", func(t *testing.T) {
		code, _, errOut := run(t, nil, "--demo", "today", "--config", filepath.Join(dir, "missing.toml"))
		if code != 1 || !strings.Contains(errOut, "missing.toml does not exist") {
			t.Errorf("missing --config: exit %d %q", code, errOut)
		}
		bad := filepath.Join(dir, "bad.toml")
		if err := os.WriteFile(bad, []byte("[budget]\nper_contcat = 2\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut = run(t, nil, "--demo", "today", "--config", bad)
		want := "shortlist: " + bad + ":2: budget.per_contcat: unknown key: did you mean per_contact?\n"
		if code != 1 || errOut != want {
			t.Errorf("bad config: exit %d\n got %q\nwant %q", code, errOut, want)
		}
		good := filepath.Join(dir, "good.toml")
		if err := os.WriteFile(good, []byte("[rep]\nname = \"Dana\"\ntime_zone = \"Asia/Tokyo\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := run(t, nil, "--demo", "today", "--config", good); code != 0 {
			t.Errorf("good config: exit %d %q", code, errOut)
		}
	})

	t.Run("a mistyped --db creates nothing", func(t *testing.T) {
		typo := filepath.Join(dir, "tpyo", "book.db")
		for _, args := range [][]string{{"today"}, {"show", "1"}, {"log", "--contact", "1", "--outcome", "busy"},
			{"accounts"}, {"search", "acme"}, {"backup"}, {"export", "accounts"}, {"done", "1"}} {
			code, out, errOut := run(t, nil, append([]string{"--db", typo}, args...)...)
			want := "shortlist: no book at " + typo + ": make one with shortlist demo, shortlist import FILE or shortlist sync\n"
			if code != 1 || out != "" || errOut != want {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", args, code, out, errOut, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "tpyo")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a command that does not make a book created %s", filepath.Join(dir, "tpyo"))
		}
	})

	t.Run("a killed demo leaves no book", func(t *testing.T) {
		p := filepath.Join(dir, "killed", "demo.db")
		cmd := exec.Command(bin, "demo", "--accounts", "100000", "--db", p)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once the book is being written (its temporary file exists).
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if m, _ := filepath.Glob(filepath.Join(dir, "killed", ".demo.db.tmp-*")); len(m) > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a killed demo left a book at %s", p)
		}
		if code, out, errOut := run(t, nil, "demo", "--accounts", "20", "--db", p); code != 0 || !strings.Contains(out, "20 accounts") {
			t.Errorf("the rerun: exit %d %q %q", code, out, errOut)
		}
	})

	t.Run("a new book says how to fill it", func(t *testing.T) {
		db := filepath.Join(dir, "empty.db")
		csv := filepath.Join(dir, "header-only.csv")
		if err := os.WriteFile(csv, []byte("name,domain\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := run(t, nil, "--db", db, "import", "accounts", csv); code != 0 {
			t.Fatalf("import into a new book: exit %d %q", code, errOut)
		}
		code, out, errOut := run(t, nil, "--db", db, "today")
		if code != 0 || !strings.Contains(out, "The book has no accounts yet") || !strings.Contains(out, "shortlist import accounts FILE.csv") {
			t.Errorf("today on a new book: exit %d\n%s%s", code, out, errOut)
		}
		if _, out, _ := run(t, nil, "--db", db, "today", "--json"); !json.Valid([]byte(out)) {
			t.Errorf("today --json on a new book is not only JSON: %q", out)
		}
		if _, out, _ := run(t, nil, "--demo", "today"); strings.Contains(out, "no accounts yet") {
			t.Errorf("the demo book was told it is empty:\n%s", out)
		}
	})

	t.Run("an edited ICP says it took effect, once", func(t *testing.T) {
		db := []string{"SHORTLIST_DB=" + filepath.Join(dir, "icp.db")}
		if code, _, errOut := run(t, db, "demo", "--db", filepath.Join(dir, "icp.db")); code != 0 {
			t.Fatalf("demo: exit %d %q", code, errOut)
		}
		if _, _, errOut := run(t, db, "today", "--json"); strings.Contains(errOut, "re-scored") {
			t.Errorf("an unchanged profile said %q", errOut)
		}
		edited := filepath.Join(dir, "icp.toml")
		if err := os.WriteFile(edited, []byte("[icp.tiers]\na = 95\nb = 80\nc = 60\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := run(t, db, "today", "--json", "--config", edited)
		if code != 0 || !strings.HasPrefix(errOut, "note: ICP or rank weights changed: re-scored, ") ||
			!strings.Contains(errOut, "changed fit or tier") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("edited profile: exit %d, stderr %q", code, errOut)
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("the note reached stdout: %q", out)
		}
		if _, _, errOut := run(t, db, "today", "--config", edited); strings.Contains(errOut, "re-scored") {
			t.Errorf("said again on the next run: %q", errOut)
		}
	})

	t.Run("demo command and SHORTLIST_DB", func(t *testing.T) {
		p := filepath.Join(dir, "mine.db")
		code, out, errOut := run(t, nil, "demo", "--accounts", "25", "--db", p)
		if code != 0 || !strings.Contains(out, "25 accounts") {
			t.Fatalf("demo: exit %d %q %q", code, out, errOut)
		}
		code, _, errOut = run(t, nil, "demo", "--db", p)
		if code != 1 || !strings.Contains(errOut, "already holds a book: choose a new --db path") {
			t.Errorf("demo over a book: exit %d %q", code, errOut)
		}
		code, out, errOut = run(t, []string{"SHORTLIST_DB=" + p}, "accounts", "--json", "--limit", "0")
		var accts []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &accts) != nil || len(accts) != 25 {
			t.Errorf("SHORTLIST_DB: exit %d, %d accounts, %q", code, len(accts), errOut)
		}
	})
}

// TestSync runs `shortlist sync` as a shell would, with the three
// SHORTLIST_HUBSPOT_* variables and no config file, against a hubspottest
// server started here, on a fresh database; then the refusals, and the demo
// sandbox across two processes. Like TestBinary it builds the binary: run it
// with -count=1.
func TestSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHORTLIST_") && !strings.HasPrefix(kv, "DBUS_") {
			base = append(base, kv)
		}
	}
	base = append(append(base, pinnedEnv()...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	run := func(t *testing.T, extra []string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string{}, base...), extra...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return code, out.String(), errOut.String()
	}

	srv := hubspottest.NewServer(hubspottest.Options{Token: "pat-na1-secret-7d1f0c", RateLimit: -1, SearchPerSecond: -1})
	t.Cleanup(srv.Close)
	rep := srv.AddOwner("rita.rep@acme.test", "Rita", "Rep")
	other := srv.AddOwner("olaf.other@acme.test", "Olaf", "Other")
	for i, name := range []string{"Northwind Traders", "Globex Logistics", "Initech Software"} {
		co := srv.Put("companies", map[string]string{"name": name, "domain": fmt.Sprintf("c%d.example", i),
			"industry": "Software", "numberofemployees": "450", "country": "US", "hubspot_owner_id": rep})
		for j := range 2 {
			ct := srv.Put("contacts", map[string]string{"firstname": fmt.Sprintf("Pat%d", j), "lastname": name[:4],
				"jobtitle": "VP Sales", "email": fmt.Sprintf("p%d@c%d.example", j, i), "phone": "+1 415 555 01" + fmt.Sprint(i, j)})
			if err := srv.Associate("contacts", ct, "companies", co); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv.Put("companies", map[string]string{"name": "Not Mine Inc", "hubspot_owner_id": other})
	env := []string{
		"SHORTLIST_HUBSPOT_TOKEN=" + srv.Token(),
		"SHORTLIST_HUBSPOT_BASE_URL=" + srv.URL(),
		"SHORTLIST_HUBSPOT_OWNER_EMAIL=rita.rep@acme.test",
	}
	noToken := func(out ...string) {
		t.Helper()
		for _, o := range out {
			if strings.Contains(o, srv.Token()) {
				t.Errorf("the token reached the output: %q", o)
			}
		}
	}

	t.Run("env only, fresh database", func(t *testing.T) {
		code, out, errOut := run(t, env, "sync")
		noToken(out, errOut)
		if code != 0 || !strings.Contains(out, "pulled ") || errOut != "" {
			t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(home, "config", "shortlist", "config.toml")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("sync wrote a config file")
		}
		_, out, _ = run(t, env, "accounts", "--json")
		var accts []struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			CRMID string `json:"crm_id"`
		}
		if err := json.Unmarshal([]byte(out), &accts); err != nil || len(accts) != 3 {
			t.Fatalf("after the first sync: %d accounts (%v)\n%s", len(accts), err, out)
		}
		_, out, _ = run(t, env, "show", fmt.Sprint(accts[0].ID), "--json")
		var d struct {
			Contacts []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"contacts"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil || len(d.Contacts) != 2 {
			t.Fatalf("show %d: %v\n%s", accts[0].ID, err, out)
		}
		if code, _, errOut := run(t, env, "log", "--contact", fmt.Sprint(d.Contacts[0].ID), "--outcome", "connected", "--note", "pricing next week"); code != 0 {
			t.Fatalf("log: %s", errOut)
		}
		code, out, errOut = run(t, env, "sync", "--json")
		noToken(out, errOut)
		var r struct {
			Pushed  int `json:"pushed"`
			Pending int `json:"pending"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Pushed == 0 || r.Pending != 0 {
			t.Fatalf("sync --json after a log: exit %d %+v\n%s%s", code, r, out, errOut)
		}
		crmContact := ""
		for _, o := range srv.List("contacts") {
			if o.Properties["email"] == d.Contacts[0].Email {
				crmContact = o.ID
			}
		}
		calls := srv.List("calls")
		if len(calls) != 1 || crmContact == "" || !slices.Equal(srv.AssociatedIDs("calls", calls[0].ID, "contacts"), []string{crmContact}) {
			t.Errorf("CRM calls after the push: %+v", calls)
		}
		code, out, _ = run(t, env, "sync", "--json")
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Pushed != 0 {
			t.Errorf("a second sync pushed again: %s", out)
		}
		code, out, errOut = run(t, env, "doctor", "--json")
		noToken(out, errOut)
		if !strings.Contains(out, `"name": "crm",
      "status": "ok"`) {
			t.Errorf("doctor's CRM check against the server: exit %d\n%s%s", code, out, errOut)
		}
		db, err := os.ReadFile(filepath.Join(home, "data", "shortlist", "shortlist.db"))
		if err != nil || bytes.Contains(db, []byte(srv.Token())) {
			t.Errorf("the token is in the database (or it cannot be read: %v)", err)
		}
	})

	// The consent guarantee end to end: a contact who opts out on a call,
	// with the rep trying to keep a follow-up anyway (--next), and then out
	// of email as well: after the sync the CRM has them unsubscribed and no
	// open call or email task for them, and neither has the book.
	t.Run("consent holds from the log to the CRM", func(t *testing.T) {
		_, out, _ := run(t, env, "accounts", "--json")
		var accts []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(out), &accts); err != nil || len(accts) == 0 {
			t.Fatalf("accounts: %v\n%s", err, out)
		}
		_, out, _ = run(t, env, "show", fmt.Sprint(accts[len(accts)-1].ID), "--json")
		var d struct {
			Contacts []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"contacts"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil || len(d.Contacts) == 0 {
			t.Fatalf("show: %v\n%s", err, out)
		}
		who := d.Contacts[len(d.Contacts)-1]
		id := fmt.Sprint(who.ID)
		code, out, errOut := run(t, env, "log", "--contact", id, "--channel", "call", "--outcome", "opted-out", "--next", "today")
		if code != 0 || !strings.Contains(out, "no call task: ") {
			t.Fatalf("opt-out with --next: exit %d\n%s%s", code, out, errOut)
		}
		if code, out, errOut = run(t, env, "log", "--contact", id, "--channel", "email", "--outcome", "opted-out", "--next", "+2"); code != 0 {
			t.Fatalf("email opt-out: exit %d\n%s%s", code, out, errOut)
		}
		code, out, errOut = run(t, env, "sync", "--json")
		noToken(out, errOut)
		var r struct {
			Pending int `json:"pending"`
			Held    []struct {
				Reason string `json:"reason"`
			} `json:"held"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Pending != 0 || len(r.Held) != 0 {
			t.Fatalf("sync after the opt-outs: exit %d %+v\n%s%s", code, r, out, errOut)
		}
		var crmID string
		for _, o := range srv.List("contacts") {
			if o.Properties["email"] == who.Email {
				crmID = o.ID
				if o.Properties["hs_email_optout"] != "true" || o.Properties["shortlist_do_not_call"] != "true" {
					t.Errorf("the CRM contact is not opted out: email %q, do not call %q",
						o.Properties["hs_email_optout"], o.Properties["shortlist_do_not_call"])
				}
			}
		}
		if crmID == "" {
			t.Fatalf("contact %s not in the CRM", who.Email)
		}
		for _, k := range srv.List("tasks") {
			ty, st := k.Properties["hs_task_type"], k.Properties["hs_task_status"]
			if st != "COMPLETED" && (ty == "CALL" || ty == "EMAIL") && slices.Contains(srv.AssociatedIDs("tasks", k.ID, "contacts"), crmID) {
				t.Errorf("the CRM holds an open %s task for the contact who opted out: %+v", ty, k.Properties)
			}
		}
		_, out, _ = run(t, env, "show", fmt.Sprint(accts[len(accts)-1].ID), "--json")
		var after struct {
			Tasks []struct {
				ContactID int64  `json:"contact_id"`
				Kind      string `json:"kind"`
			} `json:"open_tasks"`
		}
		if err := json.Unmarshal([]byte(out), &after); err != nil {
			t.Fatal(err)
		}
		for _, k := range after.Tasks {
			if k.ContactID == who.ID && (k.Kind == "call" || k.Kind == "email") {
				t.Errorf("the book holds an open %s task for the contact who opted out", k.Kind)
			}
		}
	})

	t.Run("refusals are one line and exit 1", func(t *testing.T) {
		cases := []struct {
			name string
			env  []string
			want string
		}{
			{"no owner email", nil, "shortlist: sync needs [crm] owner_email in config.toml or SHORTLIST_HUBSPOT_OWNER_EMAIL\n"},
			{"no token", env[1:], "shortlist auth hubspot"},
			{"bad token", append([]string{"SHORTLIST_HUBSPOT_TOKEN=pat-wrong"}, env[1:]...), "HubSpot refused the token: run shortlist auth hubspot"},
			{"plain http off loopback", []string{env[0], "SHORTLIST_HUBSPOT_BASE_URL=http://crm.example.com", env[2]}, "plain http"},
			{"unknown owner", []string{env[0], env[1], "SHORTLIST_HUBSPOT_OWNER_EMAIL=nobody@acme.test"}, "nobody@acme.test"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := run(t, tc.env, "--db", filepath.Join(t.TempDir(), "b.db"), "sync")
				noToken(out, errOut)
				if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
					t.Errorf("exit %d, stderr %q; want 1 and one line with %q", code, errOut, tc.want)
				}
			})
		}
	})

	t.Run("demo sandbox, twice", func(t *testing.T) {
		code, out, errOut := run(t, nil, "--demo", "sync")
		if code != 0 || errOut != "" {
			t.Fatalf("demo sync: exit %d\n%s\n%s", code, out, errOut)
		}
		if strings.Contains(out, "pulled 0,") {
			t.Errorf("the first demo sync pulled nothing:\n%s", out)
		}
		if !strings.Contains(out, "connect the demo CRM") || strings.Contains(out, "HubSpot") {
			t.Errorf("the demo's progress should name the demo CRM, never HubSpot:\n%s", out)
		}
		// The second (a new process) finds nothing new but the buyers the
		// sandbox makes reach out before every sync: a reply, maybe a form.
		code, out, errOut = run(t, nil, "--demo", "sync")
		signals := strings.Count(out, "\n  ! ")
		if code != 0 || signals < 1 || signals > 2 || !strings.Contains(out, fmt.Sprintf("pulled %d, pushed 0, 0 conflicts", signals)) ||
			!strings.Contains(out, " replied: '") {
			t.Errorf("the second demo sync (a new process): exit %d, want only a buyer's reply (and maybe a form) pulled\n%s\n%s", code, out, errOut)
		}
	})
}
