//go:build reliability

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
)

// The reliability campaign against the built binary (RELIABILITY.md). Run
// with: go test -tags reliability -count=1 -run Reliability -v .
// SHORTLIST_CRASH_RUNS sets the crash loop's runs (default 200).

// relBin builds shortlist once per test and returns it with an environment
// whose config and data live under dir.
func relBin(t *testing.T) (bin string, env []string, dir string) {
	t.Helper()
	dir = t.TempDir()
	bin = filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env = append(append(os.Environ(), pinnedEnv()...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "SHORTLIST_DB=", "SHORTLIST_HUBSPOT_TOKEN=")
	return bin, env, dir
}

type result struct {
	code        int
	out, errOut string
}

func runBin(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{code, out.String(), errOut.String()}
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func scalar(t *testing.T, r *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := r.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// bookCheck is what a book must satisfy after any fault: SQLite's
// integrity check, every local touch with its outbox row and every outbox
// row with its touch, every task a log wrote with its outbox row.
func bookCheck(t *testing.T, path string) {
	t.Helper()
	r := rawDB(t, path)
	var ok string
	if err := r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	if n := scalar(t, r, `SELECT count(*) FROM touches t WHERE origin = 'local' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.op_id = t.op_id AND o.kind = 'touch.create')`); n != 0 {
		t.Fatalf("%d touches without their outbox row", n)
	}
	if n := scalar(t, r, `SELECT count(*) FROM outbox o WHERE kind = 'touch.create' AND NOT EXISTS
		(SELECT 1 FROM touches t WHERE t.op_id = o.op_id)`); n != 0 {
		t.Fatalf("%d outbox rows without their touch", n)
	}
	if n := scalar(t, r, `SELECT count(*) FROM tasks k WHERE origin = 'local' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.kind = 'task.create' AND o.entity_id = k.id)`); n != 0 {
		t.Fatalf("%d logged next actions without their outbox row", n)
	}
}

func TestReliabilityCrashWhileLogging(t *testing.T) {
	runs := 200
	if s := os.Getenv("SHORTLIST_CRASH_RUNS"); s != "" {
		runs, _ = strconv.Atoi(s)
	}
	bin, env, dir := relBin(t)
	book := filepath.Join(dir, "book.db")
	if r := runBin(t, bin, env, "demo", "--accounts", "40", "--seed", "7", "--db", book); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	// Contacts a log is accepted for (not opted out, has a phone).
	r := rawDB(t, book)
	rows, err := r.Query(`SELECT id FROM contacts WHERE consent_call = 'allowed' AND phone != '' ORDER BY id LIMIT 30`)
	if err != nil {
		t.Fatal(err)
	}
	var contacts []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		contacts = append(contacts, id)
	}
	rows.Close()
	r.Close()
	if len(contacts) == 0 {
		t.Fatal("no callable contacts in the demo book")
	}
	// How long one log takes, so kills land before, during and after the
	// write in about equal measure.
	start := time.Now()
	if r := runBin(t, bin, env, "--db", book, "log", "--contact", strconv.FormatInt(contacts[0], 10), "--outcome", "busy", "--note", "warm-up", "--json"); r.code != 0 {
		t.Fatalf("warm-up log: %+v", r)
	}
	span := time.Since(start)
	outcomes := []string{"no-answer", "busy", "left-voicemail", "connected", "bad-timing"}
	rng := rand.New(rand.NewPCG(6, 6))
	acked := map[string]int64{} // note -> touch id the binary printed
	var killed, finished, refused int
	for i := range runs {
		note := fmt.Sprintf("crash-run-%d", i)
		cmd := exec.Command(bin, "--db", book, "log", "--contact", strconv.FormatInt(contacts[i%len(contacts)], 10),
			"--outcome", outcomes[i%len(outcomes)], "--note", note, "--json")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var werr error
		select {
		case werr = <-done:
		case <-time.After(time.Duration(rng.Int64N(int64(span) * 3 / 2))):
			cmd.Process.Signal(syscall.SIGKILL)
			werr = <-done
		}
		var ee *exec.ExitError
		switch {
		case errors.As(werr, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
			killed++
		case werr == nil:
			finished++
		default:
			refused++
			t.Logf("run %d: exit without a kill: %v: %s", i, werr, errOut.String())
		}
		// Printed success is a promise: the touch id must be in the book.
		var res struct {
			Touch struct {
				ID int64 `json:"id"`
			} `json:"touch"`
		}
		if json.Unmarshal(out.Bytes(), &res) == nil && res.Touch.ID != 0 {
			acked[note] = res.Touch.ID
		}
		if i%25 == 24 || i == runs-1 {
			bookCheck(t, book)
		}
	}
	if refused > runs/10 {
		t.Fatalf("%d of %d runs failed without being killed", refused, runs)
	}
	bookCheck(t, book)
	r = rawDB(t, book)
	lost, dup, present := 0, 0, 0
	for i := range runs {
		note := fmt.Sprintf("crash-run-%d", i)
		n := scalar(t, r, "SELECT count(*) FROM touches WHERE note = ?", note)
		if n > 1 {
			dup++
		}
		if n > 0 {
			present++
		}
		if id, ok := acked[note]; ok && scalar(t, r, "SELECT count(*) FROM touches WHERE id = ? AND note = ?", id, note) != 1 {
			lost++
		}
	}
	t.Logf("crash loop: %d runs, %d SIGKILLed, %d finished, %d failed; %d logs reported success, %d present (%d committed before the kill but unreported); lost %d, duplicated %d",
		runs, killed, finished, refused, len(acked), present, present-len(acked), lost, dup)
	if lost != 0 || dup != 0 {
		t.Fatalf("lost %d, duplicated %d", lost, dup)
	}
	if killed < runs/4 || len(acked) < runs/4 {
		t.Fatalf("the loop proved little: %d killed, %d acknowledged of %d", killed, len(acked), runs)
	}
}

// mountTmpfs mounts a tmpfs of size at a new directory, or skips with the
// reason when this machine does not allow it.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): run as root on Linux for this scenario", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// touchCount opens the book, counts its touches and closes it again, so
// nothing holds the file afterwards.
func touchCount(t *testing.T, path string) int {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return scalar(t, r, "SELECT count(*) FROM touches")
}

// oneLineFailure: exit 1, nothing on stdout, one "shortlist: " line.
func oneLineFailure(t *testing.T, what string, r result, want string) {
	t.Helper()
	if r.code != 1 || strings.Count(r.errOut, "\n") != 1 || !strings.HasPrefix(r.errOut, "shortlist: ") || !strings.Contains(r.errOut, want) {
		t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line containing %q", what, r.code, r.errOut, want)
	}
}

func TestReliabilityDiskAndFiles(t *testing.T) {
	bin, env, dir := relBin(t)
	ctx := context.Background()
	logArgs := func(book, note string) []string {
		return []string{"--db", book, "log", "--contact", "1", "--outcome", "no-answer", "--note", note}
	}

	t.Run("read-only directory", func(t *testing.T) {
		mnt := mountTmpfs(t, "16m")
		book := filepath.Join(mnt, "book.db")
		if r := runBin(t, bin, env, "demo", "--accounts", "20", "--db", book); r.code != 0 {
			t.Fatalf("demo: %+v", r)
		}
		before := touchCount(t, book)
		if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only: %v %s", err, out)
		}
		// Reading works: an intact book on a read-only file system opens
		// read-only (it was "not a Shortlist database").
		for _, args := range [][]string{{"today"}, {"show", "1"}, {"accounts"}, {"search", "a"},
			{"export", "accounts"}, {"backup", filepath.Join(dir, "ro-copy.db")}, {"today", "--json"}} {
			r := runBin(t, bin, env, append([]string{"--db", book}, args...)...)
			if r.code != 0 || r.out == "" {
				t.Errorf("%v on a read-only book: exit %d, stderr %q", args, r.code, r.errOut)
			}
		}
		// Writing names the file and says why.
		r := runBin(t, bin, env, logArgs(book, "ro")...)
		oneLineFailure(t, "log", r, book+" is read-only (its file system is read-only): nothing was changed")
		oneLineFailure(t, "new book", runBin(t, bin, env, "demo", "--db", filepath.Join(mnt, "sub", "new.db")), "read-only")
		oneLineFailure(t, "no book", runBin(t, bin, env, "--db", filepath.Join(mnt, "sub", "new.db"), "today"), "no book at")
		exec.Command("mount", "-o", "remount,rw", mnt).Run()
		bookCheck(t, book)
		if n := touchCount(t, book); n != before {
			t.Errorf("touches %d, were %d", n, before)
		}
	})

	t.Run("full disk", func(t *testing.T) {
		mnt := mountTmpfs(t, "3m")
		book := filepath.Join(mnt, "book.db")
		if r := runBin(t, bin, env, "demo", "--accounts", "20", "--db", book); r.code != 0 {
			t.Fatalf("demo: %+v", r)
		}
		before := touchCount(t, book)
		// Fill what is left.
		f, err := os.Create(filepath.Join(mnt, "filler"))
		if err != nil {
			t.Fatal(err)
		}
		chunk := make([]byte, 64<<10)
		for {
			if _, err := f.Write(chunk); err != nil {
				break
			}
		}
		f.Close()
		faults := 0
		for i := range 20 {
			r := runBin(t, bin, env, logArgs(book, fmt.Sprintf("full-%d", i))...)
			if r.code == 0 {
				continue // a page freed in the WAL can still take a small log
			}
			faults++
			oneLineFailure(t, "log on a full disk", r, "disk full")
		}
		os.Remove(filepath.Join(mnt, "filler"))
		bookCheck(t, book)
		after := touchCount(t, book)
		if r := runBin(t, bin, env, logArgs(book, "after")...); r.code != 0 {
			t.Fatalf("log after freeing space: %+v", r)
		}
		t.Logf("full disk: %d of 20 logs refused with a one-line error, %d went in; touches %d -> %d; integrity ok", faults, 20-faults, before, after)
		if faults == 0 {
			t.Error("the disk never filled: the scenario proved nothing")
		}
	})

	t.Run("deleted, truncated and newer books", func(t *testing.T) {
		book := filepath.Join(dir, "files.db")
		if r := runBin(t, bin, env, "demo", "--accounts", "20", "--db", book); r.code != 0 {
			t.Fatalf("demo: %+v", r)
		}
		b, err := os.ReadFile(book)
		if err != nil {
			t.Fatal(err)
		}
		trunc := filepath.Join(dir, "trunc.db")
		os.WriteFile(trunc, b[:len(b)/3], 0o600)
		oneLineFailure(t, "truncated", runBin(t, bin, env, "--db", trunc, "today"), "truncated")
		if got, _ := os.ReadFile(trunc); len(got) != len(b)/3 {
			t.Error("the truncated book was changed")
		}
		// The book deleted while its -wal remains: refused, not recreated.
		gone := filepath.Join(dir, "gone.db")
		os.WriteFile(gone+"-wal", []byte("not empty"), 0o600)
		oneLineFailure(t, "deleted", runBin(t, bin, env, "--db", gone, "today"), "leftover -wal")
		newer := filepath.Join(dir, "newer.db")
		os.WriteFile(newer, b, 0o600)
		r := rawDB(t, newer)
		if _, err := r.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
		r.Close()
		snap, _ := os.ReadFile(newer)
		oneLineFailure(t, "newer", runBin(t, bin, env, "--db", newer, "log", "--contact", "1", "--outcome", "busy"), "upgrade shortlist")
		if got, _ := os.ReadFile(newer); string(got) != string(snap) {
			t.Error("the newer book was changed")
		}
	})
}
