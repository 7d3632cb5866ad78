//go:build reliability

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// twoTermErrors are the words an error line on the TUI's screen carries
// (ui/messages.go errText and the log screen's failures).
var twoTermErrors = []string{"locked", "database is busy", "try again", "took too long",
	"nothing was logged", "press r to refresh", "sqlite", "failed", "could not"}

var doneTodayRE = regexp.MustCompile(`done today (\d+)`)

// twoTerm is the TUI running in a private tmux server.
type twoTerm struct {
	t    *testing.T
	sock string
	keys int
}

func (d *twoTerm) tmux(args ...string) string {
	d.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", d.sock}, args...)...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen captures the pane and fails on any error line.
func (d *twoTerm) screen() string {
	d.t.Helper()
	s := d.tmux("capture-pane", "-p", "-t", "tt")
	low := strings.ToLower(s)
	for _, w := range twoTermErrors {
		if strings.Contains(low, w) {
			d.t.Fatalf("the TUI shows an error (%q):\n%s", w, s)
		}
	}
	return s
}

func (d *twoTerm) key(k string) {
	d.t.Helper()
	d.tmux("send-keys", "-t", "tt", k)
	d.keys++
}

// waitFor polls the screen until ok holds.
func (d *twoTerm) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	d.t.Helper()
	end := time.Now().Add(timeout)
	for {
		s := d.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(end) {
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// poll reports whether ok holds for the screen within timeout.
func (d *twoTerm) poll(timeout time.Duration, ok func(string) bool) bool {
	d.t.Helper()
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if ok(d.screen()) {
			return true
		}
	}
	return false
}

func doneToday(s string) int {
	m := doneTodayRE.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestReliabilityTwoTerminals opens the TUI on the demo book in tmux and,
// at the same time, logs touches and syncs with the CLI binary in a loop
// while the test logs from the TUI too (j/k, l + an outcome key). Neither
// side may show an error; after a key the TUI counts every touch the book
// held before it; at the end every touch from both sides is in the book
// exactly once or, if a sync removed its account, was pushed to the CRM
// first, and the book checks out.
//
// The first demo sync meets a company reassigned in the CRM and, once its
// work is pushed, removes it from the book with its touches (storage
// PurgeDeparted). So "what the book held before the key" is counted in the
// book, not from how many logs succeeded: that difference was the 2–3
// touch "freshness miss" this run reported before.
func TestReliabilityTwoTerminals(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: .ci/run installs it")
	}
	cliLogs := 60
	bin, env, dir := relBin(t)
	book := filepath.Join(dir, "book.db")
	demoBook := filepath.Join(dir, "demo.db") // --demo opens demo.db beside --db
	g := []string{"--demo", "--db", book}
	// Write the demo book first, so the two processes never race its fill.
	if r := runBin(t, bin, env, append(g, "today")...); r.code != 0 || r.errOut != "" {
		t.Fatalf("fill the demo book: %+v", r)
	}
	r := rawDB(t, demoBook)
	var contacts []int64
	rows, err := r.Query(`SELECT id FROM contacts WHERE consent_call = 'allowed' AND phone != '' ORDER BY id LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, id)
	}
	rows.Close()
	if len(contacts) == 0 {
		t.Fatal("no callable contacts in the demo book")
	}
	before := scalar(t, r, "SELECT coalesce(max(id), 0) FROM touches")
	accountsBefore := scalar(t, r, "SELECT count(*) FROM accounts")

	d := &twoTerm{t: t, sock: fmt.Sprintf("shortlist-twoterm-%d-%d", os.Getpid(), time.Now().UnixNano())}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envArgs := []string{"env", "TERM=xterm-256color"}
	for _, e := range env {
		if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "XDG_") || strings.HasPrefix(e, "SHORTLIST_") || strings.HasPrefix(e, "TZ=") {
			envArgs = append(envArgs, e)
		}
	}
	shell := strings.Join(append([]string{bin}, g...), " ") + `; echo "[exited $?]"; sleep 60`
	d.tmux(append(append([]string{"-f", conf, "new-session", "-d", "-s", "tt", "-x", "100", "-y", "30"}, envArgs...), "sh", "-c", shell)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", d.sock, "kill-server").Run() })
	base := doneToday(d.waitFor("the worklist", 20*time.Second, func(s string) bool { return doneToday(s) >= 0 }))
	// The touches behind base: the book's base newest ones up to now, the
	// pinned clock's (the demo book dates none in the future).
	pinned, _ := time.Parse(time.RFC3339, binaryNow)
	var baseIDs []int64
	rows, err = r.Query("SELECT id FROM touches WHERE id <= ? AND at <= ? ORDER BY at DESC, id DESC LIMIT ?", before, pinned.Add(time.Hour).UnixMilli(), base)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		baseIDs = append(baseIDs, id)
	}
	rows.Close()
	if len(baseIDs) != base {
		t.Fatalf("the TUI shows done today %d, the book has %d touches up to now", base, len(baseIDs))
	}
	idList := "0"
	for _, id := range baseIDs {
		idList += "," + strconv.FormatInt(id, 10)
	}
	// held is what "done today" must reach once the TUI has seen every
	// commit up to touch id upTo: the touches of today up to it that the
	// book still holds. The book only loses touches (a purge), so asked
	// after the screen was read it never asks for more than the TUI saw.
	held := func(upTo int) int {
		return scalar(t, r, "SELECT count(*) FROM touches WHERE (id > ? AND id <= ?) OR id IN ("+idList+")", before, upTo)
	}
	maxID := func() int { return scalar(t, r, "SELECT coalesce(max(id), 0) FROM touches") }

	// The other terminal: logs with a unique note, a sync every 15 logs.
	// cliErr, syncs and heldTasks are read only after wg.Wait.
	var cliStopped atomic.Bool
	cliIDs := make([]int64, cliLogs) // written by the CLI loop, read after wg.Wait
	var syncs, heldTasks, goneContacts int
	var cliErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cliStopped.Store(true)
		next := 0
		for i := 0; i < cliLogs; i++ {
			if len(contacts) == 0 {
				cliErr = fmt.Errorf("cli log %d: every chosen contact was removed by a sync", i)
				return
			}
			next %= len(contacts)
			id := contacts[next]
			c := strconv.FormatInt(id, 10)
			cmd := exec.Command(bin, append(g, "log", "--contact", c, "--outcome", "busy", "--note", fmt.Sprintf("twoterm-cli-%d", i), "--json")...)
			out, err := runQuiet(cmd, env)
			var left int
			if err != nil && strings.Contains(err.Error(), "contact "+c+" not found") &&
				r.QueryRow("SELECT count(*) FROM contacts WHERE id = ?", id).Scan(&left) == nil && left == 0 {
				// A sync removed the contact's account (reassigned in the
				// CRM): log with the next contact instead.
				contacts = append(contacts[:next], contacts[next+1:]...)
				goneContacts++
				i--
				continue
			}
			if err != nil {
				cliErr = fmt.Errorf("cli log %d: %w", i, err)
				return
			}
			next++
			var v struct{ Touch struct{ ID int64 } }
			if err := json.Unmarshal(out, &v); err != nil || v.Touch.ID == 0 {
				cliErr = fmt.Errorf("cli log %d printed %q: %v", i, out, err)
				return
			}
			cliIDs[i] = v.Touch.ID
			if i%15 == 14 {
				cmd := exec.Command(bin, append(g, "sync", "--json")...)
				out, err := runQuiet(cmd, env)
				if err != nil {
					cliErr = fmt.Errorf("cli sync after log %d: %w", i, err)
					return
				}
				var rep struct {
					Errors []string
					Held   []struct{ Kind, State, Reason string }
				}
				if err := json.Unmarshal(out, &rep); err != nil {
					cliErr = fmt.Errorf("cli sync printed %q: %v", out, err)
					return
				}
				if len(rep.Errors) > 0 {
					cliErr = fmt.Errorf("cli sync after log %d: %s", i, rep.Errors[0])
					return
				}
				for _, h := range rep.Held {
					// Known sandbox limit (RELIABILITY.md): each process seeds its
					// own demo CRM with the book's open tasks only, so a task the
					// TUI closed since is missing there. Work on the demo's
					// local-only accounts waits for them to be in the CRM.
					// Anything else fails.
					switch {
					case h.Kind == "task.update" && strings.Contains(h.Reason, "may be deleted or not exist"):
						heldTasks++
					case h.State == "waiting":
					default:
						cliErr = fmt.Errorf("cli sync after log %d: %s held back: %s", i, h.Kind, h.Reason)
						return
					}
				}
				syncs++
			}
		}
	}()

	// This terminal: move, log, and check the CLI's touches show after a key.
	tuiLogs, moved, checks := 0, 0, 0
	keysFor := []string{"n", "b", "v", "s"}
	for step := 0; ; step++ {
		if cliStopped.Load() && step > 0 {
			break
		}
		upTo := maxID()
		checks++
		if step%3 == 2 {
			d.key("k")
		} else {
			d.key("j")
		}
		if !d.poll(3*time.Second, func(s string) bool { return doneToday(s) >= held(upTo) }) {
			got, want := doneToday(d.screen()), held(upTo)
			d.key("j")
			ok := d.poll(3*time.Second, func(s string) bool { return doneToday(s) >= held(upTo) })
			t.Fatalf("after a key the TUI shows done today %d, want ≥ %d (the book's touches of today up to id %d); after one more key caught up: %v",
				got, want, upTo, ok)
		}
		s := d.screen()
		if sel := selectedRow(s); sel == "" || strings.Contains(sel, "(account task)") {
			continue
		}
		d.key("l")
		opened := d.poll(3*time.Second, func(s string) bool {
			return strings.Contains(s, "Log outcome") || strings.Contains(s, "this row has no contact") ||
				strings.Contains(selectedRow(s), "(account task)")
		})
		s = d.screen()
		if !opened {
			// This was 0–1 per run: the j before it had not been read yet,
			// Bubble Tea read "jl" as one key that matched nothing, and
			// both were lost. The TUI now takes such keys one by one.
			t.Fatalf("an l key left no log screen and no message; screen:\n%s", s)
		}
		if !strings.Contains(s, "Log outcome") {
			// A reload (the CLI's commits) moved an account task under the
			// cursor between the screen read and the key: the TUI did right.
			moved++
			continue
		}
		k := ""
		for _, c := range keysFor {
			if strings.Contains(s, "  "+c+" "+strings.ToUpper(c)+"  ") {
				k = c
				break
			}
		}
		if k == "" {
			t.Fatalf("no outcome key to log with on:\n%s", s)
		}
		d.key(k)
		d.waitFor("the log confirmed", 5*time.Second, func(s string) bool {
			return !strings.Contains(s, "Log outcome") && strings.Contains(s, "logged ")
		})
		tuiLogs++
	}
	wg.Wait()
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	upTo := maxID()
	want := held(upTo)
	d.key("j")
	d.waitFor(fmt.Sprintf("done today %d at the end", want), 3*time.Second, func(s string) bool { return doneToday(s) == want })
	d.key("q")
	d.waitFor("the TUI to quit", 5*time.Second, func(s string) bool { return strings.Contains(s, "[exited 0]") })

	// Every touch from both sides: one outbox op each; in the book once,
	// or gone with its account after it was pushed to the CRM.
	if n := scalar(t, r, "SELECT count(DISTINCT entity_id) FROM outbox WHERE kind = 'touch.create' AND entity_id > ?", before); n != cliLogs+tuiLogs {
		t.Fatalf("%d touches logged (outbox), want %d (%d CLI + %d TUI)", n, cliLogs+tuiLogs, cliLogs, tuiLogs)
	}
	purged := 0
	for i, id := range cliIDs {
		n := scalar(t, r, "SELECT count(*) FROM touches WHERE id = ? AND note = ?", id, fmt.Sprintf("twoterm-cli-%d", i))
		if n == 1 {
			continue
		}
		if scalar(t, r, "SELECT count(*) FROM outbox WHERE kind = 'touch.create' AND entity_id = ? AND pushed_at IS NOT NULL", id) != 1 {
			t.Fatalf("cli touch %d (id %d) is gone from the book and was never pushed: lost", i, id)
		}
		purged++
	}
	tuiPurged := scalar(t, r, `SELECT count(*) FROM outbox o WHERE kind = 'touch.create' AND entity_id > ? AND pushed_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.id = o.entity_id)`, before) - purged
	if n := scalar(t, r, "SELECT count(*) FROM touches WHERE id > ? AND note NOT LIKE 'twoterm-cli-%'", before); n+tuiPurged != tuiLogs {
		t.Fatalf("%d touches from the TUI in the book and %d pushed then removed with their account, %d confirmed on screen", n, tuiPurged, tuiLogs)
	}
	if lost := scalar(t, r, `SELECT count(*) FROM outbox o WHERE kind = 'touch.create' AND pushed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.op_id = o.op_id)`); lost != 0 {
		t.Fatalf("%d touches gone from the book before they were pushed", lost)
	}
	accountsAfter := scalar(t, r, "SELECT count(*) FROM accounts")
	// A reassigned account leaves the book only on a sync of a later day
	// than its last touch (storage PurgeDeparted), so none of today's
	// touches may go: the rep's done-today never drops mid-day.
	if purged+tuiPurged > 0 {
		t.Fatalf("%d of today's touches left the book with a reassigned account (%d accounts before, %d after)", purged+tuiPurged, accountsBefore, accountsAfter)
	}
	var ok string
	if err := r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	if n := scalar(t, r, `SELECT count(*) FROM touches t WHERE origin = 'local' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.op_id = t.op_id AND o.kind = 'touch.create')`); n != 0 {
		t.Fatalf("%d touches without their outbox row", n)
	}
	if n := scalar(t, r, `SELECT count(*) FROM tasks k WHERE origin = 'local' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.kind = 'task.create' AND o.entity_id = k.id)`); n != 0 {
		t.Fatalf("%d logged next actions without their outbox row", n)
	}
	r.Close()
	t.Logf("two terminals: %d touches logged by the CLI, %d by the TUI, %d CLI syncs, %d keys sent to the TUI, %d freshness checks after a key; "+
		"0 errors on either side, 0 misses; each touch in the book once, or pushed and then removed with its reassigned account (%d: %d CLI, %d TUI; %d → %d accounts); "+
		"%d CLI logs met a contact removed by a sync and moved on; integrity ok; %d l keys met an account task moved under the cursor by a reload, 0 had no visible effect; %d task updates held back by the per-process demo CRM",
		cliLogs, tuiLogs, syncs, d.keys, checks, purged+tuiPurged, purged, tuiPurged, accountsBefore, accountsAfter, goneContacts, moved, heldTasks)
}

// selectedRow is the worklist line under the cursor ("> ").
func selectedRow(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "> ") {
			return l
		}
	}
	return ""
}

// runQuiet runs cmd and returns its stdout; a failure or any line on
// stderr is an error.
func runQuiet(cmd *exec.Cmd, env []string) ([]byte, error) {
	var out, errOut bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(errOut.String()))
	}
	if errOut.Len() > 0 {
		return nil, fmt.Errorf("stderr: %s", strings.TrimSpace(errOut.String()))
	}
	return out.Bytes(), nil
}
