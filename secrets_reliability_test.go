//go:build reliability

package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestReliabilitySecretsFullCLISync runs the real binary's sync against a
// HubSpot test server with a known token, handed over once through
// SHORTLIST_HUBSPOT_TOKEN and once through the 0600 token file that
// `auth hubspot` writes when there is no keyring: good syncs, syncs under
// faults (5xx, 429, resets, malformed and truncated JSON), a refused token,
// a wrong token, the server stopped, `sync --json`, `doctor`, `auth status`.
// After every command it reads every file under the test's HOME, XDG and
// TMPDIR directories (the book, its -wal and -shm, which a connection the
// test holds open keeps on disk between commands) except the token file
// itself, and at the end every byte of every command's stdout and stderr:
// neither the token nor its base64 form appears anywhere. Data files are 0600.
func TestReliabilitySecretsFullCLISync(t *testing.T) {
	bin, _, _ := relBin(t)
	token, wrong := newPAT(t), newPAT(t)
	secrets := secretForms(token, wrong)

	root := t.TempDir()
	home := filepath.Join(root, "home")
	dirs := map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(root, "config"), "XDG_DATA_HOME": filepath.Join(root, "data"),
		"XDG_STATE_HOME": filepath.Join(root, "state"), "XDG_CACHE_HOME": filepath.Join(root, "cache"),
		"XDG_RUNTIME_DIR": filepath.Join(root, "runtime"), "TMPDIR": filepath.Join(root, "tmp"),
	}
	var base []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := dirs[k]; ours || strings.HasPrefix(k, "SHORTLIST_") || strings.HasPrefix(k, "XDG_") || k == "DBUS_SESSION_BUS_ADDRESS" {
			continue
		}
		base = append(base, kv)
	}
	for k, d := range dirs {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		base = append(base, k+"="+d)
	}
	// No keyring: a bus that is not there, so `auth hubspot` falls back to
	// the token file (and never touches a keyring on the machine running this).
	base = append(base, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(root, "no-bus"))
	withToken := func(tok string) []string {
		return append(append([]string(nil), base...), "SHORTLIST_HUBSPOT_TOKEN="+tok)
	}
	configDir := filepath.Join(dirs["XDG_CONFIG_HOME"], "shortlist")
	tokenFile := filepath.Join(configDir, "hubspot.token")
	book := filepath.Join(dirs["XDG_DATA_HOME"], "shortlist", "shortlist.db")

	srv := hubspottest.NewServer(hubspottest.Options{Token: token, RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	const owner = "rep@example.com"
	seedSecretsPortal(srv, owner, 6, 3)

	var output bytes.Buffer // every byte every command wrote
	var commands, filesRead, hits, walNotes int
	var fileBytes int64
	scanFiles := func(after string) {
		t.Helper()
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() || path == tokenFile {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			filesRead++
			fileBytes += int64(len(b))
			if strings.HasSuffix(path, "-wal") && bytes.Contains(b, []byte("secrets run")) {
				walNotes++ // the scan sees what a command just wrote in the WAL
			}
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					hits++
					t.Errorf("after %s: %s holds the token (as %q)", after, path, s)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan files after %s: %v", after, err)
		}
	}
	run := func(env []string, stdin string, args ...string) result {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		start := time.Now()
		err := cmd.Run()
		if d := time.Since(start); d > time.Second {
			t.Logf("%v took %s", args, d.Round(time.Millisecond))
		}
		r := result{out: out.String(), errOut: errOut.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		commands++
		output.Write(out.Bytes())
		output.Write(errOut.Bytes())
		scanFiles(strings.Join(args, " "))
		return r
	}
	want := func(r result, code int, what string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, code, r.out, r.errOut)
		}
	}

	// Setup: a config from init pointed at the test server, the token
	// through auth hubspot on stdin, into the file.
	want(run(base, "", "init"), 0, "init")
	cfgPath := filepath.Join(configDir, "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	head, crm, ok := strings.Cut(string(cfg), "\n[crm]\n")
	if !ok {
		t.Fatalf("init wrote no [crm] table:\n%s", cfg)
	}
	for _, kv := range [][2]string{{`kind = ""`, `kind = "hubspot"`}, {`owner_email = ""`, `owner_email = "` + owner + `"`}, {`base_url = ""`, `base_url = "` + srv.URL() + `"`}} {
		if !strings.Contains(crm, kv[0]) {
			t.Fatalf("init's [crm] table has no %s", kv[0])
		}
		crm = strings.Replace(crm, kv[0], kv[1], 1)
	}
	if err := os.WriteFile(cfgPath, []byte(head+"\n[crm]\n"+crm), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(base, token+"\n", "auth", "hubspot")
	want(r, 0, "auth hubspot")
	checkMode(t, tokenFile)
	if r := run(base, "", "auth", "status"); r.code != 0 || !strings.Contains(r.out+r.errOut, tokenFile) {
		t.Fatalf("auth status does not name the token file: %+v", r)
	}

	// A good sync with the file's token, then the rep's work to push.
	want(run(base, "", "sync"), 0, "first sync")
	stopHolding := holdOpen(t, book) // keeps -wal and -shm on disk between commands
	keep := rawDB(t, book)
	contacts := ids(t, keep, `SELECT id FROM contacts WHERE consent_call = 'allowed' AND phone != '' ORDER BY id`)
	tasks := ids(t, keep, `SELECT id FROM tasks WHERE status = 'open' AND crm_id IS NOT NULL ORDER BY id`)
	if len(contacts) < 4 || len(tasks) < 2 {
		t.Fatalf("the first sync brought %d callable contacts and %d open CRM tasks", len(contacts), len(tasks))
	}
	keep.Close() // this process's reads of the book's files drop its locks: no connection here from now on
	logs := 0
	logOne := func(env []string) {
		t.Helper()
		c := contacts[logs%len(contacts)]
		logs++
		want(run(env, "", "log", "--contact", strconv.FormatInt(c, 10), "--outcome", "no-answer", "--note", fmt.Sprintf("secrets run %d", logs)), 0, "log")
	}
	logOne(base)
	want(run(base, "", "done", strconv.FormatInt(tasks[0], 10)), 0, "done")
	want(run(base, "", "sync"), 0, "sync with work to push")

	// Syncs under faults, each with fresh work queued; the adapter's own
	// retries and backoff (the CLI's, not a test's) meet them.
	push := "/crm/v3/objects/"
	faults := []struct {
		name  string
		fault hubspottest.Fault
	}{
		{"503 x3", hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 503, Times: 3}},
		{"502 on push", hubspottest.Fault{Method: "POST", Path: push, Kind: hubspottest.FaultStatus, Code: 502, Times: -1}},
		{"resets x3", hubspottest.Fault{Kind: hubspottest.FaultReset, Times: 3}},
		{"reset after a push applied", hubspottest.Fault{Method: "POST", Path: push + "calls/batch/", Kind: hubspottest.FaultResetAfterApply, Times: 1}},
		{"429 secondly x3", hubspottest.Fault{Kind: hubspottest.FaultRateLimit, Policy: "SECONDLY", Times: 3}},
		{"429 daily", hubspottest.Fault{Kind: hubspottest.FaultRateLimit, Policy: "DAILY", Times: -1}},
		{"malformed JSON", hubspottest.Fault{Kind: hubspottest.FaultMalformed, Times: 1}},
		{"truncated JSON", hubspottest.Fault{Kind: hubspottest.FaultTruncated, After: 2, Times: 1}},
		{"refused token (401)", hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 401, Times: -1}},
	}
	injected, faultedFailed := 0, 0
	for _, f := range faults {
		logOne(base)
		before := len(srv.Requests())
		srv.Inject(f.fault)
		r := run(base, "", "sync")
		srv.ClearFaults()
		n := faultHits(srv.Requests()[before:], f.fault)
		if n == 0 {
			t.Errorf("fault %s never fired", f.name)
		}
		injected += n
		if r.code != 0 {
			faultedFailed++
		}
		t.Logf("fault %-28s %d hit, exit %d: %s", f.name, n, r.code, lastLine(r.errOut))
	}
	// Caught up, as JSON.
	r = run(base, "", "sync", "--json")
	want(r, 0, "sync --json after the faults")
	var rep struct {
		Pending  int `json:"pending"`
		HeldBack int `json:"held_back"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("sync --json: %v\n%s", err, r.out)
	}
	if rep.Pending != 0 {
		t.Errorf("after the faults %d changes are still queued", rep.Pending)
	}
	run(base, "", "doctor")
	run(base, "", "doctor", "--json")
	run(base, "", "auth", "status")

	// A wrong token through the environment: HubSpot's real 401.
	r = run(withToken(wrong), "", "sync")
	if r.code != 1 || !strings.Contains(r.errOut, "refused the token") {
		t.Errorf("sync with a wrong token: %+v", r)
	}
	run(withToken(wrong), "", "doctor")
	run(withToken(wrong), "", "auth", "status")

	// The token through the environment only.
	want(run(base, "", "auth", "logout"), 0, "auth logout")
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Fatalf("auth logout left the token file: %v", err)
	}
	env := withToken(token)
	if r := run(env, "", "auth", "status"); r.code != 0 || !strings.Contains(r.out+r.errOut, "SHORTLIST_HUBSPOT_TOKEN") {
		t.Errorf("auth status does not name the environment variable: %+v", r)
	}
	logOne(env)
	want(run(env, "", "done", strconv.FormatInt(tasks[1], 10)), 0, "done")
	srv.Inject(hubspottest.Fault{Kind: hubspottest.FaultReset, Times: 2})
	before := len(srv.Requests())
	want(run(env, "", "sync"), 0, "sync with resets, token from the environment")
	injected += faultHits(srv.Requests()[before:], hubspottest.Fault{Kind: hubspottest.FaultReset, Times: 2})
	srv.ClearFaults()
	logOne(env)
	want(run(env, "", "sync", "--json"), 0, "sync --json, token from the environment")
	run(env, "", "doctor")
	run(env, "", "doctor", "--json")

	// The server stopped: offline, with the token in both places.
	authorized, refused := 0, 0
	for _, q := range srv.Requests() {
		if q.Authorized {
			authorized++
		} else {
			refused++
		}
	}
	srv.Close()
	logOne(env)
	r = run(env, "", "sync")
	if r.code != 1 || !strings.Contains(r.errOut, "offline") {
		t.Errorf("sync with the server stopped: %+v", r)
	}
	run(env, "", "doctor")
	want(run(base, token+"\n", "auth", "hubspot"), 0, "auth hubspot offline (stored unchecked)")
	checkMode(t, tokenFile)
	run(base, "", "auth", "status")
	if r := run(base, "", "sync"); r.code != 1 {
		t.Errorf("offline sync with the file's token: %+v", r)
	}

	// Every byte of output, and the data files' modes.
	for _, s := range secrets {
		if bytes.Contains(output.Bytes(), []byte(s)) {
			hits++
			i := bytes.Index(output.Bytes(), []byte(s))
			t.Errorf("the output holds the token (as %q): …%s…", s, output.Bytes()[max(0, i-80):min(output.Len(), i+80)])
		}
	}
	dataFiles := 0
	for _, d := range []string{dirs["XDG_CONFIG_HOME"], dirs["XDG_DATA_HOME"], dirs["XDG_STATE_HOME"], dirs["XDG_CACHE_HOME"]} {
		filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				dataFiles++
				checkMode(t, path)
			}
			return err
		})
	}
	stopHolding()
	// The scan finds what it looks for: the token file (left out of the
	// scan) holds the token, and base64 text holding it shows a form.
	if b, err := os.ReadFile(tokenFile); err != nil || !bytes.Contains(b, []byte(token)) {
		t.Errorf("the token file does not hold the token (%v): the scan proves nothing", err)
	}
	for shift := range 3 {
		enc := base64.URLEncoding.EncodeToString([]byte(strings.Repeat("a", shift) + "Bearer " + token + "\n"))
		if !slices.ContainsFunc(secrets, func(s string) bool { return strings.Contains(enc, s) }) {
			t.Errorf("base64 of the token at offset %d escapes the scan", shift)
		}
	}
	if walNotes == 0 {
		t.Error("no scan of the -wal file saw a logged note: the WAL was not scanned")
	}
	if authorized == 0 || refused == 0 {
		t.Errorf("the server saw %d requests with the token and %d without; want both", authorized, refused)
	}
	t.Logf("%d commands (%d syncs under faults: %d faults injected, %d of those syncs failed), %d requests with the token, %d refused; "+
		"scanned %d bytes of output and %d file reads (%d bytes; %d WAL reads held a note just logged) for %d forms of 2 tokens: %d hits; %d data files, all 0600",
		commands, len(faults)+1, injected, faultedFailed, authorized, refused, output.Len(), filesRead, fileBytes, walNotes, len(secrets), hits, dataFiles)
}

// newPAT is a random token shaped like a HubSpot private-app token.
func newPAT(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(b)
	return "pat-na1-" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// secretForms are the strings that give a token away: the token, and the
// part of its base64 (standard and URL alphabets) that is the same wherever
// it starts in a longer base64 text (each of the three alignments, without
// the characters it shares with its neighbours).
func secretForms(tokens ...string) []string {
	var out []string
	for _, tok := range tokens {
		out = append(out, tok)
		for shift := range 3 {
			enc := base64.StdEncoding.EncodeToString(append(bytes.Repeat([]byte{'x'}, shift), tok...))
			lo := 0
			if shift > 0 {
				lo = 4
			}
			core := enc[lo : len(enc)-4]
			out = append(out, core)
			if url := strings.NewReplacer("+", "-", "/", "_").Replace(core); url != core {
				out = append(out, url)
			}
		}
	}
	return out
}

// checkMode fails unless path is a file only its owner can read or write.
func checkMode(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Errorf("stat %s: %v", path, err)
		return
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", path, m)
	}
}

// holdOpen keeps the book open in a child process (TestSecretsBookHolder)
// until the returned func is called, so the CLI's last close does not
// checkpoint and remove the -wal and -shm files: the scan between commands
// then reads what each command wrote there. It takes another process
// because this one reads those files, and closing any descriptor of a file
// drops every POSIX lock the process holds on it, SQLite's included.
func holdOpen(t *testing.T, path string) (stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecretsBookHolder$")
	cmd.Env = append(os.Environ(), "SHORTLIST_HOLD_BOOK="+path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "holding" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the book holder did not start: %q %v", line, err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		in.Close()
		go io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			t.Errorf("the book holder: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestSecretsBookHolder is holdOpen's child: it opens the book named in
// SHORTLIST_HOLD_BOOK, reads it, says "holding" and keeps it open until its
// standard input closes.
func TestSecretsBookHolder(t *testing.T) {
	path := os.Getenv("SHORTLIST_HOLD_BOOK")
	if path == "" {
		t.Skip("run by TestReliabilitySecretsFullCLISync")
	}
	db := rawDB(t, path)
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if scalar(t, db, "SELECT count(*) FROM accounts") == 0 {
		t.Fatal("the book has no accounts")
	}
	fmt.Println("holding")
	io.Copy(io.Discard, os.Stdin)
}

func ids(t *testing.T, db *sql.DB, q string) []int64 {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// faultHits counts the requests a fault hit: those it matches, past After,
// up to Times.
func faultHits(reqs []hubspottest.Request, f hubspottest.Fault) int {
	seen, n := 0, 0
	for _, q := range reqs {
		if f.Method != "" && !strings.EqualFold(f.Method, q.Method) || !strings.HasPrefix(q.Path, f.Path) || !q.Authorized {
			continue
		}
		seen++
		if seen > f.After && (f.Times < 0 || n < max(f.Times, 1)) {
			n++
		}
	}
	return n
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// seedSecretsPortal puts n companies owned by the rep into the server, each
// with contactsPer callable contacts and one open call task.
func seedSecretsPortal(srv *hubspottest.Server, email string, n, contactsPer int) {
	owner := srv.AddOwner(email, "Rita", "Rep")
	due := strconv.FormatInt(time.Now().Add(48*time.Hour).UnixMilli(), 10)
	for i := range n {
		co := srv.Put("companies", map[string]string{
			"name": fmt.Sprintf("Secret Co %02d", i), "industry": "Software", "numberofemployees": strconv.Itoa(200 + 10*i),
			"country": "US", "timezone": "America/New_York", "hubspot_owner_id": owner,
		})
		var first string
		for j := range contactsPer {
			c := srv.Put("contacts", map[string]string{
				"firstname": fmt.Sprintf("First%d", j), "lastname": fmt.Sprintf("Last%02d", i), "jobtitle": "VP Sales",
				"email": fmt.Sprintf("c%d.%d@example.com", i, j), "phone": "+1 212 555 0100",
				"associatedcompanyid": co, "hubspot_owner_id": owner,
			})
			if err := srv.Associate("contacts", c, "companies", co); err != nil {
				panic(err)
			}
			if first == "" {
				first = c
			}
		}
		k := srv.Put("tasks", map[string]string{"hs_task_subject": fmt.Sprintf("Call about renewal %d", i), "hs_task_type": "CALL",
			"hs_task_status": "NOT_STARTED", "hs_task_priority": "MEDIUM", "hs_timestamp": due, "hubspot_owner_id": owner})
		for _, a := range [][2]string{{"companies", co}, {"contacts", first}} {
			if err := srv.Associate("tasks", k, a[0], a[1]); err != nil {
				panic(err)
			}
		}
	}
}
