package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// procUsage is what the kernel counts for one process: the context
// switches of all its threads (each a wake-up) and its CPU time.
type procUsage struct {
	switches int64
	cpu      time.Duration
}

// readUsage reads /proc/PID/task/*/status and /proc/PID/task/*/schedstat.
func readUsage(pid int) (procUsage, error) {
	var u procUsage
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		return u, fmt.Errorf("no tasks for pid %d", pid)
	}
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // a thread that ended between the glob and the read
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "voluntary_ctxt_switches:") || strings.HasPrefix(l, "nonvoluntary_ctxt_switches:") {
				n, _ := strconv.ParseInt(strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]), 10, 64)
				u.switches += n
			}
		}
	}
	// CPU: the nanoseconds each thread ran (schedstat), finer than the
	// 10 ms ticks of /proc/PID/stat, which a few keys of less never reach.
	stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			u.cpu += time.Duration(ns)
		}
	}
	return u, nil
}

// programPID is the pid of the program the pane's shell runs (its only child).
func (d *tmuxDriver) programPID() int {
	d.t.Helper()
	sh, err := strconv.Atoi(strings.TrimSpace(d.tmux("list-panes", "-t", "e2e", "-F", "#{pane_pid}")))
	if err != nil {
		d.t.Fatalf("pane pid: %v", err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", sh, sh))
	if err != nil {
		d.t.Fatalf("the pane's program: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		d.t.Fatalf("the pane's shell has children %q, want one", f)
	}
	pid, _ := strconv.Atoi(f[0])
	return pid
}

// TestIdleScreenSleeps opens the demo book in tmux and counts the
// program's wake-ups while nobody types: an idle screen must cost nothing.
// Bubble Tea's own renderer ticked at the frame rate (60 a second by
// default, 20 as Shortlist had it) and fails this; so would any spinner,
// blinking cursor or clock left ticking.
func TestIdleScreenSleeps(t *testing.T) {
	needTmux(t)
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("needs Linux /proc to count wake-ups")
	}
	bin := buildBinary(t)
	d := startTmux(t, bin+" --demo --db "+filepath.Join(t.TempDir(), "book.db"), 100, 30)
	d.waitFor("done today 0", 20*time.Second)
	pid := d.programPID()
	// Let what the first frame started (counts, the GC after loading)
	// finish; then a key, as a rep would press, and quiet again.
	time.Sleep(time.Second)
	d.keys("j")
	d.waitFor("> 2 ", 5*time.Second)
	time.Sleep(time.Second)

	const quiet = 3 * time.Second
	before, err := readUsage(pid)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(quiet)
	after, err := readUsage(pid)
	if err != nil {
		t.Fatal(err)
	}
	n := after.switches - before.switches
	t.Logf("idle %v: %d wake-ups, %v CPU", quiet, n, after.cpu-before.cpu)
	// "A few a second" at most; a 20 fps ticker alone makes 60 here. The
	// Go runtime may wake now and then (a forced GC every 2 minutes).
	if most := int64(quiet / time.Second * 3); n > most {
		t.Fatalf("an idle screen woke %d times in %v, want at most %d", n, quiet, most)
	}
}
